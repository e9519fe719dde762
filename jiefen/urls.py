from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("pick/<slug:source>/", views.pick, name="pick"),
    path("exports/<uuid:pk>/", views.export_status, name="export_status"),
    path("exports/<uuid:pk>/download/", views.export_download, name="export_download"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("open311/v2/", include("api.open311")),
    path("manage/keys/", include("api.manage_urls")),
    path("manage/", include("areas.urls")),
    path("routing/", include("routing.urls")),
    path("routing/", include("coordination.urls")),
    path("notifications/", include("notifications.urls")),
    path("mediation/", include("mediation.urls")),
    path("documents/", include("documents.urls")),
    path("docking/", include("docking.urls")),
    path("stats/", include("stats.urls")),
    path("risk/", include("risk.urls")),
    path("petitions/", include("petitions.urls")),
    path("followup/", include("followup.urls")),
    path("repeats/", include("repeats.urls")),
    path("hotline/", include("hotline.urls")),
    path("webhooks/", include("webhooks.urls")),
    path("", include("portal.urls")),
    path("", include("cases.urls")),
]
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# A query string a page's form refuses (jiefen.forms.BadQuery) and any other bad request: a
# 400 page saying what is wrong.
handler400 = "jiefen.views.bad_request"
