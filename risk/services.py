"""Every write of the risk app: lock, check, write, timeline event — in one transaction.

A grade change opens or closes its response plan's obligations as clocks (clocks.Deadline):
the sweep reminds, marks them overdue and, through `plan_missed`, tells the centers above
once, like every other clock.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from areas.models import Role, Unit
from areas.selectors import center_for_area
from cases.errors import InvalidInput, NotAllowed
from cases.models import Case
from cases.services import acting_membership, append_event
from cases.workflow import CENTER_ROLES, HANDLING_ROLES
from clocks import deadlines
from clocks.models import Clock, Deadline, DeadlineState
from notifications.models import Kind
from notifications.services import notify, unit_leaders, unit_staff

from . import rules as rule_engine
from .models import RANK, CaseRisk, Grade, KeyPerson, KeyPersonCase, LinkSource, RiskPlan, RiskRule
from .models import Source as GradeSource

# Who may set a grade: the center staff acting on the case, or the handling unit's staff.
GRADE_ROLES = CENTER_ROLES | HANDLING_ROLES
REASON_MAX = 500


def grade_of(case: Case) -> str:
    risk = CaseRisk.objects.filter(case=case).first()
    return risk.grade if risk else Grade.NONE


def centers_above(unit: Unit, levels: int) -> list[Unit]:
    """The governance centers of the `levels` areas above the unit's own."""
    found: list[Unit] = []
    area = unit.area
    while area.parent_id and len(found) < levels:
        area = area.parent
        center = center_for_area(area)
        if center and center.area_id == area.pk and center.pk != unit.pk:
            found.append(center)
    return found


def _staff(units: list[Unit]) -> set:
    users: set = set()
    for unit in units:
        users |= set(unit_staff(unit, [Role.CLERK, Role.LEADER]))
    return users


def _write_grade(
    case: Case,
    grade: str,
    now: datetime.datetime,
    *,
    actor=None,
    actor_unit: Unit | None = None,
    reason: str = "",
    source: str = GradeSource.MANUAL,
    rules: list[str] | None = None,
    extra: dict | None = None,
) -> None:
    """Write the new grade on the locked case and open or close the plan's obligations."""
    risk = CaseRisk.objects.select_for_update().filter(case=case).first()
    before = risk.grade if risk else Grade.NONE
    if risk is None:
        risk = CaseRisk(case=case)
    risk.grade, risk.rank, risk.source = grade, RANK[grade], source
    risk.reason, risk.rules, risk.set_at, risk.set_by = reason, rules or [], now, actor
    risk.save()
    raised = RANK[grade] > RANK[before]
    # A raised grade supersedes the old plan's obligations; a lowered one lifts them.
    closed = deadlines.cancel_deadlines(case, deadlines.RISK_CLOCKS, now)
    opened = []
    plan = RiskPlan.objects.filter(grade=grade).first() if raised else None
    if plan is not None:
        owner = case.owner_unit
        for clock, hours in (
            (Clock.RISK_REPORT, plan.report_hours),
            (Clock.RISK_HANDLE, plan.handle_hours),
        ):
            if hours:
                deadlines.open_deadline(
                    case, clock, owner, now, limit=datetime.timedelta(hours=hours)
                )
                opened.append(clock)
    append_event(
        case,
        "risk_graded",
        now,
        actor=actor,
        actor_unit=actor_unit,
        note=reason,
        data={
            "grade": [str(Grade(before).label), str(Grade(grade).label)],
            "rules": rules or [],
            "obligations_opened": len(opened),
            "obligations_closed": closed,
            **(extra or {}),
        },
    )
    if plan is not None:
        _tell(case, plan, now)


def _tell(case: Case, plan: RiskPlan, now: datetime.datetime) -> None:
    """The plan's 'who is told at once': the unit, its leader, the centers above."""
    owner = case.owner_unit
    recipients = set(unit_staff(owner, HANDLING_ROLES)) | set(unit_leaders(owner))
    recipients |= _staff(centers_above(owner, plan.notify_levels_up))
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Risk warning %(grade)s: %(case)s") % {
            "grade": Grade(plan.grade).label,
            "case": case.title,
        }
        body = "\n".join([case.code, *plan.measure_list()])
    notify(
        recipients,
        kind=Kind.RISK,
        title=title,
        body=body,
        key=f"risk:{case.pk}:{plan.grade}:{now.isoformat()}",
        now=now,
        case=case,
    )


def set_grade(case: Case, actor, grade: str, reason: str, now: datetime.datetime) -> CaseRisk:
    """A clerk sets the case's risk grade, with a reason."""
    reason = (reason or "").strip()
    errors = {}
    if grade not in Grade.values:
        errors["grade"] = _("Choose red, orange, yellow or no risk.")
    if not reason:
        errors["reason"] = _("Give the reason for the grade.")
    elif len(reason) > REASON_MAX:
        errors["reason"] = _("At most 500 characters.")
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors)
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("owner_unit__area", "area")
            .get(pk=case.pk)
        )
        membership = acting_membership(actor, case, GRADE_ROLES)
        if membership is None:
            raise NotAllowed(_("You are not allowed to do this on this case."))
        if grade == grade_of(case):
            raise InvalidInput(
                _("The case already has this grade."), {"grade": _("Choose another grade.")}
            )
        _write_grade(case, grade, now, actor=actor, actor_unit=membership.unit, reason=reason)
    return CaseRisk.objects.get(case=case)


