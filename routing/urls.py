from django.urls import path

from . import manage_views

app_name = "routing"
urlpatterns = [
    # Administration of the routing configuration (rules, escalation policies, calendar).
    path("manage/", manage_views.index, name="manage"),
    path("manage/rules/", manage_views.rule_list, name="manage_rules"),
    path("manage/rules/new/", manage_views.rule_new, name="manage_rule_new"),
    path("manage/rules/<int:pk>/", manage_views.rule_edit, name="manage_rule_edit"),
    path("manage/rules/<int:pk>/active/", manage_views.rule_active, name="manage_rule_active"),
    path("manage/policies/", manage_views.policy_list, name="manage_policies"),
    path("manage/policies/new/", manage_views.policy_new, name="manage_policy_new"),
    path("manage/policies/<int:pk>/", manage_views.policy_edit, name="manage_policy_edit"),
    path(
        "manage/policies/<int:pk>/assign/",
        manage_views.policy_assign,
        name="manage_policy_assign",
    ),
    path(
        "manage/policy-areas/<int:pk>/remove/",
        manage_views.policy_unassign,
        name="manage_policy_unassign",
    ),
    path("manage/calendar/", manage_views.calendar, name="manage_calendar"),
    path(
        "manage/calendar/<int:pk>/remove/",
        manage_views.calendar_remove,
        name="manage_calendar_remove",
    ),
]
