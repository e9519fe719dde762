"""有事报情况，无事报平安: a grid worker's daily report, and the grids that missed theirs.

One report per grid and day: one tap for "无事，平安", or the day's items (visits, hazards,
disputes found), each of which can become a case. Once a working day is over, the sweep
(clocks.registry.on_sweep) counts each grid without its report as missed — once per grid
and day however often it runs; weekends and public holidays (clocks.calendar, 调休
included) are not counted.
"""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min, Q
from django.utils.translation import gettext as _

from areas.models import Area, Level, Membership, Role
from areas.selectors import area_subtree_q, memberships_of, scope_of
from cases.models import Case, Channel
from cases.services import CaseInput, PartyInput, clean_idempotency_key, register_case
from clocks.calendar import CalendarUnknown, is_workday, local_date
from jiefen.errors import IllegalTransition, InvalidInput, NotAllowed

from .models import DailyReport, DailyReportItem, ItemKind, MissedDailyReport

log = logging.getLogger(__name__)

REPORTING_ROLES = (Role.GRID_WORKER, Role.INFORMANT, Role.HOUSEHOLD_HEAD)
CASE_ROLES = (Role.GRID_WORKER,)  # who turns a reported item into a case


def makes_cases(user) -> bool:
    return any(m.role in CASE_ROLES for m in memberships_of(user))


def require_case_role(user) -> None:
    if not makes_cases(user):
        raise IllegalTransition(
            _("Only the grid worker turns it into a case; tell your grid worker.")
        )


OVERVIEW_ROLES = (Role.CLERK, Role.LEADER)
# How far back the sweep looks at most for a day not yet counted (a grid is looked at from
# its first staffed day or the day after its last counted miss, whichever is later).
LOOKBACK_DAYS = 31


def reporting_grids(user) -> list[Area]:
    """The grids the user reports for (a grid worker's membership names the grid)."""
    return [
        m.area
        for m in memberships_of(user)
        if m.role in REPORTING_ROLES and m.area is not None and m.area.level == Level.GRID
    ]


def _grid(user, grid_id: int) -> Area:
    for grid in reporting_grids(user):
        if grid.pk == grid_id:
            return grid
    raise NotAllowed(_("You do not report for this grid."))


def report_all_quiet(
    user, grid_id: int, now: datetime.datetime, idempotency_key: str = ""
) -> DailyReport:
    """无事，平安: today's report of the grid, with nothing in it. An offline draft sent again
    (the same idempotency key) finds the report its first send made."""
    grid = _grid(user, grid_id)
    day = local_date(now)
    key = clean_idempotency_key(idempotency_key)
    try:
        with transaction.atomic():
            report = DailyReport.objects.select_for_update().filter(grid=grid, day=day).first()
            if report is not None and key and report.idempotency_key == key:
                return report
            if report is not None:
                raise IllegalTransition(_("Today's report of this grid is in already."))
            return DailyReport.objects.create(
                grid=grid,
                day=day,
                reporter=user,
                created_at=now,
                all_quiet=True,
                idempotency_key=key,
            )
    except IntegrityError:  # the same tap sent twice at once
        raise IllegalTransition(_("Today's report of this grid is in already.")) from None


def add_item(
    user,
    grid_id: int,
    kind: str,
    text: str,
    now: datetime.datetime,
    *,
    party_name: str = "",
    party_phone: str = "",
    idempotency_key: str = "",
) -> DailyReportItem:
    """One thing of today's report (the report is started by its first item). An offline
    draft sent again (the same idempotency key) finds the item its first send added."""
    grid = _grid(user, grid_id)
    errors = {}
    if kind not in ItemKind.values:
        errors["kind"] = _("Choose what kind of thing it is.")
    if not (text or "").strip():
        errors["text"] = _("Say what you found.")
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors)
    day = local_date(now)
    with transaction.atomic():
        report, _created = DailyReport.objects.select_for_update().get_or_create(
            grid=grid, day=day, defaults={"reporter": user, "created_at": now}
        )
        key = clean_idempotency_key(idempotency_key)
        sent = report.items.filter(idempotency_key=key).first() if key else None
        if sent is not None:
            return sent
        if report.all_quiet:
            # Something came up after all: the day is no longer "all quiet".
            report.all_quiet = False
            report.save(update_fields=["all_quiet"])
        return DailyReportItem.objects.create(
            report=report,
            kind=kind,
            text=text.strip(),
            party_name=(party_name or "").strip(),
            party_phone=(party_phone or "").strip(),
            idempotency_key=key,
        )


