"""Clerk pages: work queue, case list, intake, case page. Thin: every read starts from
the selectors (cases_visible_to / get_visible_case), every write is a service call."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from areas.models import Level
from clocks.models import Deadline, DeadlineState
from jiefen import clock

from . import selectors, services
from .errors import CaseError, CaseNotFound
from .forms import (
    SATISFACTION_CHOICES,
    AttachmentForm,
    CaseFilterForm,
    CaseForm,
    PartyFormSet,
    TransitionForm,
    apply_errors,
    filled_party_forms,
)
from .identity import mask_id_number, mask_phone, normalise_id_number, normalise_phone
from .models import TriageClass
from .registry import event_label, propose_route
from .workflow import TRANSITIONS, Status

PAGE_SIZE = 25
CHANGE_LABELS = {
    "status": gettext_lazy("status"),
    "owner_unit": gettext_lazy("handling unit"),
    "level": gettext_lazy("handling level"),
}

# Details an action stores in its event's data that the timeline shows.
DATA_LABELS = {
    "triage_class": gettext_lazy("triage"),
    "proposed_unit": gettext_lazy("proposed unit"),
    "subject_unit": gettext_lazy("subject-matter unit"),
    "override_reason": gettext_lazy("reason for not following the proposal"),
    "returned_to": gettext_lazy("returned to"),
    "satisfaction": gettext_lazy("satisfaction"),
    "units": gettext_lazy("units"),
    "unit": gettext_lazy("unit"),
    "score": gettext_lazy("score"),
}
DATA_VALUES = {**dict(TriageClass.choices), **dict(SATISFACTION_CHOICES)}


def visible_case_or_404(user, code):
    """get_visible_case for pages: a case outside the user's scope is a plain 404."""
    try:
        return selectors.get_visible_case(user, code)
    except CaseNotFound:
        raise Http404 from None


def _page(request, qs):
    """One page of cases, each with a masked summary of its parties for the table."""
    page = Paginator(qs.prefetch_related("parties"), PAGE_SIZE).get_page(request.GET.get("page"))
    for case in page:
        case.party_summary = ", ".join(
            f"{p.name} {mask_phone(p.phone)}".strip() for p in case.parties.all()
        )
    return page


@login_required
def queue(request):
    tab = "unit" if request.GET.get("tab") == "unit" else "mine"
    qs = selectors.work_queue(request.user, tab, clock.now())
    return render(request, "cases/queue.html", {"tab": tab, "page": _page(request, qs)})


@login_required
def case_list(request):
    form = CaseFilterForm(request.GET or None, user=request.user)
    qs = selectors.filter_cases(selectors.cases_visible_to(request.user), **form.filters())
    qs = (
        selectors.with_overdue(qs, clock.now())
        .select_related("area", "category", "owner_unit")
        .order_by("-created_at")
    )
    page = _page(request, qs)
    template = "cases/_case_table.html" if request.htmx else "cases/list.html"
    return render(request, template, {"form": form, "page": page})


@login_required
def intake(request):
    data = request.POST if request.method == "POST" else None
    form = CaseForm(data, request.FILES or None, user=request.user)
    formset = PartyFormSet(data, prefix="parties")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        party_forms = filled_party_forms(formset)
        now = clock.now()
        try:
            # Attachments belong to the intake: if one fails, nothing is registered.
            with transaction.atomic():
                case = services.register_case(request.user, form.to_input(party_forms), now)
                for f in form.cleaned_data["attachments"]:
                    services.add_attachment(case, request.user, f, now)
        except CaseError as e:
            apply_errors(e, form, party_forms, formset)
            messages.error(request, e.message)
        else:
            messages.success(
                request, _("Case registered. Its code is %(code)s.") % {"code": case.code}
            )
            return redirect("cases:detail", code=case.code)
    return render(request, "cases/intake.html", {"form": form, "formset": formset})


@login_required
@require_POST
def duplicates(request):
    """htmx: open cases that already involve one of the parties typed into the intake form."""
    ids, phones = [], []
    for key, value in request.POST.items():
        if key.endswith("-id_number"):
            ids.append(normalise_id_number(value))
        elif key.endswith("-phone"):
            phones.append(normalise_phone(value))
    cases = selectors.possible_duplicates(request.user, ids, phones)[:10]
    return render(request, "cases/_duplicates.html", {"cases": cases})


