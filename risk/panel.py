"""The risk panel of the case page: the grade, its plan and open obligations, the key persons."""

from areas.models import Role
from cases.models import Case
from cases.services import acting_membership
from cases.workflow import CENTER_ROLES, HANDLING_ROLES, OPEN_STATUSES, Status
from clocks.models import Clock
from jiefen import clock as jclock

from . import assignments, stability
from .forms import (
    AssignmentForm,
    EndAssignmentForm,
    GradeForm,
    ObligationForm,
    ProgressForm,
    ReviewForm,
)
from .models import CaseRisk, Grade, RiskPlan
from .services import GRADE_ROLES, key_persons_of, open_obligations


def panel_context(user, case: Case, bound: dict | None = None) -> dict:
    bound = bound or {}
    risk = CaseRisk.objects.filter(case=case).select_related("set_by").first()
    grade = risk.grade if risk else Grade.NONE
    may_act = acting_membership(user, case, GRADE_ROLES) is not None
    obligations = list(open_obligations(case).select_related("unit"))
    return {
        "case": case,
        "risk": risk,
        "grade": grade,
        "grade_label": Grade(grade).label,
        "plan": RiskPlan.objects.filter(grade=grade).first(),
        "obligations": [
            {
                "deadline": d,
                "form": bound.get(f"obligation-{d.clock}")
                or (ObligationForm(clock=d.clock) if may_act else None),
                "is_report": d.clock == Clock.RISK_REPORT,
            }
            for d in obligations
        ],
        "grade_form": bound.get("grade")
        or (GradeForm(initial={"grade": grade}) if may_act else None),
        "key_persons": list(key_persons_of(case)),
        **_assignment_context(user, case, bound),
        **_control_context(user, case, bound),
    }


def _control_context(user, case: Case, bound: dict) -> dict:
    control = stability.current(case)
    if control is None:
        return {"control": None}
    may_review = acting_membership(user, case, HANDLING_ROLES) is not None
    form = bound.get("review")
    if form is None and may_review:
        form = ReviewForm(
            initial={"measures": control.measures, "responsible": control.responsible}
        )
    return {"control": control, "review_form": form}


def assignment_form(user, case: Case, data=None) -> AssignmentForm:
    eligible = list(
        assignments.eligible_memberships(case, user).order_by("unit__area__level", "unit__name")
    )
    leaders = {m.user_id: m.user for m in eligible if m.role == Role.LEADER}
    return AssignmentForm(data, leaders=list(leaders.values()), members=eligible)


def _assignment_context(user, case: Case, bound: dict) -> dict:
    a = assignments.current(case)
    if a is None:
        may_assign = case.status in (*OPEN_STATUSES, Status.STABILISED) and (
            (m := acting_membership(user, case, CENTER_ROLES)) is not None and m.unit.is_territorial
        )
        return {
            "assignment": None,
            "assign_form": bound.get("assign")
            or (assignment_form(user, case) if may_assign else None),
        }
    members = list(a.members.select_related("user", "unit"))
    in_force = user.pk == a.leader_id or any(m.user_id == user.pk for m in members)
    today = jclock.today_local()
    return {
        "assignment": a,
        "members": members,
        "measures": [(m, not m.done_at and m.due_date < today) for m in a.measures.all()],
        "reports": list(a.reports.select_related("by")[:5]),
        "progress_form": bound.get("progress") or (ProgressForm() if in_force else None),
        "end_form": bound.get("end")
        or (
            EndAssignmentForm()
            if user.pk == a.leader_id or acting_membership(user, case, CENTER_ROLES)
            else None
        ),
        "in_force": in_force,
    }
