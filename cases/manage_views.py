"""The administrator's pages for the dispute categories (under /manage/, beside the area
tree, units and staff)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from areas.access import admin_required
from areas.services import AdminError
from jiefen.forms import apply_errors

from . import categories as category_services
from .forms import CategoryAddForm, CategoryEditForm
from .models import Category


@admin_required
def category_list(request):
    form = CategoryAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            category_services.add_minor_category(
                request.user, d["major"], d["code"], d["name"], d["moj_category"]
            )
        except AdminError as e:
            apply_errors(e, form)
        else:
            messages.success(request, _("The category has been added."))
            return redirect("cases:categories")
    categories = Category.objects.select_related("moj_category", "parent").order_by("code")
    return render(request, "cases/category_list.html", {"categories": categories, "form": form})


@admin_required
def category_edit(request, pk: int):
    category = get_object_or_404(Category, pk=pk)
    form = CategoryEditForm(
        request.POST or None,
        initial={
            "name": category.name,
            "moj_category": category.moj_category,
            "is_active": category.is_active,
        },
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            category_services.update_category(
                request.user, category, d["name"], d["moj_category"], d["is_active"]
            )
        except AdminError as e:
            apply_errors(e, form)
        else:
            messages.success(request, _("The category has been saved."))
            return redirect("cases:categories")
    return render(request, "cases/category_form.html", {"form": form, "category": category})
