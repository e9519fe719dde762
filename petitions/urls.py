from django.urls import path

from . import manage_views, views

app_name = "petitions"
urlpatterns = [
    path("", views.petition_list, name="list"),
    path("cases/<str:code>/<slug:act>/", views.act, name="act"),
    path("receptions/", views.receptions, name="receptions"),
    path("receptions/<int:pk>/", views.reception, name="reception"),
    path("bookings/<int:pk>/record/", views.record, name="record"),
    path("manage/guides/", manage_views.guide_list, name="manage_guides"),
    path("manage/guides/new/", manage_views.guide_form, name="manage_guide_new"),
    path("manage/guides/<int:pk>/", manage_views.guide_form, name="manage_guide_edit"),
]
