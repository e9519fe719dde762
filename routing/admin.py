from django.contrib import admin

from .models import Deadline


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
