"""The administrator's pages for mediators: the list, a form per mediator, the Excel roster."""

from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from openpyxl import Workbook

from areas.access import admin_required
from areas.services import AdminError
from jiefen.forms import SearchForm, apply_errors, parse_query
from jiefen.pagination import page_of
from jiefen.spreadsheets import append_row

from . import manage_services as services
from .manage_forms import MediatorForm, RosterForm
from .models import Mediator
from .selectors import with_load


@admin_required
def mediator_list(request):
    q = parse_query(SearchForm(request.GET))["q"]
    qs = with_load(Mediator.objects.all()).select_related("unit__area")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(unit__name__icontains=q))
    qs = qs.prefetch_related("specialities", "areas", "pools").order_by("-is_active", "name")
    return render(request, "mediation/manage/list.html", {"page": page_of(request, qs, 50), "q": q})


@admin_required
def mediator_form(request, pk: int | None = None):
    mediator = get_object_or_404(Mediator, pk=pk) if pk else None
    form = MediatorForm(request.POST or None, user=request.user, mediator=mediator)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = services.MediatorInput(
            name=d["name"],
            kind=d["kind"],
            profession=d["profession"],
            unit=d["unit"],
            phone=d["phone"],
            is_active=d["is_active"],
            specialities=list(d["specialities"]),
            areas=d["area_codes"],
            pools=list(d["pools"]),
        )
        try:
            saved = services.save_mediator(request.user, data, mediator)
        except AdminError as e:
            apply_errors(e, form)
        else:
            messages.success(request, _("%(name)s is saved.") % {"name": saved.name})
            return redirect("mediation:manage")
    return render(request, "mediation/manage/form.html", {"form": form, "mediator": mediator})


@admin_required
def roster_import(request):
    form = RosterForm(request.POST or None, request.FILES or None)
    results = None
    if request.method == "POST" and form.is_valid():
        try:
            results = services.import_roster(request.user, form.cleaned_data["file"].read())
        except AdminError as e:
            apply_errors(e, form)
        else:
            saved = sum(1 for r in results if r.mediator)
            messages.success(request, _("%(n)d mediators saved.") % {"n": saved})
    status = 422 if results and any(r.errors for r in results) else 200
    return render(
        request,
        "mediation/manage/import.html",
        {"form": form, "results": results, "columns": services.COLUMNS},
        status=status,
    )


@admin_required
def roster_template(request):
    """An empty roster with its header row and one example line."""
    book = Workbook()
    sheet = book.active
    sheet.title = "调解员名册"
    append_row(sheet, services.COLUMNS)
    append_row(
        sheet, ["王调解", "人民调解员", "", "某村人民调解委员会", "01, 02", "430121100201", "", ""]
    )
    response = HttpResponse(
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="mediator-roster.xlsx"'
    book.save(response)
    return response
