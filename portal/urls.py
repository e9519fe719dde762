from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("c/<str:code>", views.track, name="track"),
    path("report/", views.report, name="report"),
    path("report/code/", views.report_code, name="report_code"),
    path("e/<str:token>/", views.evaluate, name="evaluate"),
    path("portal/reviews/", views.reviews, name="reviews"),
    path("grid/daily/", views.daily, name="daily"),
    path("grid/daily/items/<int:pk>/case/", views.daily_case, name="daily_case"),
    path("grid/daily/overview/", views.daily_overview, name="daily_overview"),
    path("grid/log/", views.grid_log, name="grid_log"),
    path("grid/log/visits/<int:pk>/photo", views.visit_photo, name="visit_photo"),
    path("portal/reviews/<int:pk>/done/", views.review_done, name="review_done"),
    path("c/<str:code>/party/", views.party, name="party"),
    path("c/<str:code>/party/verify/", views.verify, name="verify"),
    path("c/<str:code>/party/materials/<int:pk>/", views.provide, name="provide"),
    path("c/<str:code>/party/agreements/<int:pk>.pdf", views.agreement, name="agreement"),
]
