from django.contrib import admin

from .models import Referral, ReferralBatch


@admin.register(ReferralBatch)
class ReferralBatchAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "referring_unit",
        "source",
        "file_name",
        "total",
        "created",
        "failed",
    ]
    list_filter = ["source", "channel"]
    readonly_fields = [f.name for f in ReferralBatch._meta.fields]


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = [
        "external_ref",
        "referring_unit",
        "case",
        "receiving_unit",
        "received_at",
        "reported_at",
    ]
    search_fields = ["external_ref", "case__code"]
    readonly_fields = [f.name for f in Referral._meta.fields]
