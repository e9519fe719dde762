from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from jiefen import clock


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


def bad_request(request, exception=None):
    """400: what was wrong with the request, in the user's language (jiefen.forms.BadQuery
    carries its form's messages; other bad requests say nothing more)."""
    messages = getattr(exception, "messages", [])
    return render(request, "400.html", {"problems": messages}, status=400)
