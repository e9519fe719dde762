"""Django admin for mediators and pools (the directory is data an administrator keeps)."""

from django.contrib import admin

from .models import Mediator, Pool


@admin.register(Pool)
class PoolAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "area", "unit")
    list_filter = ("kind",)
    search_fields = ("name",)


@admin.register(Mediator)
class MediatorAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "profession", "unit", "phone", "is_active")
    list_filter = ("kind", "profession", "is_active", "pools")
    search_fields = ("name", "unit__name")
    autocomplete_fields = ("user", "unit")
    filter_horizontal = ("specialities", "areas", "pools")
