from django.urls import path

from . import manage_views, views

app_name = "cases"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("cases/", views.case_list, name="list"),
    path("cases/new/", views.intake, name="new"),
    path("cases/batch/", views.batch, name="batch"),
    path("cases/export/", views.export, name="export"),
    path("cases/new/duplicates/", views.duplicates, name="duplicates"),
    path("cases/<str:code>/", views.detail, name="detail"),
    path("cases/<str:code>/act/", views.act, name="act"),
    path("cases/<str:code>/attachments/", views.upload, name="upload"),
    path("cases/<str:code>/attachments/<int:pk>/", views.download, name="download"),
    path("cases/<str:code>/attachments/<int:pk>/view/", views.view_attachment, name="attachment"),
    path("cases/<str:code>/materials/<int:pk>/provided/", views.provide, name="provide"),
    path("cases/<str:code>/pause/", views.pause, name="pause"),
    path("cases/<str:code>/resume/", views.resume, name="resume"),
    path("cases/<str:code>/complexity/", views.complexity, name="complexity"),
    path("manage/categories/", manage_views.category_list, name="categories"),
    path("manage/categories/<int:pk>/", manage_views.category_edit, name="category_edit"),
]
