"""The follow-up panel's actions: record a visit, record an agreement's performance."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.pages import run_case_panel_action
from cases.selectors import visible_case_or_404
from jiefen import clock
from mediation.models import Agreement

from . import services
from .forms import PerformanceForm, VisitForm

BOUND_KEY = "followup_forms"


@login_required
@require_POST
def visit(request, code):
    case = visible_case_or_404(request.user, code)
    form = VisitForm(request.POST, case=case)
    return run_case_panel_action(
        request,
        case,
        form,
        lambda d: services.record_visit(
            case,
            request.user,
            clock.now(),
            services.VisitInput(
                visited_at=d["visited_at"],
                visitee_kind=d["visitee_kind"],
                method=d["method"],
                findings=d["findings"],
                rebound=d["rebound"],
                party_id=d["party_id"],
                visitee_name=d["visitee_name"],
                satisfaction=d["satisfaction"],
            ),
        ),
        _("The follow-up visit is recorded."),
        BOUND_KEY,
    )


@login_required
@require_POST
def performance(request, code, pk):
    case = visible_case_or_404(request.user, code)
    agreement = get_object_or_404(Agreement, case=case, pk=pk)
    form = PerformanceForm(request.POST, prefix=f"performance-{agreement.pk}")
    return run_case_panel_action(
        request,
        case,
        form,
        lambda d: services.record_performance(
            agreement, request.user, clock.now(), d["result"], d["note"], d["remedy"] or ""
        ),
        _("The performance of the agreement is recorded."),
        BOUND_KEY,
    )
