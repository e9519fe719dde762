"""Reading escalation policies: which policy governs an area, and what a step allows.

A policy is configuration (EscalationPolicy + EscalationStep rows), so time-based
(Wushan: grid 3 days → village 24 hours → town 10 days) and attempt-based (Liuzhou
"321": village 3 attempts, town 2, district 1) regions differ only in data.
"""

import datetime

from areas.models import Area

from .calendar import add_limit
from .models import EscalationPolicy, EscalationStep, PolicyArea


def policy_for_area(area: Area) -> EscalationPolicy | None:
    """The active policy assigned to the area or its nearest ancestor (a county may override its city)."""
    chain = area.ancestor_ids
    by_area = {
        pa.area_id: pa.policy
        for pa in PolicyArea.objects.filter(
            area_id__in=chain, policy__is_active=True
        ).select_related("policy")
    }
    # The path runs from the root down, so the last hit is the nearest.
    for area_id in reversed(chain):
        if area_id in by_area:
            return by_area[area_id]
    return None


def step_for(policy: EscalationPolicy, level: int) -> EscalationStep | None:
    return policy.steps.filter(level=level).first()


def next_level(policy: EscalationPolicy, level: int) -> int | None:
    """The level the case moves up to from `level`, or None when `level` is the last (闭环).

    It is the first step, in the policy's order, that is above `level`; so a level the
    policy skips (a grid under "321") hands over to the lowest level the policy has.
    """
    for step_level in policy.steps.order_by("order").values_list("level", flat=True):
        if step_level < level:  # a smaller number is a higher level
            return step_level
    return None


def due_for_step(step: EscalationStep, entered_at: datetime.datetime) -> datetime.datetime | None:
    """When the step's time runs out for a case that reached its level at `entered_at`."""
    if step.time_limit is None:
        return None
    return add_limit(entered_at, step.time_limit, step.time_unit)


def attempts_exhausted(step: EscalationStep, attempts: int) -> bool:
    """Whether `attempts` failed attempts at this level use up the step ("321": 3 at village)."""
    return step.max_attempts is not None and attempts >= step.max_attempts
