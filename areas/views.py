"""Administration pages under /manage/: area tree, import, units, staff, categories.

Only administrators (role admin or superuser) get here; everyone else gets a 404, so the
pages do not even reveal that they exist. Writes go through areas.services.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from areas.access import admin_required
from jiefen.forms import SearchForm, apply_errors, parse_query

from . import services
from .forms import (
    AreaForm,
    AreaQuery,
    ImportForm,
    MembershipForm,
    ParentQuery,
    StaffCreateForm,
    StaffEditForm,
    UnitForm,
)
from .models import Area, Membership, Unit

PAGE = 100


def _tree_qs():
    return (
        Area.objects.annotate(n_children=Count("children", distinct=True))
        .prefetch_related(Prefetch("units", queryset=Unit.objects.order_by("kind", "name")))
        .order_by("code")
    )


# ---------------------------------------------------------------- areas


@admin_required
def index(request):
    return redirect("areas:tree")


@admin_required
def tree(request):
    q = parse_query(SearchForm(request.GET))["q"]
    if q:
        areas = _tree_qs().filter(Q(code__startswith=q) | Q(name__contains=q))[:PAGE]
    else:
        areas = _tree_qs().filter(parent__isnull=True)
    return render(request, "areas/tree.html", {"areas": areas, "q": q})


@admin_required
def area_children(request, pk: int):
    """The htmx fragment that expands one node of the tree."""
    area = get_object_or_404(Area, pk=pk)
    return render(request, "areas/_tree_nodes.html", {"areas": _tree_qs().filter(parent=area)})


@admin_required
def area_detail(request, pk: int):
    area = get_object_or_404(Area, pk=pk)
    return render(
        request,
        "areas/area_detail.html",
        {
            "area": area,
            "ancestors": area.ancestors()[:-1],
            "children": _tree_qs().filter(parent=area),
            "units": area.units.order_by("kind", "name"),
        },
    )


def _area_form_view(request, area: Area | None):
    if request.method == "POST":
        form = AreaForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                area = services.save_area(
                    request.user, services.AreaInput(**form.cleaned_data), area
                )
            except services.AdminError as e:
                apply_errors(e, form)
            else:
                messages.success(request, _("The area has been saved."))
                return redirect("areas:area_detail", pk=area.pk)
    elif area:
        form = AreaForm(
            user=request.user,
            initial={
                "code": area.code,
                "name": area.name,
                "level": area.level,
                "parent_code": area.parent.code if area.parent_id else "",
                "population": area.population,
            },
        )
    else:
        parent_id = parse_query(ParentQuery(request.GET))["parent"]
        parent = Area.objects.filter(pk=parent_id).first() if parent_id else None
        initial = {"population": 0}
        if parent:
            initial.update(parent_code=parent.code, level=min(parent.level + 1, 6))
        form = AreaForm(initial=initial, user=request.user)
    return render(request, "areas/area_form.html", {"form": form, "area": area})


@admin_required
def area_new(request):
    return _area_form_view(request, None)


@admin_required
def area_edit(request, pk: int):
    return _area_form_view(request, get_object_or_404(Area, pk=pk))


@admin_required
def area_import(request):
    report = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            f = form.cleaned_data["file"]
            try:
                report = services.import_areas(request.user, f.name, f.read())
            except services.AdminError as e:
                apply_errors(e, form)
    else:
        form = ImportForm()
    return render(request, "areas/area_import.html", {"form": form, "report": report})


# ---------------------------------------------------------------- units


@admin_required
def unit_list(request):
    q = parse_query(SearchForm(request.GET))["q"]
    units = Unit.objects.select_related("area").annotate(n_staff=Count("memberships"))
    if q:
        units = units.filter(Q(name__contains=q) | Q(area__code__startswith=q))
    return render(request, "areas/unit_list.html", {"units": units[:PAGE], "q": q})


def _unit_form_view(request, unit: Unit | None):
    if request.method == "POST":
        form = UnitForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                unit = services.save_unit(
                    request.user, services.UnitInput(**form.cleaned_data), unit
                )
            except services.AdminError as e:
                apply_errors(e, form)
            else:
                messages.success(request, _("The unit has been saved."))
                return redirect("areas:unit_edit", pk=unit.pk)
    elif unit:
        form = UnitForm(
            user=request.user,
            initial={
                "name": unit.name,
                "kind": unit.kind,
                "area_code": unit.area.code,
                "speciality": unit.speciality,
                "phone": unit.phone,
            },
        )
    else:
        area_id = parse_query(AreaQuery(request.GET))["area"]
        area = Area.objects.filter(pk=area_id).first() if area_id else None
        form = UnitForm(initial={"area_code": area.code if area else ""}, user=request.user)
    staff = unit.memberships.select_related("user", "area") if unit else []
    return render(request, "areas/unit_form.html", {"form": form, "unit": unit, "staff": staff})


@admin_required
def unit_new(request):
    return _unit_form_view(request, None)


@admin_required
def unit_edit(request, pk: int):
    return _unit_form_view(request, get_object_or_404(Unit.objects.select_related("area"), pk=pk))


@admin_required
@require_POST
def unit_active(request, pk: int):
    unit = get_object_or_404(Unit, pk=pk)
    services.set_unit_active(request.user, unit, request.POST.get("active") == "1")
    messages.success(request, _("The unit has been updated."))
    return redirect("areas:unit_edit", pk=unit.pk)


# ---------------------------------------------------------------- staff


@admin_required
def staff_list(request):
    q = parse_query(SearchForm(request.GET))["q"]
    users = (
        get_user_model()
        .objects.order_by("username")
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.select_related("unit"))
        )
    )
    if q:
        users = users.filter(
            Q(username__icontains=q) | Q(first_name__contains=q) | Q(memberships__phone=q)
        ).distinct()
    return render(request, "areas/staff_list.html", {"users": users[:PAGE], "q": q})


@admin_required
def staff_new(request):
    form = StaffCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = services.create_staff(
                request.user,
                d["username"],
                d["full_name"],
                d["password"],
                d["phone"],
                unit=d["unit"],
                role=d["role"],
                area=d["area"],
            )
        except services.AdminError as e:
            apply_errors(e, form)
        else:
            messages.success(request, _("The account has been created."))
            return redirect("areas:staff_detail", pk=user.pk)
    return render(request, "areas/staff_new.html", {"form": form})


@admin_required
def staff_detail(request, pk: int):
    staff = get_object_or_404(get_user_model(), pk=pk)
    memberships = staff.memberships.select_related("unit__area", "area")
    first_phone = next((m.phone for m in memberships if m.phone), "")
    edit_form = StaffEditForm(initial={"full_name": staff.first_name, "phone": first_phone})
    membership_form = MembershipForm(user=request.user)
    if request.method == "POST" and request.POST.get("form") == "edit":
        edit_form = StaffEditForm(request.POST)
        if edit_form.is_valid():
            d = edit_form.cleaned_data
            try:
                services.update_staff(
                    request.user, staff, d["full_name"], d["phone"], d["password"]
                )
            except services.AdminError as e:
                apply_errors(e, edit_form)
            else:
                messages.success(request, _("The account has been saved."))
                return redirect("areas:staff_detail", pk=staff.pk)
    elif request.method == "POST" and request.POST.get("form") == "membership":
        membership_form = MembershipForm(request.POST, user=request.user)
        if membership_form.is_valid():
            d = membership_form.cleaned_data
            try:
                services.add_membership(request.user, staff, d["unit"], d["role"], d["area"])
            except services.AdminError as e:
                apply_errors(e, membership_form)
            else:
                messages.success(request, _("The membership has been added."))
                return redirect("areas:staff_detail", pk=staff.pk)
    return render(
        request,
        "areas/staff_detail.html",
        {
            "staff": staff,
            "memberships": memberships,
            "edit_form": edit_form,
            "membership_form": membership_form,
        },
    )


@admin_required
@require_POST
def membership_remove(request, pk: int):
    m = get_object_or_404(Membership, pk=pk)
    services.remove_membership(request.user, m)
    messages.success(request, _("The membership has been removed."))
    return redirect("areas:staff_detail", pk=m.user_id)


@admin_required
@require_POST
def staff_active(request, pk: int):
    staff = get_object_or_404(get_user_model(), pk=pk)
    try:
        services.set_user_active(request.user, staff, request.POST.get("active") == "1")
    except services.AdminError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("The account has been updated."))
    return redirect("areas:staff_detail", pk=staff.pk)
