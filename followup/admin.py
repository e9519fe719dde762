from django.contrib import admin

from .models import FollowUpSetting


@admin.register(FollowUpSetting)
class FollowUpSettingAdmin(admin.ModelAdmin):
    list_display = [
        "area",
        "first_within_days",
        "second_from_grade",
        "second_within_days",
        "earliest_after_hours",
        "rebound_action",
    ]
    raw_id_fields = ["area"]
