"""The parties' own evaluation of how their case ended.

When a case is resolved or closed, each party with a phone gets an SMS link (a signed token
naming one Evaluation row, valid 30 days, single use) to rate 满意 / 基本满意 / 不满意 with a
comment. The rating is a timeline event (cases.registry.PARTY_RATED), which the statistics
count for 参评率 and 满意率. 不满意 reopens the case or puts it on the center's review list,
as the EvaluationSetting of the case's area (or the nearest one above) says; without one,
the review list with a deadline of 3 working days.
"""

import datetime
import logging

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from areas.models import Area, Role, path_ids
from areas.selectors import center_for_area, scope_of
from cases.models import Case, TimelineEvent
from cases.registry import PARTY_RATED, Satisfaction
from cases.services import append_event, perform_system_transition
from cases.workflow import TRANSITIONS, Status
from clocks.calendar import CalendarUnknown, add_limit
from clocks.models import TimeUnit
from jiefen.errors import IllegalTransition, InvalidInput, NotAllowed, NotFound
from jiefen.localtime import minute
from notifications.models import Kind
from notifications.services import notify, notify_phone, unit_staff

from .models import Evaluation, EvaluationSetting, OnUnsatisfied, Review

log = logging.getLogger(__name__)

LIFE = datetime.timedelta(days=30)
SALT = "portal.evaluation"
CLOSING = frozenset({Status.RESOLVED, Status.TRANSFERRED, Status.TERMINATED})
DEFAULT_REVIEW_DAYS = 3  # working days (the region's EvaluationSetting may say otherwise)
REVIEW_ROLES = (Role.CLERK, Role.LEADER)  # who keeps the center's review list


def token_for(evaluation: Evaluation) -> str:
    return signing.dumps(evaluation.pk, salt=SALT)


def evaluation_url(evaluation: Evaluation) -> str:
    path = reverse("portal:evaluate", args=[token_for(evaluation)])
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}"


def evaluation_for_token(token: str) -> Evaluation:
    """The evaluation a link names; NotFound for a forged or garbled link."""
    try:
        pk = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise NotFound(_("This evaluation link is not valid.")) from None
    evaluation = (
        Evaluation.objects.select_related("case__owner_unit", "party").filter(pk=pk).first()
    )
    if evaluation is None:
        raise NotFound(_("This evaluation link is not valid."))
    return evaluation


def invite_parties(event: TimelineEvent) -> list[Evaluation]:
    """On a case's resolution or closing (inside its transaction): one evaluation per party
    phone, and an SMS with its link (sent after commit)."""
    if event.to_status not in CLOSING or event.from_status == event.to_status:
        return []
    case = event.case
    invited: list[Evaluation] = []
    phones: set[str] = set()
    for party in case.parties.exclude(phone="").order_by("pk"):
        if party.phone in phones:
            continue
        phones.add(party.phone)
        evaluation = Evaluation.objects.create(
            case=case,
            party=party,
            event=event,
            phone=party.phone,
            invited_at=event.at,
            expires_at=event.at + LIFE,
        )
        notify_phone(
            party.phone,
            title=_("Please rate how your case was handled"),
            body=_("Case %(code)s has been handled. Please rate it within 30 days: %(url)s")
            % {"code": case.code, "url": evaluation_url(evaluation)},
            key=f"evaluation:{evaluation.pk}",
            now=event.at,
            case=case,
        )
        invited.append(evaluation)
    return invited


def setting_for(area: Area) -> tuple[str, int]:
    """(what 不满意 leads to, days to review) for a case of this area."""
    ids = path_ids(area.path)
    settings_by_area = {s.area_id: s for s in EvaluationSetting.objects.filter(area_id__in=ids)}
    for area_id in reversed(ids):
        if area_id in settings_by_area:
            s = settings_by_area[area_id]
            return s.on_unsatisfied, s.review_days
    return OnUnsatisfied.REVIEW, DEFAULT_REVIEW_DAYS


