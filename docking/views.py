"""Docking pages under /docking/: referral list and outcome export for referring staff and
center clerks, batch upload with template and error report for court and police liaisons."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.errors import CaseError
from cases.models import Channel
from jiefen import clock
from jiefen.localtime import LOCAL_TZ
from jiefen.spreadsheets import xlsx_response

from . import excel, selectors, services
from .forms import ReferralFilterForm, UploadForm
from .models import Outcome, Source

PAGE_SIZE = 25


def docking_required(view):
    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not selectors.can_use_docking(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _referrals(request):
    form = ReferralFilterForm(request.GET or None)
    qs = selectors.referrals_visible_to(request.user)
    qs = selectors.filter_referrals(selectors.with_outcome(qs), **form.filters())
    return form, qs.order_by("-received_at", "-pk")


@docking_required
def referral_list(request):
    form, qs = _referrals(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    now = clock.now()
    for r in page:
        r.days = selectors.days_taken(r, now)
        r.outcome_label = Outcome(r.outcome).label
    return render(
        request,
        "docking/list.html",
        {
            "form": form,
            "page": page,
            "can_refer": bool(selectors.referring_memberships(request.user)),
            "export_query": request.GET.urlencode(),
        },
    )


@docking_required
def export(request):
    """The outcomes of the listed referrals as Excel. Only a download: recording that they went
    back to the referring unit is mark_reported's, a button of its own."""
    _form, qs = _referrals(request)
    now = clock.now()
    content = excel.outcome_export(list(qs), now)
    return xlsx_response(content, f"referral-outcomes-{now.astimezone(LOCAL_TZ):%Y%m%d}.xlsx")


@docking_required
@require_POST
def mark_reported(request):
    """The referring unit's staff record that the finished outcomes listed (the list's filter,
    in the query string) have been reported back."""
    _form, qs = _referrals(request)
    n = services.mark_reported(request.user, list(qs), clock.now())
    messages.success(request, _("%(n)d outcomes recorded as reported back.") % {"n": n})
    query = request.GET.urlencode()
    return redirect(reverse("docking:list") + (f"?{query}" if query else ""))


def _referring_channel(user) -> str:
    memberships = selectors.referring_memberships(user)
    if not memberships:
        raise Http404
    kind = memberships[0].unit.kind
    return next(ch for ch, kinds in selectors.REFERRING_KINDS.items() if kind in kinds)


@docking_required
def upload(request):
    channel = _referring_channel(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        try:
            items = excel.read_batch(f.name, f.read())
            batch, _results = services.import_referrals(
                request.user,
                items,
                clock.now(),
                channel=channel,
                source=Source.EXCEL,
                file_name=f.name,
            )
        except CaseError as e:
            form.add_error("file", e.field_errors.get("file", e.message))
        else:
            messages.success(
                request,
                _("%(created)d new cases, %(dup)d already received, %(failed)d rows with errors.")
                % {"created": batch.created, "dup": batch.duplicates, "failed": batch.failed},
            )
            return redirect("docking:batch", pk=batch.pk)
    batches = selectors.batches_visible_to(request.user).select_related("uploaded_by")[:10]
    return render(
        request,
        "docking/upload.html",
        {"form": form, "batches": batches, "is_court": channel == Channel.COURT},
    )


@docking_required
def template(request):
    _referring_channel(request.user)
    return xlsx_response(excel.template_workbook(), "referral-template.xlsx")


@docking_required
def batch_detail(request, pk: int):
    batch = get_object_or_404(selectors.batches_visible_to(request.user), pk=pk)
    return render(request, "docking/batch.html", {"batch": batch, "errors": batch.errors[:500]})


@docking_required
def batch_errors(request, pk: int):
    batch = get_object_or_404(selectors.batches_visible_to(request.user), pk=pk)
    return xlsx_response(excel.error_report(batch.errors), f"referral-errors-{batch.pk}.xlsx")
