"""The administrator's pages for webhook subscribers: list, create and edit, the delivery log
with resend, pause and resume. Administrators only (404 else)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from areas.access import admin_required
from jiefen import clock
from jiefen.errors import ServiceError
from jiefen.forms import apply_errors

from . import services
from .forms import SubscriberForm
from .models import DeliveryStatus, Subscriber, WebhookDelivery
from .registry import topics


@admin_required
def subscriber_list(request):
    subscribers = Subscriber.objects.select_related("area", "unit", "owner").annotate(
        waiting=Count("deliveries", filter=Q(deliveries__status__in=["pending", "failed"])),
        dead=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.DEAD)),
    )
    labels = topics()
    rows = [(s, [labels.get(t, t) for t in s.topics]) for s in subscribers]
    return render(request, "webhooks/manage/subscribers.html", {"rows": rows})


@admin_required
def subscriber_form(request, pk: int | None = None):
    subscriber = get_object_or_404(Subscriber, pk=pk) if pk else None
    if request.method == "POST":
        form = SubscriberForm(request.POST, user=request.user)
        if form.is_valid():
            d = form.cleaned_data
            data = services.SubscriberInput(
                name=d["name"],
                url=d["url"],
                topics=d["topics"],
                area=d["area"],
                unit=d["unit"],
                allow_private_network=d["allow_private_network"],
            )
            try:
                saved = services.save_subscriber(request.user, data, clock.now(), subscriber)
            except ServiceError as e:
                apply_errors(e, form)
            else:
                messages.success(request, _("%(name)s is saved.") % {"name": saved.name})
                return redirect("webhooks:deliveries", saved.pk)
    else:
        initial = {}
        if subscriber is not None:
            initial = {
                "name": subscriber.name,
                "url": subscriber.url,
                "topics": subscriber.topics,
                "area": subscriber.area,
                "unit": subscriber.unit,
                "allow_private_network": subscriber.allow_private_network,
            }
        form = SubscriberForm(initial=initial, user=request.user)
    return render(
        request,
        "webhooks/manage/subscriber_form.html",
        {"form": form, "subscriber": subscriber},
        status=422 if request.method == "POST" else 200,
    )


@admin_required
def deliveries(request, pk: int):
    subscriber = get_object_or_404(
        Subscriber.objects.select_related("area", "unit", "owner"), pk=pk
    )
    qs = WebhookDelivery.objects.filter(subscriber=subscriber).select_related("case")
    status = request.GET.get("status", "")
    if status in DeliveryStatus.values:
        qs = qs.filter(status=status)
    else:
        status = ""
    page = Paginator(qs.order_by("-pk"), 50).get_page(request.GET.get("page"))
    labels = topics()
    return render(
        request,
        "webhooks/manage/deliveries.html",
        {
            "subscriber": subscriber,
            "page": page,
            "rows": [(d, labels.get(d.topic, d.topic)) for d in page],
            "topic_labels": [labels.get(t, t) for t in subscriber.topics],
            "statuses": DeliveryStatus.choices,
            "status": status,
        },
    )


@admin_required
@require_POST
def resend(request, pk: int, delivery: int):
    original = get_object_or_404(WebhookDelivery, pk=delivery, subscriber_id=pk)
    copy = services.resend_delivery(request.user, original, clock.now())
    messages.success(
        request,
        _("Delivery %(id)s will be sent again as delivery %(new)s.")
        % {"id": original.pk, "new": copy.pk},
    )
    return redirect("webhooks:deliveries", pk)


@admin_required
@require_POST
def set_status(request, pk: int):
    subscriber = get_object_or_404(Subscriber, pk=pk)
    try:
        if request.POST.get("action") == "resume":
            services.resume_subscriber(request.user, subscriber, clock.now())
            messages.success(request, _("The subscriber is active again."))
        else:
            services.pause_subscriber(request.user, subscriber, clock.now())
            messages.success(request, _("The subscriber is paused."))
    except ServiceError as e:
        messages.error(request, e.message)
    return redirect("webhooks:deliveries", pk)
