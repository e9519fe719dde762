from django.urls import path

from . import views

app_name = "hotline"
urlpatterns = [
    path("", views.order_list, name="orders"),
    path("<int:pk>/", views.order_detail, name="order"),
    path("<int:pk>/<str:act>/", views.act, name="act"),
]
