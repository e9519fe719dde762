"""Interactive API docs served with Swagger UI files from the installed django-ninja package.

Intranet deployments have no internet, so nothing may come from a CDN; and "ninja" is not in
INSTALLED_APPS, so its static files are served here rather than by the staticfiles app.
"""

import json
from pathlib import Path
from typing import Any

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import escape
from ninja.openapi.docs import DocsBase

ASSET_DIR = Path(ninja.__file__).parent / "static" / "ninja"
ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
    "favicon.png": "image/png",
}

PAGE = """<!DOCTYPE html>
<html>
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="{css}">
<link rel="icon" href="{icon}" type="image/png">
</head>
<body data-csrf-token="" data-api-csrf="">
<script type="application/json" id="swagger-settings">{settings}</script>
<div id="swagger-ui"></div>
<script src="{bundle}"></script>
<script src="{init}"></script>
</body>
</html>
"""


def asset_url(name: str) -> str:
    return reverse("api:docs_asset", args=[name])


class LocalSwagger(DocsBase):
    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        settings = {
            "url": self.get_openapi_url(api, kwargs),
            "layout": "BaseLayout",
            "deepLinking": True,
        }
        return HttpResponse(
            PAGE.format(
                title=escape(api.title),
                css=asset_url("swagger-ui.css"),
                icon=asset_url("favicon.png"),
                # "</" cannot end the script element early once escaped this way.
                settings=json.dumps(settings).replace("</", "<\\/"),
                bundle=asset_url("swagger-ui-bundle.js"),
                init=asset_url("swagger-ui-init.js"),
            )
        )


def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    """One of the Swagger UI files; only the names listed in ASSETS."""
    if name not in ASSETS:
        raise Http404(name)
    response = FileResponse((ASSET_DIR / name).open("rb"), content_type=ASSETS[name])
    response["Cache-Control"] = "public, max-age=86400"
    return response
