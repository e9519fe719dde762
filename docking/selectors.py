"""Who may refer and see referrals, and the one derivation of a referral's outcome."""

import datetime

from django.db import models
from django.db.models import OuterRef, Q, QuerySet, Subquery, Value, When

from areas.models import Membership, Role, UnitKind
from areas.selectors import memberships_of, scope_of
from cases.models import Channel, TimelineEvent
from cases.registry import Outcome as EventOutcome
from cases.registry import kinds_with_outcome
from cases.selectors import cases_visible_to
from cases.workflow import CENTER_ROLES, OPEN_STATUSES
from jiefen.localtime import LOCAL_TZ, days

from .models import Outcome, Referral, ReferralBatch

# Which units refer through which channel; police stations use the same pages as courts.
REFERRING_KINDS = {
    Channel.COURT: {UnitKind.COURT, UnitKind.TRIBUNAL},
    Channel.POLICE: {UnitKind.POLICE},
}
REFERRING_ROLES = {Role.COURT_LIAISON, Role.HANDLER}


def referring_memberships(user, channel: str = "") -> list[Membership]:
    """The user's memberships through which they may refer cases (in this channel)."""
    if not getattr(user, "is_authenticated", False):
        return []
    out = []
    for m in memberships_of(user):
        for ch, kinds in REFERRING_KINDS.items():
            if m.unit.kind in kinds and m.role in REFERRING_ROLES and channel in ("", ch):
                out.append(m)
    return out


def is_center_staff(user) -> bool:
    """Clerks and leaders of a governance center (and superusers) receive referrals."""
    if user.is_superuser:
        return True
    return any(m.unit.is_territorial and m.role in CENTER_ROLES for m in memberships_of(user))


def can_use_docking(user) -> bool:
    """Whether the docking pages are for this user: referring staff and center staff."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_jiefen_docking", None)
    if cached is None:
        cached = user._jiefen_docking = bool(referring_memberships(user)) or is_center_staff(user)
    return cached


def referrals_visible_to(user) -> QuerySet[Referral]:
    """Referrals of cases the user can see; referring staff see only their own unit's."""
    if not can_use_docking(user):
        return Referral.objects.none()
    qs = Referral.objects.all()
    if user.is_superuser:
        return qs
    qs = qs.filter(case__in=cases_visible_to(user))
    if not is_center_staff(user):
        qs = qs.filter(referring_unit_id__in=scope_of(user).unit_ids)
    return qs


def batches_visible_to(user) -> QuerySet[ReferralBatch]:
    """Batches of the user's referring units (all of them for a superuser)."""
    if user.is_superuser:
        return ReferralBatch.objects.all()
    units = [m.unit_id for m in referring_memberships(user)]
    return ReferralBatch.objects.filter(referring_unit_id__in=units)


def with_outcome(qs: QuerySet[Referral]) -> QuerySet[Referral]:
    """Annotate `outcome` and `outcome_at` (when it was decided) from the case's status and
    timeline; pages, exports and the API all read the outcome from here."""
    last = TimelineEvent.objects.filter(
        case=OuterRef("case"), kind__in=kinds_with_outcome()
    ).order_by("-at", "-pk")
    return (
        qs.select_related("case", "case__owner_unit", "referring_unit", "receiving_unit")
        .annotate(
            outcome_event=Subquery(last.values("kind")[:1]),
            outcome_event_at=Subquery(last.values("at")[:1]),
        )
        .annotate(
            outcome=models.Case(
                When(case__status__in=OPEN_STATUSES, then=Value(Outcome.IN_PROGRESS)),
                When(
                    outcome_event__in=kinds_with_outcome(EventOutcome.MEDIATED),
                    then=Value(Outcome.MEDIATED),
                ),
                When(
                    outcome_event__in=kinds_with_outcome(EventOutcome.NOT_MEDIATED),
                    then=Value(Outcome.FAILED),
                ),
                default=Value(Outcome.IN_PROGRESS),
                output_field=models.CharField(),
            )
        )
    )


def outcome_at(referral: Referral) -> datetime.datetime | None:
    """When the outcome was decided (None while in progress); needs with_outcome."""
    return None if referral.outcome == Outcome.IN_PROGRESS else referral.outcome_event_at


def days_taken(referral: Referral, now: datetime.datetime) -> int:
    """Calendar days (Asia/Shanghai) from referral to outcome, or to now while in progress."""
    end = outcome_at(referral) or now
    return (end.astimezone(LOCAL_TZ).date() - referral.received_at.astimezone(LOCAL_TZ).date()).days


def filter_referrals(
    qs: QuerySet[Referral],
    *,
    outcome: str = "",
    channel: str = "",
    batch: int | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    q: str = "",
    unreported: bool = False,
) -> QuerySet[Referral]:
    """The filters of the referral list, its export and the API (qs from with_outcome)."""
    if outcome:
        qs = qs.filter(outcome=outcome)
    if channel:
        qs = qs.filter(case__channel=channel)
    if batch:
        qs = qs.filter(batch_id=batch)
    if date_from or date_to:
        qs = qs.filter(**days("received_at", date_from or None, date_to or None))
    if unreported:
        qs = qs.filter(reported_at__isnull=True).exclude(outcome=Outcome.IN_PROGRESS)
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(external_ref__icontains=q)
            | Q(case__code__istartswith=q)
            | Q(case__title__icontains=q)
        )
    return qs
