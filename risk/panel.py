"""The risk panel of the case page: the grade, its plan and open obligations, the key persons."""

from cases.models import Case
from cases.services import acting_membership
from clocks.models import Clock

from .forms import GradeForm, ObligationForm
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
    }
