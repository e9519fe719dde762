from django.contrib import admin

from .models import Area, Membership, Unit


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "population")
    list_filter = ("level",)
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    readonly_fields = ("path",)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user", "area")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "area", "speciality", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "area__code", "area__name", "speciality")
    raw_id_fields = ("area",)
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "unit", "role", "area", "phone")
    list_filter = ("role",)
    search_fields = ("user__username", "user__first_name", "unit__name", "phone")
    raw_id_fields = ("user", "unit", "area")
