"""Clerk pages: work queue, case list, intake, case page. Thin: every read starts from
the selectors (cases_visible_to / get_visible_case), every write is a service call."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from jiefen import clock
from jiefen.errors import ServiceError
from jiefen.forms import apply_errors
from jiefen.identity import normalise_id_number, normalise_phone

from . import attachments, selectors, services
from .forms import AttachmentForm, CaseFilterForm, CaseForm, PartyFormSet, filled_party_forms
from .pages import case_table_page, render_case_page, transition_form
from .registry import annotate_lists
from .selectors import visible_case_or_404
from .workflow import TRANSITIONS


@login_required
def queue(request):
    tab = "unit" if request.GET.get("tab") == "unit" else "mine"
    qs = selectors.work_queue(request.user, tab, clock.now())
    return render(request, "cases/queue.html", {"tab": tab, "page": case_table_page(request, qs)})


@login_required
def case_list(request):
    form = CaseFilterForm(request.GET or None, user=request.user)
    qs = selectors.filter_cases(selectors.cases_visible_to(request.user), **form.filters())
    qs = (
        annotate_lists(selectors.with_overdue(qs, clock.now()))
        .select_related("area", "category", "owner_unit")
        .order_by("-created_at")
    )
    page = case_table_page(request, qs)
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
        except ServiceError as e:
            apply_errors(e, form, formset, party_forms)
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
    form = transition_form(request, case, transition, request.POST)
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
        except ServiceError as e:
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
        except ServiceError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("Attachment uploaded."))
            return redirect("cases:detail", code=case.code)
    return render_case_page(request, case, attachment_form=form)


@login_required
@xframe_options_sameorigin  # the viewer page frames a PDF from here
def download(request, code, pk):
    """Attachments are served through the case's permission check, never from a public URL.

    ?inline=1 shows a photo or a PDF in the browser (what its bytes are, never what its name
    says); ?thumb=1 a small JPEG of a photo. Anything else is always a download.
    """
    case = visible_case_or_404(request.user, code)
    att = get_object_or_404(case.attachments, pk=pk)
    file = att.file.open("rb")
    if request.GET.get("thumb"):
        preview = attachments.thumbnail(file)
        file.close()
        if preview is None:
            raise Http404
        response = HttpResponse(preview, content_type="image/jpeg")
        response["Cache-Control"] = "private, max-age=86400"
        return response
    kind = attachments.inline_type(file) if request.GET.get("inline") else None
    if kind:
        return FileResponse(file, as_attachment=False, filename=att.name, content_type=kind)
    return FileResponse(file, as_attachment=True, filename=att.name)


@login_required
def view_attachment(request, code, pk):
    """A photo or a PDF of the case on a page of its own (phones: full width), with the way
    back to the case and the download."""
    case = visible_case_or_404(request.user, code)
    att = get_object_or_404(case.attachments, pk=pk)
    with att.file.open("rb") as file:
        kind = attachments.inline_type(file)
    context = {"case": case, "att": att, "kind": kind, "is_image": kind in attachments.IMAGE_TYPES}
    return render(request, "cases/attachment.html", context)


@login_required
@require_POST
def provide(request, code, pk):
    case = visible_case_or_404(request.user, code)
    try:
        services.provide_material(case, pk, request.user, clock.now())
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Material marked as provided."))
    return redirect("cases:detail", code=case.code)
