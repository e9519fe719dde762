"""The key pages under /manage/keys/ (administrators)."""

from django.urls import path

from . import manage_views

app_name = "api_keys"
urlpatterns = [
    path("", manage_views.key_list, name="list"),
    path("new/", manage_views.key_new, name="new"),
    path("<int:pk>/revoke/", manage_views.key_revoke, name="revoke"),
]
