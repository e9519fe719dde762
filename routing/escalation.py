"""Moving a case up the area tree when its level's time or attempts run out.

escalate_case is called only by the sweep; record_failed_attempt (used by mediation
work) makes an exhausted level's clock due at once so that the sweep escalates it.
"""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from areas.selectors import center_for_area
from cases.errors import InvalidInput, NotAllowed
from cases.models import Case, TimelineEvent
from cases.services import acting_membership, append_event, perform_system_transition
from cases.workflow import HANDLING_ROLES, OPEN_STATUSES, Status
from clocks import deadlines
from clocks.models import Clock, Deadline, DeadlineState
from clocks.policies import attempts_exhausted, next_level, policy_for_area, step_for

from . import notices


def attempts_at_level(case: Case) -> int:
    return TimelineEvent.objects.filter(
        case=case, kind="attempt_failed", data__level=case.level
    ).count()


def record_failed_attempt(case: Case, actor, now: datetime.datetime, note: str = "") -> int:
    """Record a mediation attempt that did not resolve the case; return the count at this level."""
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("owner_unit__area", "area")
            .get(pk=case.pk)
        )
        if case.status != Status.IN_HANDLING:
            raise InvalidInput(_("Only a case in handling can record a mediation attempt."))
        membership = acting_membership(actor, case, HANDLING_ROLES)
        if membership is None:
            raise NotAllowed(_("You are not allowed to do this on this case."))
        count = attempts_at_level(case) + 1
        policy = policy_for_area(case.area)
        step = step_for(policy, case.level) if policy else None
        exhausted = bool(step and attempts_exhausted(step, count))
        append_event(
            case,
            "attempt_failed",
            now,
            actor=actor,
            actor_unit=membership.unit,
            note=note,
            data={"level": case.level, "attempt": count, "exhausted": exhausted},
        )
        if exhausted:
            open_clock = deadlines.open_deadlines(case).filter(clock=Clock.ESCALATE).first()
            if open_clock:
                Deadline.objects.filter(pk=open_clock.pk).update(due_at=now, warn_at=now)
            else:
                deadlines.open_deadline(case, Clock.ESCALATE, case.owner_unit, now, due_at=now)
    return count


def escalate_case(deadline: Deadline, now: datetime.datetime) -> bool:
    """Called by the sweep, inside its transaction, for a claimed escalation clock.

    Moves the case to the center of the next level up, with a timeline event saying why;
    the lower unit keeps read access. Returns False when there is nowhere to go (闭环 at
    the top level, or the case already left handling).
    """
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("owner_unit__area", "area")
        .get(pk=deadline.case_id)
    )
    Deadline.objects.filter(pk=deadline.pk).update(
        state=DeadlineState.MISSED, met=False, closed_at=now
    )
    policy = policy_for_area(case.area)
    target_level = next_level(policy, case.level) if policy else None
    reason = (
        "attempts"
        if TimelineEvent.objects.filter(
            case=case, kind="attempt_failed", data__level=case.level, data__exhausted=True
        ).exists()
        else "time"
    )
    target_area = case.area.ancestor_at_level(target_level) if target_level else None
    target_unit = center_for_area(target_area) if target_area else None
    if case.status not in OPEN_STATUSES or target_unit is None:
        append_event(
            case,
            "escalation_top",
            now,
            actor_unit=case.owner_unit,
            data={"level": case.level, "reason": reason},
        )
        return False
    from_unit = case.owner_unit
    case = perform_system_transition(
        case, "escalate", now, unit=target_unit, level=target_level, reason=reason
    )
    event = case.timeline.filter(kind="escalated").latest("pk")
    notices.escalated(case, from_unit, target_unit, reason, event.pk, now)
    return True