def item_to_case(user, item_id: int, now: datetime.datetime, **party) -> Case:
    """One more tap: the item becomes a case of the grid, registered by the grid worker."""
    require_case_role(user)
    with transaction.atomic():
        item = (
            DailyReportItem.objects.select_for_update()
            .select_related("report__grid")
            .filter(pk=item_id)
            .first()
        )
        if item is None:
            raise NotAllowed(_("You do not report for this grid."))
        grid = _grid(user, item.report.grid_id)
        if item.case_id:
            raise IllegalTransition(_("This item is a case already."))
        name = (party.get("party_name") or item.party_name).strip()
        phone = (party.get("party_phone") or item.party_phone).strip()
        if not name:
            raise InvalidInput(
                _("A case needs a party: enter the person concerned."),
                {"party_name": _("Enter the person concerned.")},
            )
        case = register_case(
            user,
            CaseInput(
                title=item.text[:40],
                description=item.text,
                area_code=grid.code,
                channel=Channel.GRID_APP,
                parties=[PartyInput(name=name, phone=phone)],
            ),
            now,
            event_data={"daily_report": str(item.report.day)},
        )
        item.case = case
        item.save(update_fields=["case"])
    return case


# ---------------------------------------------------------------- counting and overview


def _staffed_grids() -> dict[int, datetime.date]:
    """Grid id → the first day someone was there to report (the earliest reporter joined)."""
    rows = (
        Membership.objects.filter(
            role__in=REPORTING_ROLES, area__level=Level.GRID, user__is_active=True
        )
        .values("area_id")
        .annotate(since=Min("user__date_joined"))
    )
    return {r["area_id"]: local_date(r["since"]) for r in rows}


def count_missed(now: datetime.datetime, days_back: int = LOOKBACK_DAYS) -> int:
    """The sweep's daily clock: each working day that is over, each staffed grid without its
    report is counted missed, once. Each grid is looked at from the day after its last
    counted miss (or from its first staffed day), at most `days_back` days back, so a sweep
    that did not run for a while still counts every day. Returns how many were newly counted."""
    today = local_date(now)
    grids = _staffed_grids()
    if not grids:
        return 0
    floor = today - datetime.timedelta(days=days_back)
    last_missed = dict(
        MissedDailyReport.objects.filter(grid_id__in=grids, day__gte=floor)
        .values("grid_id")
        .annotate(last=Max("day"))
        .values_list("grid_id", "last")
    )
    starts = {
        grid: max(
            since,
            floor,
            last_missed[grid] + datetime.timedelta(days=1) if grid in last_missed else floor,
        )
        for grid, since in grids.items()
    }
    first = min(starts.values())
    days = []
    for back in range((today - first).days, 0, -1):
        day = today - datetime.timedelta(days=back)
        try:
            if is_workday(day):
                days.append(day)
        except CalendarUnknown:
            log.warning("daily reports: no working-day calendar for %s", day)
    if not days:
        return 0
    done = set(DailyReport.objects.filter(day__gte=first).values_list("grid_id", "day")) | set(
        MissedDailyReport.objects.filter(day__gte=first).values_list("grid_id", "day")
    )
    missed = [
        MissedDailyReport(grid_id=grid, day=day, counted_at=now)
        for day in days
        for grid, start in starts.items()
        if start <= day and (grid, day) not in done
    ]
    # Two sweeps at once: the unique (grid, day) keeps one row; the other is skipped.
    MissedDailyReport.objects.bulk_create(missed, ignore_conflicts=True)
    return len(missed)


def overview_grids(user):
    """The grids a village or town center sees (its area's), for its clerks and leaders."""
    scope = scope_of(user)
    if not scope.has_role(*OVERVIEW_ROLES):
        return Area.objects.none()
    grids = Area.objects.filter(level=Level.GRID)
    if not scope.is_superuser:
        grids = grids.filter(area_subtree_q(scope.area_paths))
    return grids.select_related("parent").order_by("code")


def overview(user, today: datetime.date, days: int = 14) -> list[dict]:
    """Per grid: today's report (or none) and the working days missed in the last `days`."""
    grids = list(overview_grids(user))
    ids = [g.pk for g in grids]
    reports = {
        r.grid_id: r
        for r in DailyReport.objects.filter(grid_id__in=ids, day=today).annotate(
            n_items=Count("items"), n_cases=Count("items", filter=Q(items__case__isnull=False))
        )
    }
    since = today - datetime.timedelta(days=days)
    missed = dict(
        MissedDailyReport.objects.filter(grid_id__in=ids, day__gte=since)
        .values("grid_id")
        .annotate(n=Count("pk"))
        .values_list("grid_id", "n")
    )
    staffed = _staffed_grids()
    return [
        {
            "grid": g,
            "report": reports.get(g.pk),
            "missed": missed.get(g.pk, 0),
            "staffed": g.pk in staffed,
        }
        for g in grids
    ]
