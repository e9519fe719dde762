"""Follow-up (回访) and performance (履行) writes: lock the case, check, write, timeline event,
in one transaction, as every case service does.

Closing a case opens its first visit clock by the region's setting (a step of the closing
transition, so the figures recorded with the closing see it); a visit meets the clock whose
window has begun; a red or orange case then owes a second visit on a later day; a visit that
finds the dispute flared up again reopens or escalates the case through the state machine.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from areas.models import Area, Role
from areas.selectors import center_for_area
from cases.errors import InvalidInput, NotAllowed
from cases.models import Case, Party
from cases.registry import Outcome, Satisfaction, kinds_with_outcome
from cases.services import (
    acting_membership,
    append_event,
    perform_system_transition,
)
from cases.workflow import HANDLING_ROLES, OUTCOME_STATUSES, Status
from clocks import deadlines
from clocks.calendar import end_of_day
from clocks.models import Clock, Deadline, DeadlineState
from clocks.policies import next_level, policy_for_area
from jiefen.localtime import LOCAL_TZ, minute
from mediation.models import Agreement, AgreementForm, Confirmation
from mediation.services import prepare_confirmation
from risk.models import RANK
from risk.services import grade_of

from .models import (
    FollowUpSetting,
    GradeFrom,
    Performance,
    PerformanceResult,
    Rebound,
    ReboundAction,
    Remedy,
    Visit,
    VisiteeKind,
    VisitMethod,
)

VISIT_ROLES = HANDLING_ROLES | {Role.GRID_WORKER}
# A visit is made to a closed case (稳控 included) and to one already followed up (走访三家).
VISITABLE = {*OUTCOME_STATUSES, Status.FOLLOWED_UP}
NEEDS_FOLLOW_UP = {
    Status.RESOLVED: "after_resolved",
    Status.STABILISED: "after_stabilised",
    Status.TRANSFERRED: "after_transferred",
    Status.TERMINATED: "after_terminated",
}
# The closing transitions that open the follow-up (declining at intake and 私事 guidance
# close a case nobody handled: nothing to follow up).
CLOSING_TRANSITIONS = ("resolve", "settle_at_grid", "stabilise", "transfer", "terminate")
MAX_TEXT = 2000


def setting_for(area: Area) -> FollowUpSetting:
    """The setting of the area or its nearest ancestor. Where no region has set one, no
    visit is owed (the obligation is the region's decision), and a visit that is made
    follows the default rules (not within a day of the closing; a rebound reopens)."""
    chain = area.ancestor_ids
    by_area = {s.area_id: s for s in FollowUpSetting.objects.filter(area_id__in=chain)}
    for area_id in reversed(chain):  # the path runs from the root down: the last is nearest
        if area_id in by_area:
            return by_area[area_id]
    return FollowUpSetting(
        area=area, after_resolved=False, after_stabilised=False, second_from_grade=""
    )


def local_date(at: datetime.datetime) -> datetime.date:
    return at.astimezone(LOCAL_TZ).date()


def closing_time(case: Case) -> datetime.datetime | None:
    """When the case reached the outcome it stands at (its latest closing event)."""
    kinds = kinds_with_outcome(Outcome.MEDIATED, Outcome.NOT_MEDIATED)
    event = case.timeline.filter(kind__in=kinds).order_by("-at", "-pk").first()
    return event.at if event else case.closed_at


def wants_second_visit(case: Case, setting: FollowUpSetting) -> bool:
    if setting.second_from_grade == GradeFrom.NONE:
        return False
    return RANK.get(grade_of(case), 0) >= RANK[setting.second_from_grade]


# ---------------------------------------------------------------- clocks


def open_follow_up(case, actor, actor_unit, now, note, params) -> dict:
    """A step of each closing transition: the first visit clock, if the region's setting
    wants one for this outcome (a clock still open from an earlier closing is replaced);
    resolving with an agreement that names a performance date opens its check."""
    deadlines.cancel_deadlines(case, [Clock.VISIT], now)
    out = {}
    if case.status == Status.RESOLVED:
        out.update(_open_performance_check(case, now))
    setting = setting_for(case.area)
    if not getattr(setting, NEEDS_FOLLOW_UP.get(case.status, ""), False):
        return out
    due = end_of_day(local_date(now) + datetime.timedelta(days=setting.first_within_days))
    deadlines.open_deadline(case, Clock.VISIT, case.owner_unit, now, due_at=due)
    return {**out, "visit_due": minute(due)}


def _open_performance_check(case: Case, now: datetime.datetime) -> dict:
    pending = (
        Agreement.objects.filter(case=case, performance_due__isnull=False, performance=None)
        .order_by("performance_due")
        .first()
    )
    if pending is None or deadlines.open_deadlines(case).filter(clock=Clock.PERFORM).exists():
        return {}
    due = end_of_day(pending.performance_due)
    deadlines.open_deadline(case, Clock.PERFORM, case.owner_unit, now, due_at=due)
    return {"performance_due": pending.performance_due.isoformat()}


def end_follow_up(case, actor, actor_unit, now, note, params) -> dict:
    """A step of reopening and archiving: the visits still owed are no longer owed (one
    already past its time stays counted as missed)."""
    deadlines.cancel_deadlines(case, [Clock.VISIT], now)
    return {}


# ---------------------------------------------------------------- visits


@dataclass
class VisitInput:
    visited_at: datetime.datetime | None
    visitee_kind: str
    method: str
    findings: str
    rebound: str
    party_id: int | None = None
    visitee_name: str = ""
    satisfaction: str = ""


def _lock(case_pk: int) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("owner_unit__area", "area")
        .get(pk=case_pk)
    )


def _check_visit(case: Case, data: VisitInput, now: datetime.datetime, setting) -> dict:
    errors: dict[str, str] = {}
    if data.visitee_kind not in VisiteeKind.values:
        errors["visitee_kind"] = _("Choose whom you visited.")
    if data.method not in VisitMethod.values:
        errors["method"] = _("Choose how the visit was made.")
    if data.rebound not in Rebound.values:
        errors["rebound"] = _("Say whether the dispute shows signs of rebound.")
    if data.satisfaction and data.satisfaction not in Satisfaction.values:
        errors["satisfaction"] = _("Choose satisfied, basically satisfied or unsatisfied.")
    findings = (data.findings or "").strip()
    if not findings:
        errors["findings"] = _("Write down what the visit found.")
    elif len(findings) > MAX_TEXT:
        errors["findings"] = _("At most %(n)d characters.") % {"n": MAX_TEXT}
    party = None
    if data.visitee_kind == VisiteeKind.PARTY:
        party = Party.objects.filter(case=case, pk=data.party_id or 0).first()
        if party is None:
            errors["party_id"] = _("Choose the party you visited.")
    elif not (data.visitee_name or "").strip():
        errors["visitee_name"] = _("Enter the name of the person you visited.")
    elif len(data.visitee_name.strip()) > Visit._meta.get_field("visitee_name").max_length:
        errors["visitee_name"] = _("At most %(n)d characters.") % {"n": 50}
    closed_at = closing_time(case)
    at = data.visited_at
    if at is None:
        errors["visited_at"] = _("Enter when the visit was made.")
    elif at > now:
        errors["visited_at"] = _("A visit cannot be recorded before it is made.")
    elif closed_at is not None and at <= closed_at:
        errors["visited_at"] = _(
            "A follow-up visit comes after the closing (%(closed)s): enter when it was made."
        ) % {"closed": minute(closed_at)}
    elif closed_at is not None and at < closed_at + datetime.timedelta(
        hours=setting.earliest_after_hours
    ):
        errors["visited_at"] = _(
            "This region visits no earlier than %(hours)d hours after the closing "
            "(%(closed)s): a visit checks whether the dispute flares up again."
        ) % {"hours": setting.earliest_after_hours, "closed": minute(closed_at)}
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors)
    return {"party": party, "findings": findings}


def record_visit(case: Case, actor, now: datetime.datetime, data: VisitInput) -> Visit:
    """Record one follow-up visit; see the module's doc for its consequences."""
    with transaction.atomic():
        case = _lock(case.pk)
        membership = acting_membership(actor, case, VISIT_ROLES)
        if membership is None:
            raise NotAllowed(_("You are not allowed to do this on this case."))
        if case.status not in VISITABLE:
            raise InvalidInput(
                _("A follow-up visit is made once the case is closed (it is “%(status)s”).")
                % {"status": Status(case.status).label}
            )
        setting = setting_for(case.area)
        checked = _check_visit(case, data, now, setting)
        party = checked["party"]
        at = data.visited_at
        clock = (
            Deadline.objects.select_for_update()
            .filter(case=case, clock=Clock.VISIT, state=DeadlineState.OPEN, started_at__lte=at)
            .order_by("due_at", "pk")
            .first()
        )
        visit = Visit.objects.create(
            case=case,
            deadline=clock,
            visited_at=at,
            visitee_kind=data.visitee_kind,
            party=party,
            visitee_name=party.name if party else data.visitee_name.strip(),
            method=data.method,
            findings=checked["findings"],
            satisfaction=data.satisfaction or "",
            rebound=data.rebound,
            visitor=actor,
            visitor_unit=membership.unit,
            recorded_at=now,
        )
        event_data = {
            "visit": visit.pk,
            "visitee": visit.visitee_name,
            "method": visit.method,
            "rebound": visit.rebound,
            "visited_at": visit.visited_at.isoformat(),
        }
        if visit.satisfaction:
            event_data["satisfaction"] = visit.satisfaction
        if clock is not None:
            met = at <= clock.due_at
            Deadline.objects.filter(pk=clock.pk).update(
                state=DeadlineState.MET if met else DeadlineState.MISSED, met=met, closed_at=now
            )
            event_data["on_time"] = met
            # The first clock of this closing met: a red or orange case owes a second visit.
            since = closing_time(case) or clock.started_at
            first = (
                Deadline.objects.filter(case=case, clock=Clock.VISIT, started_at__gte=since)
                .exclude(pk=clock.pk)
                .count()
                == 0
            )
            if first and visit.rebound != Rebound.REBOUNDED and wants_second_visit(case, setting):
                event_data["second_due"] = minute(_open_second(case, setting, at, now))
        append_event(
            case,
            "visit_recorded",
            now,
            actor=actor,
            actor_unit=membership.unit,
            note=visit.findings,
            data=event_data,
        )
        if visit.rebound == Rebound.REBOUNDED:
            _rebound(case, actor, now, setting, visit)
        elif case.status in OUTCOME_STATUSES and not (
            deadlines.open_deadlines(case).filter(clock=Clock.VISIT).exists()
        ):
            perform_system_transition(
                case, "follow_up", now, actor=actor, note=_("Follow-up visits made.")
            )
    return visit


def _open_second(case: Case, setting, first_at: datetime.datetime, now) -> datetime.datetime:
    """The second visit's clock: its window opens the day after the first visit."""
    opens = end_of_day(local_date(first_at)) + datetime.timedelta(microseconds=1)
    closed_on = local_date(closing_time(case) or first_at)
    due = end_of_day(closed_on + datetime.timedelta(days=setting.second_within_days))
    due = max(due, end_of_day(local_date(opens)))
    deadlines.open_deadline(case, Clock.VISIT, case.owner_unit, opens, due_at=due)
    return due


def _rebound(case: Case, actor, now, setting, visit: Visit) -> None:
    """反弹: the visits still owed lapse, and the case is handled again (the setting says
    where); at the top level, or where no center is above, it is reopened where it is."""
    deadlines.cancel_deadlines(case, [Clock.VISIT], now)
    note = _("Follow-up visit to %(name)s: %(findings)s") % {
        "name": visit.visitee_name,
        "findings": visit.findings,
    }
    if setting.rebound_action == ReboundAction.ESCALATE:
        policy = policy_for_area(case.area)
        level = next_level(policy, case.level) if policy else case.level - 1
        area = case.area.ancestor_at_level(level) if level else None
        unit = center_for_area(area) if area else None
        if unit is not None and unit.pk != case.owner_unit_id:
            perform_system_transition(
                case, "escalate_on_rebound", now, actor=actor, note=note, unit=unit, level=level
            )
            return
    perform_system_transition(case, "reopen_on_rebound", now, actor=actor, note=note)


def visits_of(case: Case):
    return Visit.objects.filter(case=case).select_related("visitor", "visitor_unit", "party")


def open_visit_clocks(case: Case):
    return deadlines.open_deadlines(case).filter(clock=Clock.VISIT).order_by("due_at")


# ---------------------------------------------------------------- performance (履行)


def pending_agreements(case: Case):
    """The case's agreements with a performance date whose performance is not recorded."""
    return Agreement.objects.filter(
        case=case, performance_due__isnull=False, performance=None
    ).order_by("performance_due", "pk")


def record_performance(
    agreement: Agreement,
    actor,
    now: datetime.datetime,
    result: str,
    note: str = "",
    remedy: str = "",
) -> Performance:
    """The mediator records whether the agreement was performed; not (or partly) performed
    names the route the parties are pointed to: 司法确认 (prepared here, through the
    mediation app's own act) or a lawsuit."""
    with transaction.atomic():
        case = _lock(agreement.case_id)
        agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
        membership = acting_membership(actor, case, HANDLING_ROLES)
        if membership is None:
            raise NotAllowed(_("You are not allowed to do this on this case."))
        if Performance.objects.filter(agreement=agreement).exists():
            raise InvalidInput(_("The performance of this agreement is already recorded."))
        errors: dict[str, str] = {}
        note = (note or "").strip()
        if result not in PerformanceResult.values:
            errors["result"] = _("Choose performed, partly performed or not performed.")
        if remedy not in Remedy.values:
            errors["remedy"] = _("Unknown route.")
        today = local_date(now)
        if result != PerformanceResult.PERFORMED:
            if agreement.performance_due and today < agreement.performance_due:
                errors["result"] = _(
                    "The agreement is to be performed by %(day)s: it cannot be found not "
                    "performed before then."
                ) % {"day": agreement.performance_due.isoformat()}
            if not note:
                errors["note"] = _("Say what was not performed.")
            if remedy == Remedy.CONFIRMATION and (
                agreement.form != AgreementForm.WRITTEN
                or Confirmation.objects.filter(agreement=agreement).exists()
            ):
                errors["remedy"] = _(
                    "Only a written agreement not yet sent for confirmation can be confirmed."
                )
        elif remedy:
            errors["remedy"] = _("A performed agreement needs no further route.")
        if len(note) > MAX_TEXT:
            errors["note"] = _("At most %(n)d characters.") % {"n": MAX_TEXT}
        if errors:
            raise InvalidInput(_("Please correct the marked fields."), errors)
        performance = Performance.objects.create(
            agreement=agreement,
            result=result,
            note=note,
            remedy=remedy,
            recorded_at=now,
            recorded_by=actor,
            recorded_unit=membership.unit,
        )
        deadlines.close_deadlines(case, [Clock.PERFORM], now)
        following = pending_agreements(case).first()
        if following is not None:
            due = end_of_day(following.performance_due)
            deadlines.open_deadline(case, Clock.PERFORM, case.owner_unit, now, due_at=due)
        append_event(
            case,
            "performance_recorded",
            now,
            actor=actor,
            actor_unit=membership.unit,
            note=f"{agreement.number}：{PerformanceResult(result).label}"
            + (f"。{note}" if note else ""),
            data={"agreement": agreement.number, "performance": result, "remedy": remedy},
        )
        if remedy == Remedy.CONFIRMATION:
            prepare_confirmation(agreement, actor, now)
    return performance
