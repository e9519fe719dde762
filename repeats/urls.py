from django.urls import path

from . import views

app_name = "repeats"
urlpatterns = [
    path("cases/<str:code>/merge/", views.merge, name="merge"),
    path("cases/<str:code>/unmerge/", views.unmerge, name="unmerge"),
]
