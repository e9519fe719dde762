import json
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control

from jiefen import clock, exports, pickers


def healthz(request):
    """200 when the database answers; 503 otherwise (for load balancers and monitoring)."""
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchone()
    except Exception as e:  # report, do not crash the probe
        return JsonResponse({"status": "error", "database": str(e)}, status=503)
    return JsonResponse(
        {"status": "ok", "database": connection.vendor, "time": clock.now().isoformat()}
    )


@cache_control(no_cache=True)
def service_worker(request):
    """/sw.js at the root, so its scope covers the pages it keeps for offline use
    (settings.OFFLINE_PAGES; jiefen/offline.js registers it and keeps the drafts)."""
    pages = [reverse(name) for name in settings.OFFLINE_PAGES]
    response = render(
        request,
        "jiefen/sw.js",
        {"pages": json.dumps(pages), "static_url": static("")},
        content_type="application/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    return response


@login_required
def pick(request, source):
    """A page of a picker's results (htmx): only rows in the user's scope, grouped.

    An unknown source, or a context the user may not see (another area's case), is a 404.
    """
    src = pickers.get_source(source)
    params = {k: request.GET.get(k, "") for k in src.params}
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    q = request.GET.get("q", "")[:50]
    rows, more = pickers.search_page(src, request.user, params, q, page)
    next_url = ""
    if more:
        next_url = f"{request.path}?{urlencode({**params, 'q': q, 'page': page + 1})}"
    return render(
        request,
        "jiefen/picker_results.html",
        {"groups": pickers.grouped(src, rows), "next_url": next_url, "page": page, "q": q},
    )


def bad_request(request, exception=None):
    """400: what was wrong with the request, in the user's language (jiefen.forms.BadQuery
    carries its form's messages; other bad requests say nothing more)."""
    messages = getattr(exception, "messages", [])
    return render(request, "400.html", {"problems": messages}, status=400)


def _own_export(request, pk):
    """The user's own export, while it is kept; anyone else's (or an expired one) is a 404."""
    export = exports.visible(request.user, clock.now()).filter(pk=pk).first()
    if export is None:
        raise Http404
    return export


@login_required
def export_status(request, pk):
    """A big export's page: its progress while the task runs (htmx polls the status part),
    then the download link."""
    export = _own_export(request, pk)
    context = {
        "export": export,
        "status": exports.status(export),
        "keep_hours": settings.EXPORT_KEEP_HOURS,
    }
    template = "jiefen/_export_status.html" if request.htmx else "jiefen/export.html"
    return render(request, template, context)


@login_required
def export_download(request, pk):
    export = _own_export(request, pk)
    if not export.file:
        raise Http404
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=export.filename)
