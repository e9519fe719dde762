"""The REST API under /api/v1/: one NinjaAPI, its routers, local docs and problem errors."""

from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from . import (
    auth,
    cases,
    docking,
    docs,
    followup,
    hotline,
    petitions,
    portal,
    problems,
    repeats,
    risk,
    time_limits,
)


class JiefenAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        return problems.declare_problem_bodies(super().get_openapi_schema(*args, **kwargs))


api = JiefenAPI(
    title="Jiefen API",
    version="1",
    description=(
        "解纷 Jiefen REST API. Get a token from POST /auth/token and send it as "
        "`Authorization: Bearer <token>`; a connected system sends its key (`jfk_…`, issued "
        "by an administrator) the same way, limited to the key's channels and areas. Every "
        "error is an RFC 9457 problem body. Open311 GeoReport v2 has its own document: "
        "[/open311/v2/docs](/open311/v2/docs) ([openapi.json](/open311/v2/openapi.json))."
    ),
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs=docs.LocalSwagger(),
    docs_url="/docs",
    auth=auth.TokenAuth(),
)
problems.install(api)
api.add_router("/auth", auth.router)
api.add_router("/", cases.router)
api.add_router("/", docking.router)
api.add_router("/", portal.router)
api.add_router("/", risk.router)
api.add_router("/", petitions.router)
api.add_router("/", time_limits.router)
api.add_router("/", followup.router)
api.add_router("/", repeats.router)
api.add_router("/", hotline.router)


def unknown_endpoint(request: HttpRequest, rest: str = "") -> HttpResponse:
    # Without this an unknown URL under /api/v1/ would get Django's HTML 404 page.
    return problems.problem(404, "not_found", _("No such API endpoint."))


app_name = "api"
urlpatterns = [
    path("docs/assets/<str:name>", docs.docs_asset, name="docs_asset"),
    *api.urls[0],
    re_path(r"^(?P<rest>.*)$", unknown_endpoint),
]
