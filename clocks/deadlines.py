"""Opening and closing the clocks of a case; called inside the case services' transactions."""

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from areas.models import Unit

from .models import (
    DEFAULT_ACCEPT_HOURS,
    DEFAULT_RESOLVE_DAYS,
    DEFAULT_WARN_PERCENT,
    Clock,
    Deadline,
    DeadlineState,
    EscalationPolicy,
)
from .policies import policy_for_area

if TYPE_CHECKING:
    from cases.models import Case

# "Read the policy here": a caller that has it passes `policy=` (which may be None).
LOOK_UP = object()

# The clocks of whoever owns the case: they move with it when it changes hands. The others
# (报到, feedback, 督办, confirmation) belong to one unit's own obligation and stay with it.
# A petition's reply is owed by whoever handles it: forwarded (转送交办), the clock goes along.
OWNER_CLOCKS = [Clock.ACCEPT, Clock.RESOLVE, Clock.ESCALATE, Clock.PETITION_REPLY]
# Obligations that end with the case: a closed case needs no more 报到, feedback or answers.
CASE_BOUND_CLOCKS = [
    Clock.ACCEPT,
    Clock.RESOLVE,
    Clock.REPORT,
    Clock.FEEDBACK,
    Clock.SUPERVISE,
    Clock.RISK_REPORT,
    Clock.RISK_HANDLE,
    Clock.PROGRESS,
    Clock.REVIEW,
]
# The obligations a risk grade's response plan opens (the risk app's clocks).
RISK_CLOCKS = [Clock.RISK_REPORT, Clock.RISK_HANDLE]


@dataclass(frozen=True)
class Limits:
    """The accept and resolve limits and the reminder point that govern a case's area."""

    accept: datetime.timedelta
    resolve: datetime.timedelta
    warn_fraction: float

    def default(self, clock: str) -> datetime.timedelta:
        return {Clock.ACCEPT: self.accept, Clock.RESOLVE: self.resolve}[clock]


def limits_for(policy: EscalationPolicy | None) -> Limits:
    """The policy's limits (an administrator edits them per policy), or the defaults."""
    hours, days, percent = (
        (policy.accept_hours, policy.resolve_days, policy.warn_percent)
        if policy
        else (DEFAULT_ACCEPT_HOURS, DEFAULT_RESOLVE_DAYS, DEFAULT_WARN_PERCENT)
    )
    return Limits(datetime.timedelta(hours=hours), datetime.timedelta(days=days), percent / 100)


def open_deadline(
    case: "Case",
    clock: str,
    unit: Unit,
    now: datetime.datetime,
    limit: datetime.timedelta | None = None,
    due_at: datetime.datetime | None = None,
    *,
    policy: EscalationPolicy | None | object = LOOK_UP,
) -> Deadline:
    """Open a clock due at `due_at`, or after `limit` (default: the area's policy's limit).
    A caller that has read the area's policy already passes it (None: the area has none)."""
    if policy is LOOK_UP:
        policy = policy_for_area(case.area)
    limits = limits_for(policy)
    if due_at is None:
        due_at = now + (limit or limits.default(clock))
    return Deadline.objects.create(
        case=case,
        clock=clock,
        unit=unit,
        level=case.level,
        started_at=now,
        warn_at=now + (due_at - now) * limits.warn_fraction,
        due_at=due_at,
    )


def close_deadlines(
    case: "Case", clocks: list[str], now: datetime.datetime, unit: Unit | None = None
) -> int:
    """Close the case's open clocks of these kinds (of this unit), recording whether each
    was met."""
    qs = Deadline.objects.filter(case=case, clock__in=clocks, state=DeadlineState.OPEN)
    if unit is not None:
        qs = qs.filter(unit=unit)
    due = dict(qs.order_by().values_list("pk", "due_at"))
    # One UPDATE for the clocks met, one for those missed, not a save per clock.
    for met, state in ((True, DeadlineState.MET), (False, DeadlineState.MISSED)):
        if pks := [pk for pk, due_at in due.items() if (now <= due_at) == met]:
            Deadline.objects.filter(pk__in=pks).update(met=met, state=state, closed_at=now)
    return len(due)


def cancel_deadlines(
    case: "Case", clocks: list[str], now: datetime.datetime, unit: Unit | None = None
) -> int:
    """Close the case's open clocks of these kinds (of this unit) because the obligation
    was lifted: a clock not yet due is cancelled (neither met nor missed); one already past
    its due time was missed before it was lifted and stays counted as missed."""
    qs = Deadline.objects.filter(case=case, clock__in=clocks, state=DeadlineState.OPEN)
    if unit is not None:
        qs = qs.filter(unit=unit)
    due = dict(qs.order_by().values_list("pk", "due_at"))
    for missed, state, met in (
        (False, DeadlineState.CANCELLED, None),
        (True, DeadlineState.MISSED, False),
    ):
        if pks := [pk for pk, due_at in due.items() if (now > due_at) == missed]:
            Deadline.objects.filter(pk__in=pks).update(met=met, state=state, closed_at=now)
    return len(due)


def transfer_deadlines(case: "Case", unit: Unit) -> None:
    """The owner's clocks follow the case to its new handling unit."""
    Deadline.objects.filter(case=case, state=DeadlineState.OPEN, clock__in=OWNER_CLOCKS).update(
        unit=unit
    )


def open_deadlines(case: "Case") -> QuerySet[Deadline]:
    return Deadline.objects.filter(case=case, state=DeadlineState.OPEN)
