"""包案, 一案一专班, 一案一策: a leader in charge of a case, a task force drawn from several
units, a written plan, and progress reports on a schedule (the `progress` clock).

The leader and each task-force member read the case while the assignment lasts — that
person, not their whole unit (`task_force_cases`, registered as a case reader with `cases`);
ending the assignment ends it.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from areas.models import Membership, Role
from cases.errors import InvalidInput, NotAllowed
from cases.models import Case, CaseUnit, CaseUnitRelation
from cases.services import acting_membership, append_event, routable_units
from cases.workflow import CENTER_ROLES, OPEN_STATUSES
from clocks import deadlines
from clocks.models import Clock
from jiefen.localtime import LOCAL_TZ

from .models import Assignment, PlanMeasure, ProgressReport, TaskForceMember

MAX_MEMBERS = 20


@dataclass
class MeasureInput:
    text: str = ""
    responsible: str = ""
    due_date: datetime.date | None = None


@dataclass
class MemberInput:
    user_id: int | None = None
    role: str = ""


@dataclass
class AssignmentInput:
    leader_id: int | None = None
    report_days: int = 7
    members: list[MemberInput] = field(default_factory=list)
    measures: list[MeasureInput] = field(default_factory=list)


def eligible_memberships(case: Case, actor) -> QuerySet[Membership]:
    """Who can lead or serve: staff of the units a case can be dispatched to."""
    return Membership.objects.filter(
        unit__in=routable_units(case, actor), user__is_active=True
    ).select_related("user", "unit")


def current(case: Case) -> Assignment | None:
    return (
        Assignment.objects.filter(case=case, ended_at__isnull=True)
        .select_related("leader", "leader_unit")
        .first()
    )


def assign(actor, case: Case, data: AssignmentInput, now: datetime.datetime) -> Assignment:
    """A center assigns a leader, a task force and a plan to an open case."""
    errors: dict[str, str] = {}
    eligible = eligible_memberships(case, actor)
    leader_m = (
        eligible.filter(user_id=data.leader_id, role__in=[Role.LEADER, Role.CLERK])
        .order_by("-role")
        .first()
        if data.leader_id
        else None
    )
    if leader_m is None:
        errors["leader_id"] = _("Choose the leader in charge.")
    if not data.report_days or data.report_days < 1:
        errors["report_days"] = _("At least 1 day.")
    members = []
    for i, m in enumerate(data.members[:MAX_MEMBERS]):
        if not m.user_id:
            continue
        mm = eligible.filter(user_id=m.user_id).first()
        if mm is None:
            errors[f"members[{i}].user_id"] = _("Not a member of a unit that can take part.")
        elif not (m.role or "").strip():
            errors[f"members[{i}].role"] = _("Give the member's role.")
        else:
            members.append((mm, m.role.strip()[:40]))
    measures = []
    today = now.astimezone(LOCAL_TZ).date()
    for i, m in enumerate(data.measures):
        text = (m.text or "").strip()
        if not text:
            continue
        if not (m.responsible or "").strip():
            errors[f"measures[{i}].responsible"] = _("Name who is responsible.")
        if m.due_date is None or m.due_date < today:
            errors[f"measures[{i}].due_date"] = _("Give a due date from today on.")
        measures.append(m)
    if not measures:
        errors.setdefault("measures", _("Write at least one measure of the plan."))
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors)
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("owner_unit__area", "area")
            .get(pk=case.pk)
        )
        membership = acting_membership(actor, case, CENTER_ROLES)
        if membership is None or not membership.unit.is_territorial:
            raise NotAllowed(_("Only a governance center assigns a leader in charge."))
        if case.status not in OPEN_STATUSES and case.status != "stabilised":
            raise InvalidInput(_("The case is closed."))
        if current(case) is not None:
            raise InvalidInput(
                _("The case already has a leader in charge."),
                {"leader_id": _("End the current assignment first.")},
            )
        a = Assignment.objects.create(
            case=case,
            leader=leader_m.user,
            leader_unit=leader_m.unit,
            report_days=data.report_days,
            assigned_at=now,
            assigned_by=actor,
        )
        TaskForceMember.objects.bulk_create(
            [TaskForceMember(assignment=a, user=m.user, unit=m.unit, role=r) for m, r in members]
        )
        PlanMeasure.objects.bulk_create(
            [
                PlanMeasure(
                    assignment=a,
                    text=m.text.strip()[:200],
                    responsible=m.responsible.strip()[:80],
                    due_date=m.due_date,
                )
                for m in measures
            ]
        )
        # 包案 is how a red case is taken in hand (巫山's plan): that obligation is met.
        deadlines.close_deadlines(case, [Clock.RISK_HANDLE], now)
        deadlines.open_deadline(
            case, Clock.PROGRESS, leader_m.unit, now, limit=datetime.timedelta(days=a.report_days)
        )
        append_event(
            case,
            "assigned_leader",
            now,
            actor=actor,
            actor_unit=membership.unit,
            data={
                "leader": leader_m.user.get_full_name() or leader_m.user.username,
                "units": sorted({m.unit.name for m, _r in members}),
                "measures": [m.text for m in measures],
            },
        )
    return a


def report_progress(actor, a: Assignment, text: str, now: datetime.datetime) -> ProgressReport:
    """The leader (or a member) reports progress: the clock is met and runs again."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput(
            _("Please correct the marked fields."), {"text": _("Describe the progress.")}
        )
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).get(pk=a.case_id)
        a = Assignment.objects.select_for_update().get(pk=a.pk)
        if a.ended_at:
            raise InvalidInput(_("The assignment has ended."))
        if actor.pk != a.leader_id and not a.members.filter(user=actor).exists():
            raise NotAllowed(_("You are not allowed to do this."))
        report = ProgressReport.objects.create(assignment=a, at=now, by=actor, text=text)
        deadlines.close_deadlines(case, [Clock.PROGRESS], now)
        deadlines.open_deadline(
            case, Clock.PROGRESS, a.leader_unit, now, limit=datetime.timedelta(days=a.report_days)
        )
        append_event(case, "progress_reported", now, actor=actor, note=text)
    return report


