"""The merge and unmerge actions of the case page's 可能重复 panel."""

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.pages import run_case_panel_action
from cases.selectors import visible_case_or_404
from jiefen import clock

from . import services
from .forms import MergeForm, UnmergeForm


def _run(request, case, form, call, done: str):
    return run_case_panel_action(request, case, form, call, done, "repeat_forms")


@login_required
@require_POST
def merge(request, code):
    case = visible_case_or_404(request.user, code)

    def call(data):
        main = services.main_case(request.user, data["main"])
        services.merge_case(case, main, request.user, data["reason"], clock.now())

    return _run(request, case, MergeForm(request.POST), call, _("Merged as a repeat report."))


@login_required
@require_POST
def unmerge(request, code):
    case = visible_case_or_404(request.user, code)
    return _run(
        request,
        case,
        UnmergeForm(request.POST),
        lambda d: services.unmerge_case(case, request.user, d["reason"], clock.now()),
        _("The merge is undone."),
    )