def _party_rows(parties, full: bool):
    return [
        {
            "party": p,
            "id_number": p.id_number if full else mask_id_number(p.id_number),
            "phone": p.phone if full else mask_phone(p.phone),
        }
        for p in parties
    ]


def _change_rows(event):
    """Before → after of the case's status, handling unit and level, then the action's details."""
    rows = []
    for key, (before, after) in (event.data.get("changes") or {}).items():
        if key == "status":
            before, after = Status(before).label, Status(after).label
        elif key == "level":
            before, after = Level(before).label, Level(after).label
        rows.append((CHANGE_LABELS.get(key, key), before, after))
    for key, label in DATA_LABELS.items():
        value = event.data.get(key)
        if isinstance(value, list):
            rows.append((label, None, "、".join(map(str, value))))
        elif value:
            rows.append((label, None, DATA_VALUES.get(value, value)))
    return rows


def _transition_form(request, case, transition, data=None):
    """The form of one action, with the choices and the triage proposal it needs."""
    units = proposal = None
    if transition.name == "route":
        units = services.routable_units(case, request.user)
    if transition.name in ("route", "guide"):
        proposal = propose_route(case)
    return TransitionForm(data, transition=transition, case=case, units=units, proposal=proposal)


def _transition_forms(request, case, bound=None):
    return [
        bound
        if bound is not None and bound.transition.name == t.name
        else _transition_form(request, case, t)
        for t in services.allowed_transitions(request.user, case)
    ]


def render_case_page(
    request, case, *, bound_action=None, attachment_form=None, extra=None, status=200
):
    """The case page; `extra` carries other apps' bound forms back to their panels."""
    now = clock.now()
    full = services.open_case_record(
        case, request.user, "web", request.META.get("REMOTE_ADDR"), now
    )
    parties = list(case.parties.all())
    events = case.timeline.select_related("actor", "actor_unit")
    short_url = request.build_absolute_uri(reverse("cases:short", args=[case.code]))
    context = {
        "case": case,
        "parties": _party_rows(parties, full),
        "full_record": full,
        "attachments": case.attachments.all(),
        "attachment_form": attachment_form or AttachmentForm(),
        "materials": case.missing_materials.all(),
        "deadlines": [
            (d, d.state == DeadlineState.OPEN and d.due_at < now)
            for d in Deadline.objects.filter(case=case).select_related("unit")
        ],
        "events": [(e, event_label(e.kind), _change_rows(e)) for e in events],
        "transition_forms": _transition_forms(request, case, bound_action),
        "qr_svg": segno.make(short_url, micro=False).svg_inline(scale=3),
        "short_url": short_url,
        **(extra or {}),
    }
    return render(request, "cases/detail.html", context, status=status)


@login_required
def detail(request, code):
    return render_case_page(request, visible_case_or_404(request.user, code))


@login_required
def short(request, code):
    """The QR code's target: /c/<code> → the case page (404 outside the user's scope)."""
    return redirect("cases:detail", code=visible_case_or_404(request.user, code).code)


@login_required
@require_POST
def act(request, code):
    case = visible_case_or_404(request.user, code)
    transition = TRANSITIONS.get(request.POST.get("action", ""))
    if transition is None:
        raise Http404
    form = _transition_form(request, case, transition, request.POST)
    if form.is_valid():
        try:
            services.perform_transition(
                case,
                transition.name,
                request.user,
                clock.now(),
                note=form.cleaned_data["note"],
                **form.params(),
            )
        except CaseError as e:
            apply_errors(e, form)
            messages.error(request, e.message)
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": transition.label})
            return redirect("cases:detail", code=case.code)
    return render_case_page(request, case, bound_action=form)


@login_required
@require_POST
def upload(request, code):
    case = visible_case_or_404(request.user, code)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_attachment(case, request.user, form.cleaned_data["file"], clock.now())
        except CaseError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("Attachment uploaded."))
            return redirect("cases:detail", code=case.code)
    return render_case_page(request, case, attachment_form=form)


@login_required
def download(request, code, pk):
    """Attachments are served through the case's permission check, never from a public URL."""
    case = visible_case_or_404(request.user, code)
    att = get_object_or_404(case.attachments, pk=pk)
    return FileResponse(att.file.open("rb"), as_attachment=True, filename=att.name)


@login_required
@require_POST
def provide(request, code, pk):
    case = visible_case_or_404(request.user, code)
    try:
        services.provide_material(case, pk, request.user, clock.now())
    except CaseError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Material marked as provided."))
    return redirect("cases:detail", code=case.code)
