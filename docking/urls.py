from django.urls import path

from . import views

app_name = "docking"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("export.xlsx", views.export, name="export"),
    path("reported/", views.mark_reported, name="mark_reported"),
    path("upload/", views.upload, name="upload"),
    path("template.xlsx", views.template, name="template"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("batches/<int:pk>/errors.xlsx", views.batch_errors, name="batch_errors"),
]
