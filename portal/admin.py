from django.contrib import admin

from .models import EvaluationSetting


@admin.register(EvaluationSetting)
class EvaluationSettingAdmin(admin.ModelAdmin):
    """What a party's 不满意 leads to, per area (the nearest setting up the tree applies)."""

    list_display = ["area", "on_unsatisfied", "review_days"]
    autocomplete_fields = ["area"]
