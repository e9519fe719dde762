"""Mediation pages: the panel's actions, the mediator directory and "my mediations".

Every case is read through get_visible_case; every write is one service call. A form that
fails comes back on the mediation page of the case with its errors in place.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.errors import CaseError
from cases.selectors import visible_case_or_404
from cases.services import add_attachment
from jiefen import clock
from jiefen.forms import apply_errors

from . import selectors, services
from .forms import (
    AssignForm,
    ConfirmForm,
    DecisionForm,
    EndForm,
    RecordForm,
    ScanForm,
    ScheduleForm,
)
from .models import Agreement, Confirmation, MediatorKind, Pool, Profession


def _done(request, case, text):
    messages.success(request, text)
    return redirect(reverse("cases:detail", args=[case.code]) + "#mediation")


def _run(request, case, form, call, success: str):
    """Validate the form, call the service; on failure show the mediation page again."""
    if form.is_valid():
        try:
            call()
        except CaseError as e:
            apply_errors(e, form)
            messages.error(request, e.message)
        else:
            return _done(request, case, success)
    bound = {form.prefix: form}
    return render(request, "mediation/case.html", {"case": case, "bound": bound}, status=422)


@login_required
def case_page(request, code):
    """The panel on a page of its own (where failed forms come back)."""
    return render(request, "mediation/case.html", {"case": visible_case_or_404(request.user, code)})


@login_required
@require_POST
def assign(request, code):
    case = visible_case_or_404(request.user, code)
    form = AssignForm(request.POST, candidates=selectors.propose_mediators(case, limit=8))
    return _run(
        request,
        case,
        form,
        lambda: services.assign_mediators(case, request.user, clock.now(), *form.ids()),
        _("Mediators assigned."),
    )


@login_required
@require_POST
def schedule(request, code):
    case = visible_case_or_404(request.user, code)
    form = ScheduleForm(request.POST)
    return _run(
        request,
        case,
        form,
        lambda: services.schedule_session(case, request.user, clock.now(), **form.cleaned_data),
        _("Session scheduled; the parties have been notified."),
    )


@login_required
@require_POST
def record(request, code, pk):
    case = visible_case_or_404(request.user, code)
    session = get_object_or_404(case.mediation_sessions, pk=pk)
    form = RecordForm(request.POST, session=session)
    return _run(
        request,
        case,
        form,
        lambda: services.record_session(
            session, request.user, clock.now(), form.record(), form.agreement()
        ),
        _("Session recorded."),
    )


@login_required
@require_POST
def end(request, code):
    case = visible_case_or_404(request.user, code)
    form = EndForm(request.POST)
    return _run(
        request,
        case,
        form,
        lambda: services.end_without_agreement(
            case,
            request.user,
            clock.now(),
            form.cleaned_data["note"],
            form.cleaned_data["channel"],
        ),
        _("Mediation ended without agreement."),
    )


@login_required
@require_POST
def confirm(request, code, pk):
    case = visible_case_or_404(request.user, code)
    agreement = get_object_or_404(Agreement, case=case, pk=pk)
    form = ConfirmForm(request.POST, agreement=agreement)
    return _run(
        request,
        case,
        form,
        lambda: services.prepare_confirmation(
            agreement, request.user, clock.now(), form.cleaned_data["court"]
        ),
        _("Application for judicial confirmation prepared; file it within 30 days."),
    )


@login_required
@require_POST
def file(request, code, pk):
    case = visible_case_or_404(request.user, code)
    confirmation = get_object_or_404(Confirmation, agreement__case=case, pk=pk)
    try:
        services.file_confirmation(confirmation, request.user, clock.now())
    except CaseError as e:
        messages.error(request, e.message)
        return redirect(reverse("cases:detail", args=[case.code]) + "#mediation")
    return _done(request, case, _("Application filed with the court."))


@login_required
@require_POST
def decide(request, code, pk):
    case = visible_case_or_404(request.user, code)
    confirmation = get_object_or_404(Confirmation, agreement__case=case, pk=pk)
    form = DecisionForm(request.POST, confirmation=confirmation)
    return _run(
        request,
        case,
        form,
        lambda: services.record_court_decision(
            confirmation,
            request.user,
            clock.now(),
            form.cleaned_data["decision"],
            form.cleaned_data["reason"],
        ),
        _("Court decision recorded."),
    )


@login_required
@require_POST
def scan(request, code):
    """A signed record or agreement, scanned: stored as a case attachment."""
    case = visible_case_or_404(request.user, code)
    form = ScanForm(request.POST, request.FILES)
    return _run(
        request,
        case,
        form,
        lambda: add_attachment(case, request.user, form.cleaned_data["file"], clock.now()),
        _("Signed scan uploaded."),
    )


@login_required
def directory(request):
    """Mediators, experts and hearing officers, by pool, kind and profession, with their load."""
    pools = Pool.objects.select_related("area").order_by("kind", "name")
    pool = pools.filter(pk=request.GET.get("pool") or 0).first()
    kind = request.GET.get("kind", "")
    profession = request.GET.get("profession", "")
    q = request.GET.get("q", "").strip()
    qs = selectors.mediators(kind=kind, pool=pool, profession=profession, q=q)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "mediation/directory.html",
        {
            "page": page,
            "pools": pools,
            "pool": pool,
            "kinds": MediatorKind.choices,
            "kind": kind,
            "professions": Profession.choices,
            "profession": profession,
            "q": q,
        },
    )


@login_required
def mine(request):
    """The mediator's own mediations, open ones first."""
    page = Paginator(selectors.my_assignments(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "mediation/mine.html", {"page": page})
