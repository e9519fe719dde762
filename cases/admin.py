"""Django admin for cases: browse and correct reference data. Case history is read-only here;
state changes go through the case services so that the timeline stays complete."""

from django.contrib import admin

from jiefen import clock

from .models import (
    Case,
    CaseAccessLog,
    CaseUnit,
    Category,
    MissingMaterial,
    MojCategory,
    Party,
    TimelineEvent,
)
from .services import record_admin_change


@admin.register(MojCategory)
class MojCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "moj_category", "is_active")
    list_filter = ("is_active", "moj_category")
    search_fields = ("code", "name")


class PartyInline(admin.TabularInline):
    model = Party
    extra = 0
    fields = ("role", "kind", "name", "id_number", "phone", "address")


class MissingMaterialInline(admin.TabularInline):
    model = MissingMaterial
    extra = 0


class CaseUnitInline(admin.TabularInline):
    model = CaseUnit
    extra = 0
    readonly_fields = ("unit", "relation", "since")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class TimelineInline(admin.TabularInline):
    model = TimelineEvent
    extra = 0
    fields = ("at", "kind", "from_status", "to_status", "actor", "actor_unit", "note", "data")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "status", "category", "area", "owner_unit", "created_at")
    list_filter = ("status", "channel", "level", "scale")
    search_fields = ("code", "title", "external_ref", "parties__name")
    date_hierarchy = "created_at"
    raw_id_fields = ("area", "owner_unit", "first_unit", "dispatcher_unit", "duplicate_of")
    # Status, owner and times change only through perform_transition (with a timeline event).
    readonly_fields = (
        "code",
        "status",
        "level",
        "owner_unit",
        "first_unit",
        "dispatcher_unit",
        "transfer_channel",
        "reporter",
        "created_at",
        "updated_at",
        "accepted_at",
        "closed_at",
    )
    inlines = [PartyInline, MissingMaterialInline, CaseUnitInline, TimelineInline]

    def has_add_permission(self, request):
        return False  # intake goes through register_case (code, deadlines, timeline)

    def has_delete_permission(self, request, obj=None):
        return False  # a case's record is kept (its timeline is append-only)

    def log_change(self, request, obj, message):
        # Inside the admin's saving transaction: a correction of the case or of its parties is
        # written to the timeline with what changed, like every other change.
        entry = super().log_change(request, obj, message)
        record_admin_change(obj, request.user, entry.get_change_message(), message, clock.now())
        return entry


@admin.register(TimelineEvent)
class TimelineEventAdmin(admin.ModelAdmin):
    list_display = ("case", "at", "kind", "from_status", "to_status", "actor", "actor_unit")
    list_filter = ("kind",)
    search_fields = ("case__code",)
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseAccessLog)
class CaseAccessLogAdmin(admin.ModelAdmin):
    list_display = ("case", "user", "at", "channel", "ip")
    list_filter = ("channel",)
    search_fields = ("case__code", "user__username")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
