from django.urls import path

from . import manage_views, views

app_name = "mediation"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("mediators/", views.directory, name="directory"),
    # Administration of the mediators (administrators only).
    path("manage/", manage_views.mediator_list, name="manage"),
    path("manage/new/", manage_views.mediator_form, name="manage_new"),
    path("manage/<int:pk>/", manage_views.mediator_form, name="manage_edit"),
    path("manage/import/", manage_views.roster_import, name="manage_import"),
    path("manage/roster.xlsx", manage_views.roster_template, name="manage_roster"),
    path("cases/<str:code>/", views.case_page, name="case"),
    path("cases/<str:code>/assign/", views.assign, name="assign"),
    path("cases/<str:code>/sessions/", views.schedule, name="schedule"),
    path("cases/<str:code>/sessions/<int:pk>/record/", views.record, name="record"),
    path("cases/<str:code>/sessions/<int:pk>/reschedule/", views.reschedule, name="reschedule"),
    path("cases/<str:code>/end/", views.end, name="end"),
    path("cases/<str:code>/scans/", views.scan, name="scan"),
    path("cases/<str:code>/agreements/<int:pk>/confirmation/", views.confirm, name="confirm"),
    path("cases/<str:code>/confirmations/<int:pk>/filed/", views.file, name="file"),
    path("cases/<str:code>/confirmations/<int:pk>/decision/", views.decide, name="decide"),
]