def complete_measure(actor, measure: PlanMeasure, now: datetime.datetime) -> None:
    with transaction.atomic():
        measure = (
            PlanMeasure.objects.select_for_update().select_related("assignment").get(pk=measure.pk)
        )
        a = measure.assignment
        if actor.pk != a.leader_id and not a.members.filter(user=actor).exists():
            raise NotAllowed(_("You are not allowed to do this."))
        if measure.done_at:
            raise InvalidInput(_("This measure is already done."))
        measure.done_at = now
        measure.save(update_fields=["done_at"])
        append_event(a.case, "measure_done", now, actor=actor, note=measure.text)


def end_assignment(actor, a: Assignment, reason: str, now: datetime.datetime) -> None:
    """The assignment ends: the progress clock closes, the task force's read access ends."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Please give a reason or a note."), {"reason": _("Give the reason.")})
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("owner_unit__area", "area")
            .get(pk=a.case_id)
        )
        membership = acting_membership(actor, case, CENTER_ROLES)
        if membership is None and actor.pk != a.leader_id:
            raise NotAllowed(_("You are not allowed to do this."))
        a = Assignment.objects.select_for_update().get(pk=a.pk)
        if a.ended_at:
            raise InvalidInput(_("The assignment has ended."))
        a.ended_at, a.end_reason = now, reason
        a.save(update_fields=["ended_at", "end_reason"])
        deadlines.cancel_deadlines(case, [Clock.PROGRESS], now)
        # Unit links of assignments made before read access went to the members themselves.
        CaseUnit.objects.filter(case=case, relation=CaseUnitRelation.TASK_FORCE).delete()
        append_event(case, "assignment_ended", now, actor=actor, note=reason)


def task_force_cases(user) -> Q | None:
    """The cases this user leads or is a task-force member of, while assigned (cases reader)."""
    if not getattr(user, "pk", None):
        return None
    ids = set(
        Assignment.objects.filter(ended_at__isnull=True)
        .filter(Q(leader_id=user.pk) | Q(members__user_id=user.pk))
        .values_list("case_id", flat=True)
    )
    return Q(pk__in=sorted(ids)) if ids else None


def led_by(user) -> QuerySet[Assignment]:
    """The open assignments a leader is in charge of ("my 包案 cases")."""
    return (
        Assignment.objects.filter(leader=user, ended_at__isnull=True)
        .annotate(case_rank=Coalesce(F("case__risk__rank"), Value(0)))
        .select_related("case__area", "case__owner_unit")
        .prefetch_related("measures", "members__user", "members__unit")
    )
