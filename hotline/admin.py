from django.contrib import admin

from .models import HotlineMapping, HotlineMessage, HotlineOrder


@admin.register(HotlineMapping)
class HotlineMappingAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "is_default", "return_window_hours"]


class MessageInline(admin.TabularInline):
    model = HotlineMessage
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "data", "sent_at", "deliveries", "actor"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(HotlineOrder)
class HotlineOrderAdmin(admin.ModelAdmin):
    list_display = ["order_no", "mapping", "request_type", "state", "case", "received_at"]
    list_filter = ["mapping", "request_type", "state"]
    search_fields = ["order_no", "caller_name"]
    raw_id_fields = ["case", "area", "unit", "answered_by", "received_by"]
    inlines = [MessageInline]

    def has_change_permission(self, request, obj=None):
        return False  # written by the services only