def rate(token: str, satisfaction: str, comment: str, now: datetime.datetime) -> Evaluation:
    """A party's rating through the link: once, within 30 days."""
    evaluation = evaluation_for_token(token)
    if satisfaction not in Satisfaction.values:
        raise InvalidInput(
            _("Choose satisfied, basically satisfied or not satisfied."),
            {"satisfaction": _("Choose satisfied, basically satisfied or not satisfied.")},
        )
    comment = (comment or "").strip()
    if len(comment) > 1000:
        raise InvalidInput(
            _("Please keep it under 1000 characters."),
            {"comment": _("Please keep it under 1000 characters.")},
        )
    with transaction.atomic():
        evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        if evaluation.rated_at is not None:
            raise IllegalTransition(_("This link has been used: the rating is recorded."))
        if evaluation.expires_at <= now:
            raise IllegalTransition(_("This evaluation link has expired (30 days)."))
        evaluation.satisfaction = satisfaction
        evaluation.comment = comment
        evaluation.rated_at = now
        evaluation.save(update_fields=["satisfaction", "comment", "rated_at"])
        case = Case.objects.select_related("area", "owner_unit").get(pk=evaluation.case_id)
        append_event(
            case,
            PARTY_RATED,
            now,
            note=comment,
            data={"satisfaction": satisfaction, "evaluation": evaluation.pk},
        )
        if satisfaction == Satisfaction.UNSATISFIED:
            _follow_dissatisfaction(case, evaluation, now)
    return evaluation


def _follow_dissatisfaction(case: Case, evaluation: Evaluation, now: datetime.datetime) -> None:
    action, days = setting_for(case.area)
    if action == OnUnsatisfied.REOPEN and case.status in TRANSITIONS["reopen_by_party"].sources:
        perform_system_transition(
            case,
            "reopen_by_party",
            now,
            note=_("A party rated the outcome “not satisfied”."),
        )
        return
    review = Review.objects.create(
        case=case,
        evaluation=evaluation,
        unit=center_for_area(case.area) or case.owner_unit,
        created_at=now,
        due_at=review_due(now, days),
    )
    notify(
        unit_staff(review.unit, REVIEW_ROLES),
        kind=Kind.REVIEW,
        title=_("Case %(code)s: a party is not satisfied") % {"code": case.code},
        body=_("Review it by %(due)s.") % {"due": minute(review.due_at)},
        key=f"review:{review.pk}",
        now=now,
        case=case,
        url=reverse("portal:reviews"),
    )


def review_due(now: datetime.datetime, days: int) -> datetime.datetime:
    """The review's deadline: `days` working days (clocks.calendar: weekends, public holidays
    and 调休 counted), to the end of the last; calendar days where no calendar is known."""
    try:
        return add_limit(now, days, TimeUnit.WORKING_DAYS)
    except CalendarUnknown:
        log.warning("reviews: no working-day calendar after %s; counting calendar days", now)
        return add_limit(now, days, TimeUnit.CALENDAR_DAYS)


def reviews_for(user):
    """The review list of the user's centers (clerks and leaders)."""
    scope = scope_of(user)
    if not scope.has_role(*REVIEW_ROLES):
        return Review.objects.none()
    qs = Review.objects.select_related("case", "evaluation", "unit")
    return qs if scope.is_superuser else qs.filter(unit_id__in=scope.unit_ids)


def mark_reviewed(review_id: int, user, note: str, now: datetime.datetime) -> Review:
    note = (note or "").strip()
    if not note:
        raise InvalidInput(
            _("Say what was done about it."), {"note": _("Say what was done about it.")}
        )
    with transaction.atomic():
        review = reviews_for(user).select_for_update(of=("self",)).filter(pk=review_id).first()
        if review is None:
            raise NotAllowed(_("This review is not on your list."))
        if review.done_at is not None:
            raise IllegalTransition(_("This review is done already."))
        review.done_at, review.done_by, review.note = now, user, note
        review.save(update_fields=["done_at", "done_by", "note"])
        append_event(review.case, "dissatisfaction_reviewed", now, actor=user, note=note)
    return review
