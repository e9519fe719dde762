from django.urls import path

from . import views

app_name = "areas"
urlpatterns = [
    path("", views.index, name="index"),
    path("areas/", views.tree, name="tree"),
    path("areas/new/", views.area_new, name="area_new"),
    path("areas/import/", views.area_import, name="area_import"),
    path("areas/<int:pk>/", views.area_detail, name="area_detail"),
    path("areas/<int:pk>/edit/", views.area_edit, name="area_edit"),
    path("areas/<int:pk>/children/", views.area_children, name="area_children"),
    path("units/", views.unit_list, name="units"),
    path("units/new/", views.unit_new, name="unit_new"),
    path("units/<int:pk>/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/active/", views.unit_active, name="unit_active"),
    path("staff/", views.staff_list, name="staff"),
    path("staff/new/", views.staff_new, name="staff_new"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/active/", views.staff_active, name="staff_active"),
    path("memberships/<int:pk>/remove/", views.membership_remove, name="membership_remove"),
]
