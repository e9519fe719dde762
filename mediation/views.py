"""Mediation pages: the panel's actions, the mediator directory and "my mediations".

Every case is read through get_visible_case; every write is one service call. A form that
fails comes back on the mediation page of the case with its errors in place.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.selectors import visible_case_or_404
from cases.services import add_attachment
from jiefen import clock
from jiefen.errors import ServiceError
from jiefen.forms import parse_query
from jiefen.pagination import page_of
from jiefen.panels import run_panel_action

from . import selectors, services
from .forms import (
    AssignForm,
    ConfirmForm,
    DecisionForm,
    DirectoryQuery,
    EndForm,
    RecordForm,
    RescheduleForm,
    ScanForm,
    ScheduleForm,
)
from .models import Agreement, Confirmation, MediatorKind, Pool, Profession


def _panel_url(case) -> str:
    return reverse("cases:detail", args=[case.code]) + "#mediation"


def _run(request, case, form, call, success: str):
    """Validate the form, call the service; on failure show the mediation page again."""
    return run_panel_action(
        request,
        form,
        call,
        success=success,
        next_url=_panel_url(case),
        show_again=lambda bound: render(
            request, "mediation/case.html", {"case": case, "bound": bound}
        ),
    )


@login_required
def case_page(request, code):
    """The panel on a page of its own (where failed forms come back)."""
    return render(request, "mediation/case.html", {"case": visible_case_or_404(request.user, code)})


@login_required
@require_POST
def assign(request, code):
    case = visible_case_or_404(request.user, code)
    form = AssignForm(
        request.POST,
        user=request.user,
        case=case,
        candidates=selectors.propose_mediators(case, limit=8),
    )
    return _run(
        request,
        case,
        form,
        lambda d: services.assign_mediators(case, request.user, clock.now(), *form.ids()),
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
        lambda d: services.schedule_session(case, request.user, clock.now(), **d),
        _("Session scheduled; the parties have been notified."),
    )


@login_required
@require_POST
def reschedule(request, code, pk):
    case = visible_case_or_404(request.user, code)
    session = get_object_or_404(case.mediation_sessions, pk=pk)
    form = RescheduleForm(request.POST, session=session)
    return _run(
        request,
        case,
        form,
        lambda d: services.reschedule_session(session, request.user, clock.now(), **d),
        _("Session moved; the parties have been notified."),
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
        lambda d: services.record_session(
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
        lambda d: services.end_without_agreement(
            case,
            request.user,
            clock.now(),
            d["note"],
            d["channel"],
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
        lambda d: services.prepare_confirmation(agreement, request.user, clock.now(), d["court"]),
        _("Application for judicial confirmation prepared; file it within 30 days."),
    )


@login_required
@require_POST
def file(request, code, pk):
    case = visible_case_or_404(request.user, code)
    confirmation = get_object_or_404(Confirmation, agreement__case=case, pk=pk)
    try:
        services.file_confirmation(confirmation, request.user, clock.now())
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Application filed with the court."))
    return redirect(_panel_url(case))


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
        lambda d: services.record_court_decision(
            confirmation,
            request.user,
            clock.now(),
            d["decision"],
            d["reason"],
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
        lambda d: add_attachment(case, request.user, d["file"], clock.now()),
        _("Signed scan uploaded."),
    )


@login_required
def directory(request):
    """Mediators, experts and hearing officers, by pool, kind and profession, with their load."""
    pools = Pool.objects.select_related("area").order_by("kind", "name")
    d = parse_query(DirectoryQuery(request.GET))
    pool = pools.filter(pk=d["pool"]).first() if d["pool"] else None
    kind, profession, q = d["kind"], d["profession"], d["q"]
    qs = selectors.mediators(kind=kind, pool=pool, profession=profession, q=q)
    page = page_of(request, qs, 50)
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
    page = page_of(request, selectors.my_assignments(request.user), 50)
    return render(request, "mediation/mine.html", {"page": page})
