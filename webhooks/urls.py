from django.urls import path

from . import manage_views

app_name = "webhooks"
urlpatterns = [
    path("manage/", manage_views.subscriber_list, name="manage"),
    path("manage/new/", manage_views.subscriber_form, name="manage_new"),
    path("manage/<int:pk>/", manage_views.subscriber_form, name="manage_edit"),
    path("manage/<int:pk>/deliveries/", manage_views.deliveries, name="deliveries"),
    path("manage/<int:pk>/status/", manage_views.set_status, name="status"),
    path(
        "manage/<int:pk>/deliveries/<int:delivery>/resend/",
        manage_views.resend,
        name="resend",
    ),
]
