"""Clerk pages: work queue, case list, intake, case page. Thin: every read starts from
the selectors (cases_visible_to / get_visible_case), every write is a service call."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from jiefen import clock
from jiefen.errors import ServiceError
from jiefen.exports import in_background as background_export
from jiefen.exports import start as start_export
from jiefen.forms import apply_errors
from jiefen.identity import normalise_id_number, normalise_phone
from jiefen.spreadsheets import xlsx_response

from . import attachments, bulk, exports, selectors, services
from .forms import (
    AttachmentForm,
    CaseForm,
    ComplexityForm,
    PartyFormSet,
    PauseForm,
    ResumeForm,
    filled_party_forms,
)
from .pages import PAGE_SIZES, case_table_page, render_case_page, transition_form
from .registry import batch_action, batch_actions
from .selectors import visible_case_or_404
from .workflow import TRANSITIONS


def _bulk_context(request, export_query: str) -> dict:
    """The queue's and the list's action bar: the batch actions open to the user (each row
    gets a checkbox when there is one), the export of the list as shown, the page sizes."""
    return {
        "actions": batch_actions(request.user),
        "next": request.get_full_path(),
        "export_url": f"{reverse('cases:export')}?{export_query}",
        "sizes": PAGE_SIZES,
    }


def _queue_tab(request) -> str:
    return "unit" if request.GET.get("tab") == "unit" else "mine"


@login_required
def queue(request):
    tab = _queue_tab(request)
    qs = selectors.work_queue(request.user, tab, clock.now())
    context = {
        "tab": tab,
        "page": case_table_page(request, qs),
        "bulk": _bulk_context(request, urlencode({"view": "queue", "tab": tab})),
    }
    return render(request, "cases/queue.html", context)


def _listed(request):
    """The case list's filter form and its cases, as the page and its export show them."""
    return exports.listed(request.user, request.GET, clock.now())


@login_required
def case_list(request):
    form, qs = _listed(request)
    page = case_table_page(request, qs)
    filters = request.GET.copy()
    for key in ("page", "per"):
        filters.pop(key, None)
    context = {"form": form, "page": page, "bulk": _bulk_context(request, filters.urlencode())}
    template = "cases/_case_table.html" if request.htmx else "cases/list.html"
    return render(request, template, context)


@login_required
def export(request):
    """The queue (?view=queue&tab=) or the filtered list as Excel; PII masked unless the
    user's role sees it in full, and then the export is recorded as a read of each case.
    A long list with a Celery broker is exported by a task: this answers its progress page
    (jiefen.exports), and the task builds the same workbook from the same parameters."""
    now = clock.now()
    qs, title = exports.exported(request.user, request.GET, now)
    ip = request.META.get("REMOTE_ADDR")
    if background_export(qs):
        params = {k: v for k, v in request.GET.items() if k not in ("page", "per")}
        job = start_export(request.user, "cases", {**params, "_ip": ip or ""}, str(title))
        if job is not None:  # None: the broker is down, the file is built here instead
            return redirect("export_status", pk=job.pk)
    content, _rows = exports.export_cases(qs, request.user, ip, now, title)
    return xlsx_response(content, exports.file_name(now))


def _back(request) -> str:
    """Where the batch came from (the queue or the list with its filters), if it is ours."""
    url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse("cases:queue")


@login_required
@require_POST
def batch(request):
    """批量: the selected cases and the action's options to confirm, then the act on each
    case (cases.bulk.run_batch) and what became of each. Cases outside the user's scope are
    never acted on; they are counted as not found."""
    action = batch_action(request.POST.get("action", ""))
    if action is None or not action.allowed(request.user):
        raise Http404
    back = _back(request)
    codes = request.POST.getlist("cases")
    cases, unknown = bulk.selected_cases(request.user, codes)
    if not cases:
        if request.htmx:
            return render(request, "cases/_bulk_panel.html", {"empty": True, "next": back})
        messages.error(request, _("Select the cases first."))
        return redirect(back)
    running = request.POST.get("step") == "run"
    form = action.form(request.user, cases, request.POST if running else None)
    if running and form.is_valid():
        results = bulk.run_batch(request.user, action, codes, form.cleaned_data, clock.now())
        context = {
            "action": action,
            "results": results,
            "done": sum(r.done for r in results),
            "refused": sum(not r.done for r in results),
            "next": back,
        }
        return render(request, "cases/bulk_done.html", context)
    context = {
        "action": action,
        "rows": [(c, action.detail(c) if action.detail else None) for c in cases],
        # The heading of the column of per-case details (三事分流's proposal), if any.
        "detail_label": action.detail_label if action.detail else None,
        "unknown": unknown,
        "form": form,
        "next": back,
    }
    if request.htmx and not running:
        return render(request, "cases/_bulk_panel.html", context)
    return render(request, "cases/bulk.html", context, status=422 if running else 200)


@login_required
def intake(request):
    data = request.POST if request.method == "POST" else None
    form = CaseForm(data, request.FILES or None, user=request.user)
    formset = PartyFormSet(data, prefix="parties")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        party_forms = filled_party_forms(formset)
        now = clock.now()
        data = form.to_input(party_forms)
        try:
            # Attachments belong to the intake: if one fails, nothing is registered.
            with transaction.atomic():
                # An offline draft sent again (same key): the case of its first send.
                case = services.case_sent_before(request.user, data.external_ref)
                created = case is None
                if created:
                    case = services.register_case(request.user, data, now)
                    for f in form.cleaned_data["attachments"] + form.cleaned_data["photos"]:
                        services.add_attachment(case, request.user, f, now)
        except ServiceError as e:
            apply_errors(e, form, formset, party_forms)
            messages.error(request, e.message)
        else:
            text = (
                _("Case registered. Its code is %(code)s.")
                if created
                else _("This draft was sent before: case %(code)s.")
            )
            messages.success(request, text % {"code": case.code})
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
            services.add_attachment(
                case,
                request.user,
                form.cleaned_data["file"],
                clock.now(),
                resumes_pause=form.cleaned_data["resumes_pause"],
            )
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


def _clock_action(request, code, form_class, call, done: str, bound_key: str):
    """Pause, resume, complexity: the service on success, else the case page with the form."""
    case = visible_case_or_404(request.user, code)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(case, form.cleaned_data)
        except ServiceError as e:
            apply_errors(e, form)
            messages.error(request, e.message)
        else:
            messages.success(request, done)
            return redirect("cases:detail", code=case.code)
    return render_case_page(request, case, extra={bound_key: form}, status=422)


@login_required
@require_POST
def pause(request, code):
    return _clock_action(
        request,
        code,
        PauseForm,
        lambda case, d: services.pause_case(
            case, request.user, d["reason"], d["note"], clock.now()
        ),
        _("The time limit is paused."),
        "pause_form",
    )


@login_required
@require_POST
def resume(request, code):
    return _clock_action(
        request,
        code,
        ResumeForm,
        lambda case, d: services.resume_case(case, request.user, clock.now(), d["note"]),
        _("The time limit runs again."),
        "resume_form",
    )


@login_required
@require_POST
def complexity(request, code):
    return _clock_action(
        request,
        code,
        ComplexityForm,
        lambda case, d: services.change_complexity(
            case, request.user, d["complexity"], d["reason"], clock.now()
        ),
        _("The complexity is changed."),
        "complexity_form",
    )
