from django.contrib import admin

from .models import ApiToken, IdempotencyRecord, SystemKey


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by POST /api/v1/auth/token; here an administrator only revokes them."""

    list_display = ["user", "prefix", "created_at", "expires_at", "last_used_at"]
    list_filter = ["created_at"]
    search_fields = ["user__username", "prefix"]
    readonly_fields = ["user", "prefix", "created_at", "expires_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ["user", "key", "status_code", "created_at"]
    search_fields = ["user__username", "key"]
    readonly_fields = ["user", "key", "fingerprint", "status_code", "response", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SystemKey)
class SystemKeyAdmin(admin.ModelAdmin):
    """Keys are issued and revoked at /manage/keys/ (the plain key is shown there once)."""

    list_display = ["name", "prefix", "user", "created_at", "revoked_at", "last_used_at"]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = ["prefix", "created_at", "created_by", "revoked_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:
        return False
