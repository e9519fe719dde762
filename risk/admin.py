from django.contrib import admin

from .models import CaseRisk, KeyPerson, RiskPlan, RiskRule, RiskTag, Visit


@admin.register(RiskRule)
class RiskRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "grade", "threshold", "words", "category_code", "is_active"]
    list_filter = ["kind", "grade", "is_active"]


@admin.register(RiskPlan)
class RiskPlanAdmin(admin.ModelAdmin):
    list_display = ["grade", "notify_levels_up", "report_hours", "handle_hours", "handle_label"]


@admin.register(RiskTag)
class RiskTagAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active"]


@admin.register(CaseRisk)
class CaseRiskAdmin(admin.ModelAdmin):
    list_display = ["case", "grade", "source", "set_at"]
    list_filter = ["grade", "source"]
    raw_id_fields = ["case", "set_by"]


@admin.register(KeyPerson)
class KeyPersonAdmin(admin.ModelAdmin):
    list_display = ["name", "area", "responsible", "visit_due_at", "missed_visits"]
    raw_id_fields = ["area", "responsible"]
    exclude = ["id_number", "phone"]  # PII is read and logged on the file's page


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["person", "at", "by", "late"]
    raw_id_fields = ["person", "by"]
