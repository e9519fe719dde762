"""Every API error is an RFC 9457 problem body: {type, title, status, detail, errors}.

Service errors (jiefen.errors.ServiceError, whichever app raised it) carry their own status,
code, translated message and field errors; this module only turns them, and django-ninja's
own errors, into that one shape.
"""

import json
import logging
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from cases.errors import CaseNotFound
from jiefen.errors import ServiceError

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/problem+json"


def _titles() -> dict[str, str]:
    # Built per call so the titles follow the request's language.
    return {
        "invalid_input": _("Invalid input"),
        "illegal_transition": _("Not possible in the current status"),
        "not_allowed": _("Not allowed"),
        "not_found": _("Not found"),
        "unauthorized": _("Authentication required"),
        "idempotency_conflict": _("Idempotency key reused"),
        "bad_request": _("Bad request"),
        "server_error": _("Server error"),
        "refused": _("Request refused"),
        "throttled": _("Too many requests"),
    }


def problem(
    status: int,
    code: str,
    detail: str = "",
    errors: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """A problem response; `code` names the problem type and picks the title."""
    body: dict[str, Any] = {
        "type": f"urn:jiefen:problem:{code}",
        "title": _titles().get(code, code),
        "status": status,
        "detail": str(detail),
        "errors": {k: str(v) for k, v in (errors or {}).items()},
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, cls=DjangoJSONEncoder),
        status=status,
        content_type=CONTENT_TYPE,
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def field_name(loc: list | tuple) -> str:
    """("body", "payload", "parties", 0, "id_number") -> "parties[0].id_number", the same
    names the services use in their field errors."""
    parts = list(loc)
    source = parts.pop(0) if parts else ""
    if source == "body" and len(parts) > 1:
        parts.pop(0)  # the view's parameter name, which the client never sees
    name = ""
    for p in parts:
        if isinstance(p, int):
            name += f"[{p}]"
        else:
            name += f".{p}" if name else str(p)
    return name or "__all__"


def from_service_error(exc: ServiceError) -> HttpResponse:
    """The problem body of a service's refusal."""
    if isinstance(exc, CaseNotFound):
        # The service puts the code in the message; say it in words, never whether it exists.
        return problem(404, "not_found", _("No case with this code is visible to you."))
    return problem(exc.status, exc.code, exc.message, exc.field_errors)


def install(api: NinjaAPI) -> None:
    """Replace django-ninja's default error bodies with problem bodies."""

    @api.exception_handler(ServiceError)
    def service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
        return from_service_error(exc)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors: dict[str, str] = {}
        for e in exc.errors:
            errors.setdefault(field_name(e.get("loc", ())), e.get("msg", ""))
        return problem(422, "invalid_input", _("Please correct the marked fields."), errors)

    @api.exception_handler(AuthenticationError)
    def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem(
            401,
            "unauthorized",
            _("Send a valid token: Authorization: Bearer <token>."),
            headers={"WWW-Authenticate": 'Bearer realm="jiefen"'},
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = {401: "unauthorized", 403: "not_allowed", 404: "not_found"}.get(
            exc.status_code, "bad_request"
        )
        return problem(exc.status_code, code, str(exc))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem(404, "not_found", _("Not found."))

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Log the traceback for operators; the client gets no internals.
        logger.exception("API error on %s %s", request.method, request.path)
        return problem(500, "server_error", _("Something went wrong on our side."))


def declare_problem_bodies(schema: dict) -> dict:
    """Every error response of the OpenAPI document is declared as what it is,
    application/problem+json (django-ninja declares every response as application/json)."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if int(status) >= 400 and "application/json" in content:
                    content[CONTENT_TYPE] = content.pop("application/json")
    return schema
