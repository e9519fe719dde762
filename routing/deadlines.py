"""Opening and closing the clocks of a case; called inside the case services' transactions."""

import datetime

from django.db.models import QuerySet

from areas.models import Unit
from cases.models import Case

from .models import Clock, Deadline, DeadlineState

# Default limits until a region configures its own policies:
# accept within one day of registration; 人民调解工作若干规定 art. 33: "一般在一个月内调结".
DEFAULT_LIMITS: dict[str, datetime.timedelta] = {
    Clock.ACCEPT: datetime.timedelta(hours=24),
    Clock.RESOLVE: datetime.timedelta(days=30),
}
WARN_FRACTION = 0.8


def open_deadline(
    case: Case,
    clock: str,
    unit: Unit,
    now: datetime.datetime,
    limit: datetime.timedelta | None = None,
    due_at: datetime.datetime | None = None,
) -> Deadline:
    """Open a clock due at `due_at`, or after `limit` (default: the clock's default limit)."""
    if due_at is None:
        due_at = now + (limit or DEFAULT_LIMITS[clock])
    return Deadline.objects.create(
        case=case,
        clock=clock,
        unit=unit,
        level=case.level,
        started_at=now,
        warn_at=now + (due_at - now) * WARN_FRACTION,
        due_at=due_at,
    )


def close_deadlines(case: Case, clocks: list[str], now: datetime.datetime) -> int:
    """Close the case's open clocks of these kinds, recording whether each was met."""
    closed = 0
    for d in Deadline.objects.filter(case=case, clock__in=clocks, state=DeadlineState.OPEN):
        d.met = now <= d.due_at
        d.state = DeadlineState.MET if d.met else DeadlineState.MISSED
        d.closed_at = now
        d.save(update_fields=["met", "state", "closed_at"])
        closed += 1
    return closed


def transfer_deadlines(case: Case, unit: Unit) -> None:
    """The clocks follow the case to its new handling unit."""
    Deadline.objects.filter(case=case, state=DeadlineState.OPEN).update(unit=unit)


def open_deadlines(case: Case) -> QuerySet[Deadline]:
    return Deadline.objects.filter(case=case, state=DeadlineState.OPEN)
