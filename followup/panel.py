"""The follow-up panel of the case page: the visits owed and made, the agreements'
performance, and the forms to record them."""

from cases.models import Case
from cases.services import acting_membership
from cases.workflow import HANDLING_ROLES
from jiefen import clock as jclock
from mediation.models import Agreement

from . import services
from .forms import PerformanceForm, VisitForm
from .models import Performance


def panel_context(user, case: Case, bound: dict | None = None) -> dict:
    bound = bound or {}
    now = jclock.now()
    may_visit = (
        case.status in services.VISITABLE
        and acting_membership(user, case, services.VISIT_ROLES) is not None
    )
    may_record = acting_membership(user, case, HANDLING_ROLES) is not None
    visit_form = bound.get("visit")
    if visit_form is None and may_visit:
        visit_form = VisitForm(case=case, initial={"visited_at": now})
    agreements = []
    for a in Agreement.objects.filter(case=case, performance_due__isnull=False):
        performance = Performance.objects.filter(agreement=a).first()
        prefix = f"performance-{a.pk}"
        form = bound.get(prefix)
        if form is None and may_record and performance is None:
            form = PerformanceForm(prefix=prefix)
        agreements.append({"agreement": a, "performance": performance, "form": form})
    visits = list(services.visits_of(case))
    clocks = [(d, d.due_at < now) for d in services.open_visit_clocks(case)]
    if not (visits or clocks or visit_form or agreements):
        return {"hidden": True, "case": case}
    return {
        "case": case,
        "visits": visits,
        "clocks": clocks,
        "visit_form": visit_form,
        "agreements": agreements,
    }
