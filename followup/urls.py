from django.urls import path

from . import views

app_name = "followup"
urlpatterns = [
    path("cases/<str:code>/visits/", views.visit, name="visit"),
    path(
        "cases/<str:code>/agreements/<int:pk>/performance/",
        views.performance,
        name="performance",
    ),
]
