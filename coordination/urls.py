from django.urls import path

from . import views

app_name = "coordination"
urlpatterns = [
    path("cases/<str:code>/whistle/", views.whistle_blow, name="whistle_blow"),
    path("summons/<int:pk>/report/", views.summons_report, name="summons_report"),
    path("whistles/<int:pk>/meeting/", views.whistle_meeting, name="whistle_meeting"),
    path("summons/<int:pk>/feedback/", views.summons_feedback, name="summons_feedback"),
    path("summons/<int:pk>/evaluate/", views.summons_evaluate, name="summons_evaluate"),
    path("summons/<int:pk>/release/", views.summons_release, name="summons_release"),
    path("cases/<str:code>/supervise/", views.supervise, name="supervise"),
    path("supervisions/<int:pk>/answer/", views.supervision_answer, name="supervision_answer"),
    path("whistles/", views.whistle_counts, name="whistle_counts"),
]
