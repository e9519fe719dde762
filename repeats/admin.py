from django.contrib import admin

from .models import Merge, RepeatRule


@admin.register(RepeatRule)
class RepeatRuleAdmin(admin.ModelAdmin):
    list_display = ("window_days", "min_similarity", "max_proposals")


@admin.register(Merge)
class MergeAdmin(admin.ModelAdmin):
    list_display = ("repeat", "main", "merged_at", "unmerged_at")
    raw_id_fields = ("repeat", "main", "merged_by", "unmerged_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
