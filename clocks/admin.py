from django.contrib import admin

from clocks.models import CalendarOverride, Deadline, EscalationPolicy, EscalationStep, PolicyArea


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    """Deadlines are opened and closed by the case services and the sweep; read-only here."""

    list_display = ("case", "clock", "unit", "level", "due_at", "state", "overdue_at", "met")
    list_filter = ("clock", "state", "level", "met")
    search_fields = ("case__code", "unit__name")
    date_hierarchy = "due_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    """Corrections to the holiday calendar, and whole years the calendar package lacks."""

    list_display = ("date", "is_workday", "note")
    list_filter = ("is_workday",)
    date_hierarchy = "date"
    search_fields = ("note",)


class EscalationStepInline(admin.TabularInline):
    model = EscalationStep
    extra = 0
    fields = ("order", "level", "time_limit", "time_unit", "max_attempts", "note")


class PolicyAreaInline(admin.TabularInline):
    model = PolicyArea
    extra = 0
    autocomplete_fields = ("area",)


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "description")
    inlines = [EscalationStepInline, PolicyAreaInline]


@admin.register(PolicyArea)
class PolicyAreaAdmin(admin.ModelAdmin):
    list_display = ("area", "policy")
    list_filter = ("policy",)
    search_fields = ("area__name", "area__code", "policy__name")
    autocomplete_fields = ("area",)
