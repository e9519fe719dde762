from django.urls import path

from . import views

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
    path("persons/<int:pk>/link/", views.person_link, name="person_link"),
    path("persons/<int:pk>/visit/", views.person_visit, name="person_visit"),
]
urlpatterns += [
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/items/<int:item_pk>/", views.meeting_conclude, name="meeting_conclude"),
    path("meetings/<int:pk>/notice/", views.meeting_notice, name="meeting_notice"),
    path("meetings/<int:pk>/minutes.docx", views.meeting_minutes, name="meeting_minutes"),
    path("notices/", views.notices, name="notices"),
    path("notices/<int:pk>/acknowledge/", views.notice_acknowledge, name="notice_acknowledge"),
    path("leading/", views.my_assignments, name="my_assignments"),
    path("cases/<str:code>/assign/", views.assign, name="assign"),
    path("cases/<str:code>/progress/", views.progress, name="progress"),
    path("cases/<str:code>/assignment/end/", views.end_assignment, name="end_assignment"),
    path("cases/<str:code>/review/", views.review, name="review"),
    path("cases/<str:code>/measures/<int:pk>/done/", views.measure_done, name="measure_done"),
]
