from django.urls import path

from . import manage_views, views

app_name = "risk"
urlpatterns = [
    path("cases/<str:code>/grade/", views.set_grade, name="set_grade"),
    path(
        "cases/<str:code>/obligations/<str:clock_name>/",
        views.close_obligation,
        name="close_obligation",
    ),
    path("persons/", views.persons, name="persons"),
    path("persons/new/", views.person_new, name="person_new"),
    path("persons/<int:pk>/", views.person, name="person"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:pk>/link/", views.person_link, name="person_link"),
    path("persons/<int:pk>/visit/", views.person_visit, name="person_visit"),
]
urlpatterns += [
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/items/<int:item_pk>/", views.meeting_conclude, name="meeting_conclude"),
    path("meetings/<int:pk>/notice/", views.meeting_notice, name="meeting_notice"),
    path("notices/", views.notices, name="notices"),
    path("notices/<int:pk>/acknowledge/", views.notice_acknowledge, name="notice_acknowledge"),
    path("leading/", views.my_assignments, name="my_assignments"),
    path("cases/<str:code>/assign/", views.assign, name="assign"),
    path("cases/<str:code>/progress/", views.progress, name="progress"),
    path("cases/<str:code>/assignment/end/", views.end_assignment, name="end_assignment"),
    path("cases/<str:code>/review/", views.review, name="review"),
    path("cases/<str:code>/measures/<int:pk>/done/", views.measure_done, name="measure_done"),
]
urlpatterns += [
    path("manage/", manage_views.index, name="manage"),
    path("manage/rules/", manage_views.rule_list, name="manage_rules"),
    path("manage/rules/new/", manage_views.rule_new, name="manage_rule_new"),
    path("manage/rules/<int:pk>/", manage_views.rule_edit, name="manage_rule_edit"),
    path("manage/rules/<int:pk>/active/", manage_views.rule_active, name="manage_rule_active"),
    path("manage/plans/", manage_views.plan_list, name="manage_plans"),
    path("manage/plans/<str:grade>/", manage_views.plan_edit, name="manage_plan_edit"),
    path("manage/tags/", manage_views.tag_list, name="manage_tags"),
    path("manage/tags/<int:pk>/", manage_views.tag_edit, name="manage_tag_edit"),
    path("manage/schedules/", manage_views.schedule_list, name="manage_schedules"),
    path("manage/schedules/new/", manage_views.schedule_new, name="manage_schedule_new"),
    path("manage/schedules/<int:pk>/", manage_views.schedule_edit, name="manage_schedule_edit"),
]
