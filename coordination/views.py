"""The 吹哨报到 and 督办 actions of the case page, and the per-unit summons counts.

Each view validates its form, calls one service and goes back to the case page; on an
error the case page is shown again with the bound form and its messages in place."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.pages import run_case_panel_action
from cases.selectors import visible_case_or_404
from jiefen import clock
from jiefen.errors import ServiceError

from . import supervision as supervision_services
from . import whistles
from .forms import (
    AnswerForm,
    EvaluationForm,
    FeedbackForm,
    MeetingForm,
    ReleaseForm,
    SupervisionForm,
    WhistleForm,
)
from .models import Summons, Supervision, Whistle


def _run(request, case, form, call, done: str):
    return run_case_panel_action(request, case, form, call, done, "coordination_forms")


@login_required
@require_POST
def whistle_blow(request, code):
    case = visible_case_or_404(request.user, code)
    try:
        whistles.caller_membership(request.user, case)
    except ServiceError as e:
        messages.error(request, e.message)
        return redirect("cases:detail", code=case.code)
    form = WhistleForm(request.POST, user=request.user, case=case)
    return _run(
        request,
        case,
        form,
        lambda d: whistles.blow_whistle(
            case,
            request.user,
            [int(u) for u in d["units"]],
            d["reason"],
            clock.now(),
            d["report_hours"],
        ),
        _("The units are summoned."),
    )


def _summons(request, pk) -> tuple[Summons, object]:
    summons = get_object_or_404(Summons.objects.select_related("whistle"), pk=pk)
    return summons, visible_case_or_404(request.user, summons.whistle.case.code)


@login_required
@require_POST
def summons_report(request, pk):
    summons, case = _summons(request, pk)
    try:
        whistles.report(summons, request.user, clock.now())
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Your unit has reported."))
    return redirect("cases:detail", code=case.code)


@login_required
@require_POST
def whistle_meeting(request, pk):
    whistle = get_object_or_404(Whistle, pk=pk)
    case = visible_case_or_404(request.user, whistle.case.code)
    form = MeetingForm(request.POST, whistle=whistle)

    def save(data):
        tasks = [whistles.Task(pk, text, due) for pk, text, due in form.tasks()]
        whistles.record_meeting(
            whistle,
            request.user,
            clock.now(),
            held_at=data["held_at"],
            place=data["place"],
            decisions=data["decisions"],
            tasks=tasks,
        )

    return _run(request, case, form, save, _("The meeting is recorded."))


@login_required
@require_POST
def summons_feedback(request, pk):
    summons, case = _summons(request, pk)
    form = FeedbackForm(request.POST, summons=summons)
    return _run(
        request,
        case,
        form,
        lambda d: whistles.feed_back(summons, request.user, d["feedback"], clock.now()),
        _("Your feedback is recorded."),
    )


@login_required
@require_POST
def summons_evaluate(request, pk):
    summons, case = _summons(request, pk)
    form = EvaluationForm(request.POST, summons=summons)
    return _run(
        request,
        case,
        form,
        lambda d: whistles.evaluate(
            summons, request.user, d["score"], d["evaluation"], clock.now()
        ),
        _("The evaluation is recorded."),
    )


@login_required
@require_POST
def summons_release(request, pk):
    summons, case = _summons(request, pk)
    form = ReleaseForm(request.POST, summons=summons)
    return _run(
        request,
        case,
        form,
        lambda d: whistles.release(summons, request.user, d["reason"], clock.now()),
        _("The unit is released."),
    )


@login_required
@require_POST
def supervise(request, code):
    case = visible_case_or_404(request.user, code)
    form = SupervisionForm(request.POST)
    return _run(
        request,
        case,
        form,
        lambda d: supervision_services.issue_supervision(
            case, request.user, d["instruction"], d["due_at"], clock.now()
        ),
        _("The supervision notice is issued."),
    )


@login_required
@require_POST
def supervision_answer(request, pk):
    sv = get_object_or_404(Supervision, pk=pk)
    case = visible_case_or_404(request.user, sv.case.code)
    form = AnswerForm(request.POST, supervision=sv)
    return _run(
        request,
        case,
        form,
        lambda d: supervision_services.answer_supervision(
            sv, request.user, d["answer"], clock.now()
        ),
        _("Your answer is recorded."),
    )


@login_required
def whistle_counts(request):
    """Per unit: how often summoned, missed 报到, late feedback, average score (last 90 days
    unless a start date is given); summonses of whistles the user's scope can see."""
    now = clock.now()
    try:
        start = datetime.date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        start = (now - datetime.timedelta(days=90)).date()
    start_at = timezone.make_aware(datetime.datetime.combine(start, datetime.time()))
    rows = whistles.unit_counts(start_at, None, visible_to=request.user)
    return render(request, "coordination/whistle_counts.html", {"rows": rows, "start": start})
