"""Opening and closing the clocks of a case; called inside the case services' transactions."""

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from areas.models import Unit

from .calendar import add_working_time, working_time_between
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
# The clocks a pause stops (the case waits for a party, an appraisal, a court): the time to
# resolve and the level's time before escalation. 报到, 督办 and the others are a unit's own
# obligations and keep running.
PAUSABLE_CLOCKS = [Clock.RESOLVE, Clock.ESCALATE]


@dataclass(frozen=True)
class Limits:
    """The accept and resolve limits and the reminder point that govern a case's area."""

    accept: datetime.timedelta
    resolve: datetime.timedelta
    warn_fraction: float

    def default(self, clock: str) -> datetime.timedelta:
        return {Clock.ACCEPT: self.accept, Clock.RESOLVE: self.resolve}[clock]


def limits_for(policy: EscalationPolicy | None, complexity: str = "") -> Limits:
    """The policy's limits (an administrator edits them per policy), or the defaults; the
    resolve limit is the one of the case's complexity when the policy sets one."""
    hours, days, percent = (
        (policy.accept_hours, policy.resolve_days_for(complexity), policy.warn_percent)
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
    """Open a clock due at `due_at`, or after `limit` (default: the area's policy's limit,
    for the resolve clock the one of the case's complexity). A caller that has read the area's
    policy already passes it (None: the area has none). A pausable clock opened while the case
    is paused (a new level's escalation clock) starts paused."""
    if policy is LOOK_UP:
        policy = policy_for_area(case.area)
    limits = limits_for(policy, getattr(case, "complexity", ""))
    if due_at is None:
        due_at = now + (limit or limits.default(clock))
    # Only an accepted case can be paused (no query at registration).
    paused = clock in PAUSABLE_CLOCKS and case.accepted_at is not None and is_paused(case)
    return Deadline.objects.create(
        case=case,
        clock=clock,
        unit=unit,
        level=case.level,
        started_at=now,
        warn_at=now + (due_at - now) * limits.warn_fraction,
        due_at=due_at,
        paused_at=now if paused else None,
    )


def is_paused(case: "Case") -> bool:
    """Whether the case's clocks are paused (its open resolve clock is)."""
    return Deadline.objects.filter(
        case=case, state=DeadlineState.OPEN, clock__in=PAUSABLE_CLOCKS, paused_at__isnull=False
    ).exists()


def pause_deadlines(case: "Case", now: datetime.datetime) -> int:
    """Stop the case's pausable clocks that are running and not yet due; how many."""
    return Deadline.objects.filter(
        case=case,
        state=DeadlineState.OPEN,
        clock__in=PAUSABLE_CLOCKS,
        paused_at__isnull=True,
        overdue_at__isnull=True,
        due_at__gt=now,
    ).update(paused_at=now)


def resume_deadlines(case: "Case", now: datetime.datetime) -> datetime.timedelta:
    """Restart the case's paused clocks: each due (and reminder) time moves by exactly the
    working time it was paused (holidays and weekends do not count; clocks.calendar).
    Returns the longest such time (the resolve clock's, as all stop together)."""
    return _resume(
        Deadline.objects.filter(case=case, state=DeadlineState.OPEN, paused_at__isnull=False),
        now,
    )


def _resume(paused: QuerySet[Deadline], now: datetime.datetime) -> datetime.timedelta:
    longest = datetime.timedelta(0)
    for d in paused:
        shift = working_time_between(d.paused_at, now)
        d.due_at = add_working_time(d.due_at, shift)
        if d.warn_at is not None:
            d.warn_at = add_working_time(d.warn_at, shift)
        d.paused_for += shift
        d.paused_at = None
        d.save(update_fields=["due_at", "warn_at", "paused_for", "paused_at"])
        longest = max(longest, shift)
    return longest


def reset_resolve_limit(case: "Case", now: datetime.datetime) -> Deadline | None:
    """The case's complexity changed: its open resolve clock gets the limit of the new
    complexity, counted from when it started, plus the working time it was paused so far.
    A clock already found overdue keeps its due time (it was missed under the old limit)."""
    d = Deadline.objects.filter(
        case=case, clock=Clock.RESOLVE, state=DeadlineState.OPEN, overdue_at__isnull=True
    ).first()
    if d is None:
        return None
    limits = limits_for(policy_for_area(case.area), case.complexity)
    d.due_at = add_working_time(d.started_at + limits.resolve, d.paused_for)
    d.warn_at = add_working_time(d.started_at + limits.resolve * limits.warn_fraction, d.paused_for)
    d.save(update_fields=["due_at", "warn_at"])
    return d


def close_deadlines(
    case: "Case", clocks: list[str], now: datetime.datetime, unit: Unit | None = None
) -> int:
    """Close the case's open clocks of these kinds (of this unit), recording whether each
    was met. A paused clock is resumed first: the paused time does not count against it."""
    _resume_paused(case, clocks, now)
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
    _resume_paused(case, clocks, now)
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


def _resume_paused(case: "Case", clocks: list[str], now: datetime.datetime) -> None:
    """Move the due times of the paused ones among these clocks before they are closed."""
    _resume(
        Deadline.objects.filter(
            case=case, clock__in=clocks, state=DeadlineState.OPEN, paused_at__isnull=False
        ),
        now,
    )


def transfer_deadlines(case: "Case", unit: Unit) -> None:
    """The owner's clocks follow the case to its new handling unit."""
    Deadline.objects.filter(case=case, state=DeadlineState.OPEN, clock__in=OWNER_CLOCKS).update(
        unit=unit
    )


def open_deadlines(case: "Case") -> QuerySet[Deadline]:
    return Deadline.objects.filter(case=case, state=DeadlineState.OPEN)
