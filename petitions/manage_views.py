"""The administrator's pages for the 访诉分离 catalogue: which matters go to the courts or
other organs, who handles them (谁来办) and how (怎么办). Administrators only (404 else)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from areas.access import admin_required

from . import manage_services
from .forms import GuideForm
from .models import ChannelGuide


@admin_required
def guide_list(request):
    return render(
        request,
        "petitions/manage/guides.html",
        {"guides": ChannelGuide.objects.all()},
    )


@admin_required
def guide_form(request, pk: int | None = None):
    guide = get_object_or_404(ChannelGuide, pk=pk) if pk else None
    form = GuideForm(request.POST or None, instance=guide)
    if request.method == "POST" and form.is_valid():
        saved = manage_services.save_guide(request.user, form)
        messages.success(request, _("%(name)s is saved.") % {"name": saved.name})
        return redirect("petitions:manage_guides")
    return render(
        request,
        "petitions/manage/guide_form.html",
        {"form": form, "guide": guide},
        status=422 if request.method == "POST" else 200,
    )
