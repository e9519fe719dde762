"""The escalation clock of the level a case is at, under its area's policy."""

import datetime
from typing import TYPE_CHECKING

from . import deadlines
from .deadlines import LOOK_UP
from .models import Clock, Deadline, EscalationPolicy, EscalationStep
from .policies import due_for_step, policy_for_area, step_for

if TYPE_CHECKING:
    from cases.models import Case


def enter_level(
    case: "Case",
    now: datetime.datetime,
    *,
    policy: EscalationPolicy | None | object = LOOK_UP,
    step: EscalationStep | None | object = LOOK_UP,
) -> Deadline | None:
    """Open the time limit of the case's current level, if its policy sets one there.

    Attempt-only steps (Liuzhou "321") open no clock here: the failed attempt that
    exhausts them opens one due at once, so the sweep stays the only place that escalates.
    A caller that has read the area's policy and the level's step passes them (None: none).
    """
    if policy is LOOK_UP:
        policy = policy_for_area(case.area)
    if step is LOOK_UP:
        step = step_for(policy, case.level) if policy else None
    due = due_for_step(step, now) if step else None
    if due is None:
        return None
    return deadlines.open_deadline(
        case, Clock.ESCALATE, case.owner_unit, now, due_at=due, policy=policy
    )


def leave_level(case: "Case", now: datetime.datetime) -> None:
    """The case left its level in time (accepted above, or closed): its clock was met."""
    deadlines.close_deadlines(case, [Clock.ESCALATE], now)
