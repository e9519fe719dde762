"""吹哨报到 (Longjing 街乡吹哨、部门报到; Wushan 部门接到吹哨24小时内响应), in six steps:
吹哨 (blow) → 报到 (report) → 会商 (meet) → 落实 (each unit's task) → 反馈 (feed back) → 评价
(evaluate). Every step is a service here; the sweep marks missed 报到 (report_missed).

The steps go in order for every unit (Shulan's 六步接办流程), and each service refuses a step
that is not due (IllegalTransition, nothing written):
- 报到 while the unit is summoned and not released;
- 会商 once, when every summoned unit has reported or been released — the joint meeting of
  the summoned departments (Wushan's 双到场: the territorial and the subject-matter side
  both present) — with a task and a due time for every unit that reported;
- 反馈 on the unit's task, so after the meeting;
- 评价 of a unit after its 反馈.
The caller may release (`release`) a unit no longer needed, with a reason, at any time before
it fed back: its open clocks close, what it missed before stays counted, nothing after. The
whistle closes when every unit is evaluated or released."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Avg, Count, Q, QuerySet
from django.utils.translation import gettext as _

from areas.models import Level, Membership, Unit, UnitKind
from cases.errors import IllegalTransition, InvalidInput, NotAllowed
from cases.models import Case, CaseUnitRelation
from cases.selectors import cases_visible_to
from cases.services import acting_membership, append_event, link_unit, routable_units
from cases.workflow import CENTER_ROLES, HANDLING_ROLES, OPEN_STATUSES
from clocks import deadlines
from clocks.models import Clock, Deadline
from jiefen.localtime import minute
from notifications.models import Kind
from notifications.services import notify, unit_staff

from .models import Summons, Whistle

DEFAULT_REPORT_HOURS = 24  # 巫山: 部门接到吹哨24小时内响应
SCORES = range(1, 6)


def caller_membership(actor, case: Case) -> Membership:
    """A clerk or leader of a town/street (or higher) center acting on the case."""
    m = acting_membership(actor, case, CENTER_ROLES)
    if m is None or m.unit.kind != UnitKind.CENTER or m.unit.area.level > Level.TOWN:
        raise NotAllowed(_("Only a town/street (or higher) center can blow the whistle."))
    return m


def _member_of(actor, unit: Unit) -> Membership:
    m = Membership.objects.filter(user=actor, unit=unit, role__in=HANDLING_ROLES).first()
    if m is None:
        raise NotAllowed(_("Only the summoned unit's staff can do this."))
    return m


def _lock(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("owner_unit__area")
        .get(pk=case.pk)
    )


def blow_whistle(
    case: Case,
    actor,
    unit_ids: list[int],
    reason: str,
    now: datetime.datetime,
    report_hours: int = DEFAULT_REPORT_HOURS,
) -> Whistle:
    """吹哨: summon departments on a case; each must report within `report_hours`."""
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Say why the units are summoned.")
    if not unit_ids:
        errors["units"] = _("Choose at least one unit.")
    if not 1 <= int(report_hours or 0) <= 24 * 30:
        errors["report_hours"] = _("Between 1 hour and 30 days.")
    if errors:
        raise InvalidInput(_("Please correct the summons."), errors)
    with transaction.atomic():
        case = _lock(case)
        if case.status not in OPEN_STATUSES:
            raise InvalidInput(_("Only an open case can have units summoned."))
        caller = caller_membership(actor, case)
        units = list(routable_units(case, actor).filter(pk__in=unit_ids).exclude(pk=caller.unit_id))
        if len(units) != len(set(unit_ids)):
            raise InvalidInput(
                _("Please correct the summons."), {"units": _("A unit cannot be summoned here.")}
            )
        busy = Summons.objects.filter(
            whistle__case=case, whistle__closed_at__isnull=True, unit__in=units
        )
        if busy.exists():
            raise InvalidInput(
                _("Please correct the summons."),
                {
                    "units": _("%(unit)s is already summoned on this case.")
                    % {"unit": busy.first().unit.name}
                },
            )
        due = now + datetime.timedelta(hours=int(report_hours))
        whistle = Whistle.objects.create(
            case=case,
            caller_unit=caller.unit,
            called_by=actor,
            reason=reason,
            called_at=now,
            report_due_at=due,
        )
        for unit in units:
            Summons.objects.create(whistle=whistle, unit=unit)
            link_unit(case, unit, CaseUnitRelation.ASSISTING, now)
            deadlines.open_deadline(case, Clock.REPORT, unit, now, due_at=due)
            notify(
                unit_staff(unit, HANDLING_ROLES),
                kind=Kind.WHISTLE,
                title=_("Summoned by %(caller)s, report by %(due)s: %(case)s")
                % {"caller": caller.unit.name, "due": minute(due), "case": case.title},
                body=reason,
                key=f"whistle:{whistle.pk}:{unit.pk}",
                now=now,
                case=case,
            )
        append_event(
            case,
            "whistle",
            now,
            actor=actor,
            actor_unit=caller.unit,
            note=reason,
            data={"units": [u.name for u in units], "report_due_at": due.isoformat()},
        )
    return whistle


def _summons_for_update(summons: Summons) -> Summons:
    """The summons and its whistle read after the case is locked (every whistle service
    locks the case first), so the checks see what concurrent acts wrote."""
    case_id = Summons.objects.filter(pk=summons.pk).values_list("whistle__case_id", flat=True)
    case = _lock(Case(pk=case_id.get()))
    summons = Summons.objects.select_related("whistle", "unit").get(pk=summons.pk)
    summons.whistle.case = case
    if summons.whistle.closed_at:
        raise InvalidInput(_("This summons is closed."))
    return summons


def _refuse_if_released(summons: Summons) -> None:
    if summons.released_at:
        raise IllegalTransition(
            _("%(unit)s was released from this summons: %(reason)s")
            % {"unit": summons.unit.name, "reason": summons.release_reason}
        )


def _close_if_settled(whistle: Whistle, now: datetime.datetime) -> bool:
    """Close the whistle once every summoned unit is evaluated or released."""
    if whistle.summonses.filter(evaluated_at__isnull=True, released_at__isnull=True).exists():
        return False
    whistle.closed_at = now
    whistle.save(update_fields=["closed_at"])
    return True


def _caller_of(whistle: Whistle, actor, case: Case, refusal: str) -> Membership:
    caller = caller_membership(actor, case)
    if caller.unit_id != whistle.caller_unit_id:
        raise NotAllowed(refusal)
    return caller


def report(summons: Summons, actor, now: datetime.datetime) -> Summons:
    """报到: the summoned unit answers; late answers stay counted as missed."""
    with transaction.atomic():
        summons = _summons_for_update(summons)
        m = _member_of(actor, summons.unit)
        _refuse_if_released(summons)
        if summons.reported_at:
            raise InvalidInput(_("Your unit has already reported."))
        case = summons.whistle.case
        deadlines.close_deadlines(case, [Clock.REPORT], now, unit=summons.unit)
        summons.reported_at, summons.reported_by = now, actor
        summons.report_missed = summons.report_missed or now > summons.whistle.report_due_at
        summons.save()
        append_event(
            case,
            "reported",
            now,
            actor=actor,
            actor_unit=m.unit,
            data={"unit": summons.unit.name, "late": summons.report_missed},
        )
    return summons


def report_missed(deadline: Deadline, now: datetime.datetime) -> None:
    """Called by the sweep when a 报到 limit passes: the unit's miss is counted."""
    Summons.objects.filter(
        whistle__case=deadline.case_id,
        unit=deadline.unit_id,
        reported_at__isnull=True,
        released_at__isnull=True,
        whistle__closed_at__isnull=True,
    ).update(report_missed=True)


