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
