"""The administrator's pages for connected systems' keys: list, issue (the plain key shown
once), revoke. Administrators only (404 else)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from areas.access import admin_required
from jiefen import clock
from jiefen.errors import ServiceError
from jiefen.forms import apply_errors

from . import services
from .forms import SystemKeyForm
from .models import SystemKey


@admin_required
def key_list(request):
    keys = SystemKey.objects.select_related("user").prefetch_related("areas")
    return render(request, "api/manage/keys.html", {"keys": keys})


@admin_required
def key_new(request):
    form = SystemKeyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plain, key = services.issue_system_key(
                request.user,
                name=data["name"],
                user=data["user"],
                channels=data["channels"],
                areas=data["areas"],
                now=clock.now(),
            )
        except ServiceError as e:
            apply_errors(e, form)
        else:
            # Shown on this answer only: it is stored hashed and cannot be shown again.
            response = render(request, "api/manage/key_issued.html", {"key": key, "plain": plain})
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "api/manage/key_form.html",
        {"form": form},
        status=422 if request.method == "POST" else 200,
    )


@require_POST
@admin_required
def key_revoke(request, pk: int):
    key = get_object_or_404(SystemKey, pk=pk)
    services.revoke_system_key(request.user, key, clock.now())
    messages.success(request, _("The key of %(name)s is revoked.") % {"name": key.name})
    return redirect("api_keys:list")