@dataclass
class Task:
    summons_id: int
    text: str
    due_at: datetime.datetime


def record_meeting(
    whistle: Whistle,
    actor,
    now: datetime.datetime,
    *,
    held_at: datetime.datetime,
    place: str,
    decisions: str,
    tasks: list[Task],
) -> Whistle:
    """会商 and 落实: record the decisions and who does what by when.

    Once per whistle, after every summoned unit has reported or been released; every unit
    that reported gets a task with its due time."""
    decisions = (decisions or "").strip()
    errors = {}
    if not decisions:
        errors["decisions"] = _("Record what the meeting decided.")
    if held_at > now:
        errors["held_at"] = _("The meeting cannot be in the future.")
    tasks = [t for t in tasks if t.text.strip()]
    if not tasks:
        errors["tasks"] = _("Give at least one unit a task.")
    if any(t.due_at <= now for t in tasks):
        errors["tasks"] = _("A task's due time must be in the future.")
    if errors:
        raise InvalidInput(_("Please correct the meeting record."), errors)
    with transaction.atomic():
        case = _lock(whistle.case)
        whistle = Whistle.objects.get(pk=whistle.pk)
        if whistle.closed_at:
            raise InvalidInput(_("This summons is closed."))
        caller = _caller_of(whistle, actor, case, _("Only the calling center records the meeting."))
        if whistle.meeting_at:
            raise IllegalTransition(_("The meeting (会商) of this summons is already recorded."))
        all_summonses = list(whistle.summonses.select_related("unit"))
        waiting = [s.unit.name for s in all_summonses if not s.reported_at and not s.released_at]
        if waiting:
            raise IllegalTransition(
                _(
                    "The meeting (会商) can be recorded once every summoned unit has reported "
                    "(报到) or been released; not yet reported: %(units)s."
                )
                % {"units": "、".join(waiting)}
            )
        summonses = {s.pk: s for s in all_summonses if not s.released_at}
        if any(t.summons_id not in summonses for t in tasks):
            raise InvalidInput(
                _("Please correct the meeting record."), {"tasks": _("Unknown unit.")}
            )
        given = {t.summons_id for t in tasks}
        if without := [s.unit.name for pk, s in summonses.items() if pk not in given]:
            raise InvalidInput(
                _("Please correct the meeting record."),
                {
                    "tasks": _("Give every unit that reported a task, or release it: %(units)s.")
                    % {"units": "、".join(without)}
                },
            )
        whistle.meeting_at, whistle.meeting_place, whistle.decisions = held_at, place, decisions
        whistle.save()
        for t in tasks:
            s = summonses[t.summons_id]
            s.task, s.task_due_at = t.text.strip(), t.due_at
            s.save()
            deadlines.open_deadline(case, Clock.FEEDBACK, s.unit, now, due_at=t.due_at)
            notify(
                unit_staff(s.unit, HANDLING_ROLES),
                kind=Kind.WHISTLE,
                title=_("Task from the meeting, feed back by %(due)s: %(case)s")
                % {"due": minute(t.due_at), "case": case.title},
                body=s.task,
                key=f"whistle-task:{s.pk}:{t.due_at.isoformat()}",
                now=now,
                case=case,
            )
        append_event(
            case,
            "whistle_meeting",
            now,
            actor=actor,
            actor_unit=caller.unit,
            note=decisions,
            data={"tasks": {summonses[t.summons_id].unit.name: t.text for t in tasks}},
        )
    return whistle


