"""Login throttling with django-axes: failed logins are counted in the database (so every web
process sees them) per user name and per client address; after AXES_FAILURE_LIMIT failures
either is locked out for LOGIN_LOCKOUT_MINUTES, on the login page and on POST
/api/v1/auth/token alike. Every attempt is logged (axes: AccessAttempt, AccessLog, and the
`axes` logger)."""

import json

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


class ThrottledBackend(AxesStandaloneBackend):
    """Axes' check, for logins that come with a request (the page, the API). A call without
    one is not from the network (a shell, the test client's login): nothing to throttle."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_message() -> str:
    return _(
        "Too many failed logins for this user name or from this address: try again in "
        "%(minutes)s minutes."
    ) % {"minutes": settings.LOGIN_LOCKOUT_MINUTES}


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: a problem body for the API, the login page with the message for
    a browser; 429 either way, with Retry-After."""
    retry_after = str(settings.LOGIN_LOCKOUT_MINUTES * 60)
    if request.path.startswith(API_PREFIX):
        body = {
            "type": "urn:jiefen:problem:too_many_attempts",
            "title": _("Too many attempts"),
            "status": 429,
            "detail": lockout_message(),
            "errors": {},
        }
        response = HttpResponse(
            json.dumps(body, ensure_ascii=False),
            status=429,
            content_type="application/problem+json",
        )
    else:
        # Unbound: validating it again would count one more failed attempt.
        form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
        response = render(
            request,
            "registration/login.html",
            {"form": form, "locked_out": lockout_message(), "next": request.POST.get("next", "")},
            status=429,
        )
    response["Retry-After"] = retry_after
    return response
