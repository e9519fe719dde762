from django.contrib import admin

from .models import Subscriber, WebhookDelivery


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "status", "consecutive_failures"]
    list_filter = ["status"]
    raw_id_fields = ["area", "unit", "owner"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["pk", "subscriber", "topic", "status", "attempts", "last_response_code"]
    list_filter = ["status", "topic"]
    raw_id_fields = ["subscriber", "case"]
