from django.urls import path

from . import views

app_name = "stats"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cases/", views.case_list, name="cases"),
    path("assessment/", views.assessment, name="assessment"),
    path("assessment/weights/", views.weights, name="weights"),
    path("export/<slug:table>.xlsx", views.export, name="export"),
    path("moj-return/", views.moj_return_page, name="moj_return"),
    path("moj-return.xlsx", views.moj_return_xlsx, name="moj_return_xlsx"),
    path("report.pdf", views.monthly_report, name="report"),
    path("rebuild/", views.rebuild, name="rebuild"),
]