def close_obligation(case: Case, actor, clock: str, note: str, now: datetime.datetime) -> int:
    """The case was reported up, or taken in hand: its plan's clock of that kind closes."""
    if clock not in deadlines.RISK_CLOCKS:
        raise InvalidInput(_("Unknown obligation."), {"clock": _("Unknown obligation.")})
    note = (note or "").strip()
    if not note:
        raise InvalidInput(_("Please give a reason or a note."), {"note": _("Say what was done.")})
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("owner_unit__area")
            .get(pk=case.pk)
        )
        membership = acting_membership(actor, case, GRADE_ROLES)
        if membership is None:
            raise NotAllowed(_("You are not allowed to do this on this case."))
        closed = deadlines.close_deadlines(case, [clock], now)
        if not closed:
            raise InvalidInput(_("Nothing of this kind is open on the case."))
        append_event(
            case,
            "risk_reported" if clock == Clock.RISK_REPORT else "risk_handled",
            now,
            actor=actor,
            actor_unit=membership.unit,
            note=note,
        )
        if clock == Clock.RISK_REPORT:
            with translation.override(settings.LANGUAGE_CODE):
                title = _("Risk reported up: %(case)s") % {"case": case.title}
            notify(
                _staff(centers_above(case.owner_unit, 1)),
                kind=Kind.RISK,
                title=title,
                body=note,
                key=f"risk-report:{case.pk}:{now.isoformat()}",
                now=now,
                case=case,
            )
    return closed


def plan_missed(deadline: Deadline, now: datetime.datetime) -> None:
    """A risk plan's obligation passed: the center above hears of it (once: the sweep claims
    each clock once, and the notice's key is the clock's)."""
    case = deadline.case
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Risk plan missed (%(clock)s): %(case)s") % {
            "clock": deadline.get_clock_display(),
            "case": case.title,
        }
    notify(
        _staff(centers_above(deadline.unit, 1)),
        kind=Kind.ESCALATED,
        title=title,
        body=case.code,
        key=f"risk-missed:{deadline.pk}",
        now=now,
        case=case,
    )


def open_obligations(case: Case):
    return Deadline.objects.filter(
        case=case, state=DeadlineState.OPEN, clock__in=deadlines.RISK_CLOCKS
    )


# ---------------------------------------------------------------- at intake


@dataclass(frozen=True)
class IntakeFacts:
    """What the rules judge a new case by, read before its write transaction."""

    rules: list
    earlier_cases: int  # earlier cases sharing a party's ID number or phone
    key_persons: list[int]  # key-person files of the parties' ID numbers


def read_intake_facts(parties) -> IntakeFacts:
    """The active rules and the parties' facts (one query each), before the case is written."""
    rules = list(RiskRule.objects.filter(is_active=True).select_related("area"))
    earlier, key_persons = rule_engine.party_facts(parties)
    return IntakeFacts(rules, earlier, key_persons)


def judge_new_case(
    case: Case,
    parties,
    now: datetime.datetime,
    *,
    actor=None,
    actor_unit: Unit | None = None,
    grade: str = "",
    reason: str = "",
    facts: IntakeFacts,
) -> None:
    """At intake (risk.intake, inside register_case's transaction): the key persons linked by
    ID number, and the rules' grade — or the grade the clerk gave, which overrides it; on the
    `facts` read before the transaction (risk.intake.prepare)."""
    rules, earlier, key_persons = facts.rules, facts.earlier_cases, facts.key_persons
    if key_persons:
        KeyPersonCase.objects.bulk_create(
            [
                KeyPersonCase(person_id=pk, case=case, source=LinkSource.AUTO, linked_at=now)
                for pk in key_persons
            ],
            ignore_conflicts=True,
        )
    proposed, names = rule_engine.propose(case, rules, earlier, key_persons)
    if grade:
        if actor is None or acting_membership(actor, case, GRADE_ROLES) is None:
            raise NotAllowed(
                _("You are not allowed to set the risk grade of this case."),
                {"risk_grade": _("Leave the grade to the rules.")},
            )
        _write_grade(
            case,
            grade,
            now,
            actor=actor,
            actor_unit=actor_unit,
            reason=reason,
            extra={"proposed": [str(Grade(proposed).label), names]} if names else None,
        )
    elif proposed != Grade.NONE:
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("Proposed by the rules: %(rules)s") % {"rules": "、".join(names)}
        _write_grade(case, proposed, now, reason=reason, source=GradeSource.RULE, rules=names)


def key_persons_of(case: Case):
    return KeyPerson.objects.filter(case_links__case=case)