def feed_back(summons: Summons, actor, text: str, now: datetime.datetime) -> Summons:
    """反馈: the unit reports what it did about its task."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("Please write your feedback."), {"feedback": _("Required.")})
    with transaction.atomic():
        summons = _summons_for_update(summons)
        m = _member_of(actor, summons.unit)
        _refuse_if_released(summons)
        if not summons.task:
            raise IllegalTransition(
                _(
                    "Your unit has no task yet: feed back (反馈) after the meeting (会商) has "
                    "given your unit its task."
                )
            )
        if summons.feedback_at:
            raise InvalidInput(_("Your unit has already fed back."))
        case = summons.whistle.case
        deadlines.close_deadlines(case, [Clock.FEEDBACK], now, unit=summons.unit)
        summons.feedback, summons.feedback_at = text, now
        summons.feedback_late = now > summons.task_due_at
        summons.save()
        append_event(
            case,
            "whistle_feedback",
            now,
            actor=actor,
            actor_unit=m.unit,
            note=text,
            data={"unit": summons.unit.name, "late": summons.feedback_late},
        )
    return summons


def evaluate(summons: Summons, actor, score: int, note: str, now: datetime.datetime) -> Summons:
    """评价: the calling center scores one unit (1–5) after the unit's 反馈; the whistle closes
    when every unit is evaluated or released."""
    if score not in SCORES:
        raise InvalidInput(_("Please correct the evaluation."), {"score": _("From 1 to 5.")})
    with transaction.atomic():
        summons = _summons_for_update(summons)
        whistle = summons.whistle
        case = whistle.case
        caller = _caller_of(whistle, actor, case, _("Only the calling center evaluates."))
        _refuse_if_released(summons)
        if summons.evaluated_at:
            raise InvalidInput(_("This unit is already evaluated."))
        if not summons.feedback_at:
            raise IllegalTransition(
                _(
                    "%(unit)s has not fed back (反馈) yet: a unit is evaluated (评价) after its "
                    "feedback on the meeting's task."
                )
                % {"unit": summons.unit.name}
            )
        summons.score, summons.evaluation, summons.evaluated_at = score, note.strip(), now
        summons.save()
        data = {"unit": summons.unit.name, "score": score}
        if _close_if_settled(whistle, now):
            data["closed"] = True
        append_event(
            case,
            "whistle_evaluated",
            now,
            actor=actor,
            actor_unit=caller.unit,
            note=note,
            data=data,
        )
    return summons


def release(summons: Summons, actor, reason: str, now: datetime.datetime) -> Summons:
    """The calling center releases a summoned unit that is no longer needed, with a reason,
    before the unit fed back: its open clocks close (what it missed before stays counted,
    nothing after), and it counts as settled for closing the whistle."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the unit is released."), {"reason": _("Required.")})
    with transaction.atomic():
        summons = _summons_for_update(summons)
        whistle = summons.whistle
        case = whistle.case
        caller = _caller_of(whistle, actor, case, _("Only the calling center releases a unit."))
        _refuse_if_released(summons)
        if summons.evaluated_at or summons.feedback_at:
            raise IllegalTransition(
                _("%(unit)s has already fed back: evaluate it (评价) instead of releasing it.")
                % {"unit": summons.unit.name}
            )
        # Misses before the release stay counted (the sweep may not have run yet).
        if not summons.reported_at and now > whistle.report_due_at:
            summons.report_missed = True
        if summons.task_due_at and now > summons.task_due_at:
            summons.feedback_late = True
        deadlines.cancel_deadlines(case, [Clock.REPORT, Clock.FEEDBACK], now, unit=summons.unit)
        summons.released_at, summons.released_by, summons.release_reason = now, actor, reason
        summons.save()
        data = {"unit": summons.unit.name}
        if _close_if_settled(whistle, now):
            data["closed"] = True
        notify(
            unit_staff(summons.unit, HANDLING_ROLES),
            kind=Kind.WHISTLE,
            title=_("Released from the summons by %(caller)s: %(case)s")
            % {"caller": caller.unit.name, "case": case.title},
            body=reason,
            key=f"whistle-release:{summons.pk}",
            now=now,
            case=case,
        )
        append_event(
            case,
            "whistle_released",
            now,
            actor=actor,
            actor_unit=caller.unit,
            note=reason,
            data=data,
        )
    return summons


def unit_counts(
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    visible_to=None,
) -> QuerySet:
    """Per summoned unit: times summoned, missed 报到, late feedback, average score —
    for whistles blown in [start, end) (on the cases `visible_to` can see)."""
    qs = Summons.objects.all()
    if visible_to is not None:
        qs = qs.filter(whistle__case__in=cases_visible_to(visible_to))
    if start:
        qs = qs.filter(whistle__called_at__gte=start)
    if end:
        qs = qs.filter(whistle__called_at__lt=end)
    return (
        qs.values("unit_id", "unit__name")
        .annotate(
            summoned=Count("pk"),
            missed_reports=Count("pk", filter=Q(report_missed=True)),
            late_feedback=Count("pk", filter=Q(feedback_late=True)),
            average_score=Avg("score"),
        )
        .order_by("-missed_reports", "-late_feedback", "unit__name")
    )


def open_summonses_for(user) -> QuerySet:
    """Summonses of the user's units still waiting for them (报到 or feedback)."""
    return Summons.objects.filter(
        unit__memberships__user=user,
        whistle__closed_at__isnull=True,
        released_at__isnull=True,
    ).filter(Q(reported_at__isnull=True) | Q(task__gt="", feedback_at__isnull=True))
