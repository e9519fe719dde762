"""Risk pages: the grade and plan actions of the case page, key persons' files.

Each view validates its form, calls one service, and comes back; outside the user's scope
every object is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.pages import case_table_page, render_case_page
from cases.registry import annotate_lists
from cases.selectors import visible_case_or_404, with_overdue
from clocks.deadlines import RISK_CLOCKS
from jiefen import clock
from jiefen.errors import ServiceError
from jiefen.forms import apply_errors
from jiefen.identity import mask_id_number, mask_phone
from jiefen.pagination import page_of
from jiefen.panels import run_panel_action

from . import keypersons, services
from .forms import GradeForm, LinkForm, ObligationForm, PersonForm, VisitForm


def _run(request, case, form, call, done: str):
    return run_panel_action(
        request,
        form,
        call,
        success=done,
        next_url=reverse("cases:detail", args=[case.code]),
        show_again=lambda bound: render_case_page(request, case, extra={"risk_forms": bound}),
    )


@login_required
@require_POST
def set_grade(request, code):
    case = visible_case_or_404(request.user, code)
    form = GradeForm(request.POST)
    return _run(
        request,
        case,
        form,
        lambda d: services.set_grade(case, request.user, d["grade"], d["reason"], clock.now()),
        _("The risk grade is saved."),
    )


@login_required
@require_POST
def close_obligation(request, code, clock_name):
    case = visible_case_or_404(request.user, code)
    if clock_name not in RISK_CLOCKS:
        raise Http404
    form = ObligationForm(request.POST, clock=clock_name)
    return _run(
        request,
        case,
        form,
        lambda d: services.close_obligation(case, request.user, clock_name, d["note"], clock.now()),
        _("Saved."),
    )


# ---------------------------------------------------------------- key persons


def _require_files(user):
    if not keypersons.may_use_files(user):
        raise Http404


@login_required
def persons(request):
    _require_files(request.user)
    qs = keypersons.persons_visible_to(request.user).select_related("area", "responsible")
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(name__icontains=q)
    if request.GET.get("missed"):
        qs = qs.filter(visit_overdue_at__isnull=False)
    page = page_of(request, qs.prefetch_related("tags"), 25)
    for p in page:
        p.masked_id = mask_id_number(p.id_number)
        p.masked_phone = mask_phone(p.phone)
    return render(request, "risk/persons.html", {"page": page, "q": q})


@login_required
def person_new(request):
    _require_files(request.user)
    form = PersonForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            person = keypersons.create_person(request.user, form.to_input(), clock.now())
        except ServiceError as e:
            apply_errors(e, form)
            messages.error(request, e.message)
        else:
            messages.success(request, _("The file is opened."))
            return redirect("risk:person", pk=person.pk)
    return render(request, "risk/person_new.html", {"form": form})


def _render_person(request, person, link_form=None, visit_form=None, status=200):
    now = clock.now()
    full = keypersons.open_file(person, request.user, "web", request.META.get("REMOTE_ADDR"), now)
    cases = annotate_lists(with_overdue(keypersons.cases_of(person, request.user), now))
    page = case_table_page(
        request, cases.select_related("area", "category", "owner_unit").order_by("-created_at")
    )
    context = {
        "person": person,
        "id_number": person.id_number if full else mask_id_number(person.id_number),
        "phone": person.phone if full else mask_phone(person.phone),
        "page": page,
        "visits": person.visits.select_related("by")[:20],
        "visit_overdue": bool(person.visit_due_at and person.visit_due_at < now),
        "link_form": link_form or LinkForm(),
        "visit_form": visit_form or VisitForm(),
    }
    return render(request, "risk/person.html", context, status=status)


@login_required
def person(request, pk):
    _require_files(request.user)
    return _render_person(request, keypersons.visible_person_or_404(request.user, pk))


@login_required
@require_POST
def person_link(request, pk):
    _require_files(request.user)
    person = keypersons.visible_person_or_404(request.user, pk)
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            keypersons.link_case(request.user, person, form.cleaned_data["code"], clock.now())
        except ServiceError as e:
            apply_errors(e, form)
            messages.error(request, e.message)
        else:
            messages.success(request, _("The case is linked to the file."))
            return redirect("risk:person", pk=person.pk)
    return _render_person(request, person, link_form=form, status=422)


@login_required
@require_POST
def person_visit(request, pk):
    _require_files(request.user)
    person = keypersons.visible_person_or_404(request.user, pk)
    form = VisitForm(request.POST)
    if form.is_valid():
        try:
            keypersons.record_visit(request.user, person, form.cleaned_data["note"], clock.now())
        except ServiceError as e:
            apply_errors(e, form)
            messages.error(request, e.message)
        else:
            messages.success(request, _("The visit is recorded."))
            return redirect("risk:person", pk=person.pk)
    return _render_person(request, person, visit_form=form, status=422)
