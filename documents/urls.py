from django.urls import path

from . import views

app_name = "documents"
urlpatterns = [
    path("templates/", views.template_list, name="templates"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
    path("meetings/<int:pk>/minutes.<str:fmt>", views.meeting_minutes, name="meeting_minutes"),
    path("<str:code>/<slug:slug>.<str:fmt>", views.download, name="download"),
]
