"""Receiving referrals from courts and police stations (one by one or in batches), and
recording that their outcomes went back. Cases are registered by cases.services.register_case,
so a referred row meets exactly the rules of every other intake."""

import dataclasses
import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from areas.models import Area, Membership, Role, Unit
from areas.selectors import center_for_area
from cases.errors import CaseError, InvalidInput, NotAllowed
from cases.services import CaseInput, register_case
from notifications.models import Kind
from notifications.services import notify, unit_staff

from .models import Outcome, Referral, ReferralBatch
from .selectors import referring_memberships

MAX_ROWS = 2000
CREATED, DUPLICATE, INVALID = "created", "duplicate", "invalid"


@dataclass
class ReferralInput:
    """One referred case as read from a file row or an API item."""

    row: int  # the Excel row number, or the item's position in the request (from 1)
    external_ref: str
    case: CaseInput  # the channel, and a blank area code, are filled in on import
    errors: dict[str, str] = field(default_factory=dict)  # found while reading the row
    columns: dict[str, str] = field(default_factory=dict)  # field name → column header


@dataclass
class RowResult:
    row: int
    external_ref: str
    status: str  # CREATED, DUPLICATE or INVALID
    case_code: str = ""
    errors: dict[str, str] = field(default_factory=dict)


class _RowRejected(Exception):
    """Leaves a row's savepoint so that nothing of the row stays."""


def import_referrals(
    actor,
    items: list[ReferralInput],
    now: datetime.datetime,
    *,
    channel: str,
    source: str,
    file_name: str = "",
) -> tuple[ReferralBatch, list[RowResult]]:
    """Register each good row as a case of `channel`, skip rows already received (same
    reference from the same unit), report the bad rows; notify each receiving center once."""
    memberships = referring_memberships(actor, channel)
    if not memberships:
        raise NotAllowed(_("Only court or police liaison staff can refer cases here."))
    if not items:
        raise InvalidInput(_("The batch has no rows."))
    if len(items) > MAX_ROWS:
        raise InvalidInput(_("Send at most %(n)d rows at a time.") % {"n": MAX_ROWS})
    membership = memberships[0]
    unit = membership.unit
    with transaction.atomic():
        # One unit's batches queue here, so a re-sent batch sees the first one whole and
        # two batches never wait on each other's rows (which could deadlock on PostgreSQL).
        Unit.objects.select_for_update().filter(pk=unit.pk).first()
        batch = ReferralBatch.objects.create(
            referring_unit=unit,
            channel=channel,
            source=source,
            file_name=file_name[:200],
            uploaded_by=actor,
            created_at=now,
            total=len(items),
        )
        results = [_import_row(actor, membership, batch, item, now) for item in items]
        batch.created = sum(r.status == CREATED for r in results)
        batch.duplicates = sum(r.status == DUPLICATE for r in results)
        batch.failed = sum(r.status == INVALID for r in results)
        batch.errors = [
            {
                "row": r.row,
                "ref": r.external_ref,
                "field": key,
                "column": item.columns.get(key, key),
                "message": message,
            }
            for r, item in zip(results, items, strict=True)
            for key, message in r.errors.items()
        ]
        batch.save()
        _notify_centers(batch, now)
    return batch, results


def _import_row(
    actor, membership: Membership, batch: ReferralBatch, item: ReferralInput, now
) -> RowResult:
    unit = membership.unit
    ref = (item.external_ref or "").strip()
    errors = dict(item.errors)
    if not ref:
        errors["external_ref"] = _("Enter the referring unit's own reference.")
    elif len(ref) > 80:
        errors["external_ref"] = _("The reference may have at most 80 characters.")
    else:
        existing = _existing(unit, ref)
        if existing is not None:
            return RowResult(item.row, ref, DUPLICATE, existing.case.code)
    if not item.case.category_code:
        # The court decided what kind of dispute it is; the center routes by it.
        errors["category_code"] = _("A referred case needs its dispute category.")
    data = dataclasses.replace(
        item.case,
        channel=batch.channel,
        area_code=(item.case.area_code or "").strip() or unit.area.code,
        external_ref=ref,
    )
    try:
        with transaction.atomic():
            try:
                case = register_case(
                    actor,
                    data,
                    now,
                    owner=_receiving_center(data.area_code),
                    event_kind="referral_received",
                    event_note=_("%(unit)s, reference %(ref)s") % {"unit": unit.name, "ref": ref},
                    event_data={
                        "referring_unit": unit.name,
                        "external_ref": ref,
                        "batch": batch.pk,
                    },
                )
            except CaseError as e:
                raise _RowRejected({**(e.field_errors or {"__all__": e.message}), **errors}) from e
            if errors:
                # register_case found nothing more; undo the case it just registered.
                raise _RowRejected(errors)
            Referral.objects.create(
                referring_unit=unit,
                external_ref=ref,
                case=case,
                batch=batch,
                receiving_unit=case.owner_unit,
                received_at=now,
            )
    except _RowRejected as rejected:
        return RowResult(item.row, ref, INVALID, errors=rejected.args[0])
    except IntegrityError:
        # The same reference committed meanwhile by another request; this row is a repeat.
        existing = _existing(unit, ref)
        if existing is None:
            raise
        return RowResult(item.row, ref, DUPLICATE, existing.case.code)
    return RowResult(item.row, ref, CREATED, case.code)


def _existing(unit: Unit, ref: str) -> Referral | None:
    return (
        Referral.objects.select_related("case")
        .filter(referring_unit=unit, external_ref=ref)
        .first()
    )


def _receiving_center(area_code: str) -> Unit | None:
    """The center of the dispute's own area receives a referral and routes it (None: an
    unknown area, which register_case reports; or no center, and the default applies)."""
    area = Area.objects.filter(code=area_code).first()
    return center_for_area(area) if area else None


def _notify_centers(batch: ReferralBatch, now: datetime.datetime) -> None:
    counts: dict[int, int] = {}
    for unit_id in batch.referrals.values_list("receiving_unit_id", flat=True):
        counts[unit_id] = counts.get(unit_id, 0) + 1
    url = f"{reverse('docking:list')}?batch={batch.pk}"
    for center in Unit.objects.filter(pk__in=counts):
        notify(
            unit_staff(center, [Role.CLERK]),
            kind=Kind.COURT,
            title=_("%(unit)s referred %(n)d cases to %(center)s")
            % {"unit": batch.referring_unit.name, "n": counts[center.pk], "center": center.name},
            body=batch.file_name,
            key=f"referral-batch:{batch.pk}:{center.pk}",
            now=now,
            url=url,
        )


def mark_reported(user, referrals, now: datetime.datetime) -> int:
    """Record that these outcomes (from selectors.with_outcome) went back to the referring
    unit, when `user` is its staff; the first report counts."""
    units = {m.unit_id for m in referring_memberships(user)}
    pks = [
        r.pk
        for r in referrals
        if r.referring_unit_id in units and r.outcome != Outcome.IN_PROGRESS and not r.reported_at
    ]
    if not pks:
        return 0
    return Referral.objects.filter(pk__in=pks, reported_at__isnull=True).update(reported_at=now)
