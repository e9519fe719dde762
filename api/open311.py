"""Open311 GeoReport v2 under /open311/v2/, so that civic tools speaking it (FixMyStreet and
others) can file cases and follow them.

A second django-ninja API beside /api/v1/ (its own OpenAPI document, /open311/v2/openapi.json,
linked from the REST API's docs), because GeoReport has its own paths and its own error shape:
`[{"code": 400, "description": "service_code: …"}]`, the HTTP status the same as `code`, the
description starting with the field it is about.

- services: our active dispute categories (GB/T 31000), group = the major category.
- POST requests: with a connected system's key (api.SystemKey) as `api_key`, whose scope must
  allow the channel OPEN311_CHANNEL (default "online", citizen online: these tools are
  citizens reporting on line) and the area; registered by the same intake services as
  POST /api/v1/cases (check_intake, register_checked_case), received by the center of the
  area. Refused input writes nothing.
- GET requests: public and read-only, like the tracking page /c/<code> (cached by the browser
  and any proxy for a minute): status, plain-words status notes, the area's name, the
  handling unit, the times — never a name, a phone, an ID number or the description.
"""

import datetime
import re
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import re_path, reverse
from django.utils.translation import gettext as _
from ninja import Form, NinjaAPI, Path, Query, Schema
from ninja.errors import HttpError, ValidationError
from pydantic import Field

from areas.models import Area
from areas.selectors import center_for_area
from cases.models import Case, Category, Channel
from cases.services import CaseInput, PartyInput, check_intake, register_checked_case
from cases.workflow import OPEN_STATUSES
from clocks.models import Clock, Deadline, DeadlineState
from jiefen import clock
from jiefen.errors import InvalidInput, ServiceError
from jiefen.localtime import LOCAL_TZ, aware
from portal.plain import plain_status

from . import docs
from .auth import system_key_for
from .schemas import Text
from .scopes import check_intake_scope

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MAX_REQUESTS = 1000
DEFAULT_WINDOW = datetime.timedelta(days=90)
PUBLIC_MAX_AGE = 60  # as the tracking page (portal.views.PUBLIC_MAX_AGE)
CODE = r"^[0-9A-Za-z-]{1,40}$"


def intake_channel() -> str:
    return getattr(settings, "OPEN311_CHANNEL", Channel.ONLINE)


# ---------------------------------------------------------------- shapes (the OpenAPI document)


class Open311Error(Schema):
    code: int = Field(description="The HTTP status.")
    description: str = Field(description="What is wrong, starting with the field's name.")


class Endpoint(Schema):
    specification: str
    url: str
    changeset: str
    type: str
    formats: list[str]


class Discovery(Schema):
    changeset: str
    contact: str
    key_service: str
    endpoints: list[Endpoint]


class Service(Schema):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: str
    keywords: str
    group: str


class ServiceDefinition(Schema):
    service_code: str
    attributes: list[dict[str, Any]] = Field(description="Always empty: no extra attributes.")


class ServiceRequest(Schema):
    service_request_id: str
    status: str = Field(description="open or closed.")
    status_notes: str | None
    service_name: str | None
    service_code: str | None
    description: str | None = Field(description="Never published (it may name people): null.")
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: str = Field(description="ISO 8601 with the offset.")
    updated_datetime: str | None
    expected_datetime: str | None
    address: str | None = Field(description="The area's name.")
    address_id: str | None = Field(description="The area's division code.")
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None


class Created(Schema):
    service_request_id: str
    service_notice: str
    account_id: str | None


class RequestFilters(Schema):
    service_request_id: Text(4000, description="Case codes, comma-separated.") = ""
    service_code: Text(200, description="Category codes, comma-separated.") = ""
    start_date: Text(40, description="ISO 8601; default 90 days before end_date.") = ""
    end_date: Text(40, description="ISO 8601; default now.") = ""
    status: Text(20, description="open, closed, or both comma-separated.") = ""


class RequestIn(Schema):
    api_key: Text(200) = ""
    service_code: Text(10) = ""
    description: Text(4000) = ""
    address_string: Text(200) = ""
    address_id: Text(20, description="Our area's division code.") = ""
    lat: Text(30) = ""
    long: Text(30) = ""
    first_name: Text(40) = ""
    last_name: Text(40) = ""
    phone: Text(30) = ""
    email: Text(254, description="Accepted, not stored.") = ""
    device_id: Text(200) = ""
    account_id: Text(200) = ""
    media_url: Text(500) = ""


ERRORS = {400: list[Open311Error], 403: list[Open311Error], 404: list[Open311Error]}


# ---------------------------------------------------------------- errors


def error(status: int, field: str, message: str) -> JsonResponse:
    description = f"{field}: {message}" if field else str(message)
    return JsonResponse(
        [{"code": status, "description": description}],
        status=status,
        safe=False,
        json_dumps_params={"ensure_ascii": False},
    )


open311 = NinjaAPI(
    title="Jiefen Open311 GeoReport v2",
    version="v2",
    description=(
        "Open311 GeoReport v2 (" + SPECIFICATION + "), JSON only. Errors are "
        '`[{"code": <HTTP status>, "description": "<field>: <message>"}]`. POST requests.json '
        "needs a connected system's key (`api_key`) issued by an administrator."
    ),
    urls_namespace="open311",
    openapi_url="/openapi.json",
    docs=docs.LocalSwagger(),
    docs_url="/docs",
    auth=None,
)


# Service errors name the intake's fields; GeoReport clients know theirs.
FIELD_NAMES = {
    "area_code": "address_id",
    "category_code": "service_code",
    "title": "description",
    "address": "address_string",
    "parties": "first_name",
    "parties[0].name": "first_name",
    "parties[0].phone": "phone",
    "channel": "api_key",
}


def from_service_error(exc: ServiceError) -> JsonResponse:
    status = 400 if exc.status == 422 else exc.status
    if exc.field_errors:
        field, message = next(iter(exc.field_errors.items()))
        name = FIELD_NAMES.get(field, field)
        others = [f"{FIELD_NAMES.get(f, f)}: {m}" for f, m in list(exc.field_errors.items())[1:]]
        return error(status, name, " ".join([str(message), *others]))
    return error(status, "", exc.message)


@open311.exception_handler(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return from_service_error(exc)


@open311.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    loc = [p for p in first.get("loc", ()) if isinstance(p, str)]
    field = loc[-1] if loc else ""
    return error(400, field, _("Invalid value."))


@open311.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error(exc.status_code, "", str(exc))


@open311.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(404, "", _("Not found."))


# ---------------------------------------------------------------- helpers


def iso(value: datetime.datetime | None) -> str | None:
    return value.astimezone(LOCAL_TZ).replace(microsecond=0).isoformat() if value else None


def public(response: JsonResponse) -> JsonResponse:
    """Read-only and public: cacheable for a minute, like the tracking page."""
    response["Cache-Control"] = f"public, max-age={PUBLIC_MAX_AGE}"
    return response


def answer(data: Any, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def active_categories():
    return Category.objects.filter(is_active=True).select_related("parent", "moj_category")


def service_of(category: Category) -> dict[str, Any]:
    major = category.parent or category
    keywords = [major.name]
    if category.moj_category_id:
        keywords.append(category.moj_category.name)
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": f"{major.name} · {category.name}" if category.parent_id else major.name,
        "metadata": False,
        "type": "realtime",
        "keywords": ",".join(dict.fromkeys(keywords)),
        "group": major.name,
    }


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _when(value: str, field: str) -> datetime.datetime | None:
    if not value:
        return None
    try:
        at = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            _("Please correct the marked fields."),
            {field: _("Send an ISO 8601 time such as 2026-11-05T08:15:30+08:00.")},
        ) from None
    if not 2000 <= at.year <= 2100:
        raise InvalidInput(
            _("Please correct the marked fields."), {field: _("Send a time from 2000 to 2100.")}
        )
    return aware(at)


def _location(case: Case) -> tuple[float | None, float | None]:
    try:
        lat, lng = (float(v) for v in case.location.split(","))
    except ValueError:
        return None, None
    return lat, lng


def listed():
    """The cases the public endpoints answer about, with what they show (no personal field)."""
    expected = Deadline.objects.filter(
        case=OuterRef("pk"), clock=Clock.RESOLVE, state=DeadlineState.OPEN
    ).order_by("due_at")
    hidden = getattr(settings, "OPEN311_HIDDEN_CHANNELS", [Channel.PETITION])
    return (
        Case.objects.exclude(channel__in=hidden)
        .select_related("category", "area", "owner_unit", "duplicate_of")
        .only(
            "code",
            "status",
            "created_at",
            "updated_at",
            "location",
            "channel",
            "category__code",
            "category__name",
            "area__code",
            "area__name",
            "owner_unit__name",
            "duplicate_of__status",
            "duplicate_of__code",
        )  # fmt: skip
        .annotate(expected_at=Subquery(expected.values("due_at")[:1]))
    )


def request_of(case: Case) -> dict[str, Any]:
    # A repeat merged into its main case (并单) answers with the main case's progress.
    shown = case.duplicate_of or case
    lat, lng = _location(case)
    notes = str(plain_status(shown.status))
    if case.duplicate_of_id:
        notes = _("Merged into %(code)s: %(status)s") % {"code": shown.code, "status": notes}
    return {
        "service_request_id": case.code,
        "status": "open" if shown.status in OPEN_STATUSES else "closed",
        "status_notes": notes,
        "service_name": case.category.name if case.category_id else None,
        "service_code": case.category.code if case.category_id else None,
        "description": None,
        "agency_responsible": case.owner_unit.name,
        "service_notice": None,
        "requested_datetime": iso(case.created_at),
        "updated_datetime": iso(case.updated_at),
        "expected_datetime": iso(case.expected_at) if shown.status in OPEN_STATUSES else None,
        "address": case.area.name,
        "address_id": case.area.code,
        "zipcode": None,
        "lat": lat,
        "long": lng,
        "media_url": None,
    }


# ---------------------------------------------------------------- endpoints


@open311.get(
    "/discovery.json",
    response={200: Discovery},
    url_name="discovery",
    summary="Service discovery",
)
def discovery(request: HttpRequest):
    """Where the GeoReport v2 endpoint is and which formats it speaks (JSON)."""
    base = request.build_absolute_uri(reverse("open311:services"))
    today = clock.now().astimezone(LOCAL_TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    changeset = iso(today)
    return public(
        answer(
            {
                "changeset": changeset,
                "contact": getattr(settings, "OPEN311_CONTACT", ""),
                "key_service": _("Keys are issued by the administrator of this platform."),
                "endpoints": [
                    {
                        "specification": SPECIFICATION,
                        "url": base.rsplit("/", 1)[0],
                        "changeset": changeset,
                        "type": "production",
                        "formats": ["application/json"],
                    }
                ],
            }
        )
    )


@open311.get(
    "/services.json",
    response={200: list[Service]},
    url_name="services",
    summary="The services: our dispute categories",
)
def services(request: HttpRequest):
    """Every active GB/T 31000 dispute category, majors (2 digits) and minors (4 digits);
    `group` is the major category."""
    return public(answer([service_of(c) for c in active_categories().order_by("code")]))


@open311.get(
    "/services/{service_code}.json",
    response={200: ServiceDefinition, **ERRORS},
    url_name="service",
    summary="A service's definition",
)
def service_definition(
    request: HttpRequest, service_code: str = Path(..., pattern=r"^[0-9]{1,10}$")
):
    """No service has extra attributes (metadata is false): the list is empty."""
    category = active_categories().filter(code=service_code).first()
    if category is None:
        return error(404, "service_code", _("No such service."))
    return public(answer({"service_code": category.code, "attributes": []}))


@open311.get(
    "/requests.json",
    response={200: list[ServiceRequest], **ERRORS},
    url_name="requests",
    summary="Service requests (public fields only)",
)
def requests_list(request: HttpRequest, filters: Query[RequestFilters]):
    """Newest first, at most 1000. `service_request_id` (comma-separated case codes) ignores
    the other filters; otherwise the last 90 days (or the 90 days before end_date) unless
    start_date says otherwise."""
    qs = listed()
    ids = _split(filters.service_request_id)
    if ids:
        if len(ids) > MAX_REQUESTS or any(not re.match(CODE, i) for i in ids):
            return error(400, "service_request_id", _("Send up to 1000 case codes."))
        qs = qs.filter(code__in=ids)
    else:
        start = _when(filters.start_date, "start_date")
        end = _when(filters.end_date, "end_date")
        if start and end and start > end:
            return error(400, "start_date", _("start_date is after end_date."))
        if start is None:
            start = (end or clock.now()) - DEFAULT_WINDOW
        qs = qs.filter(created_at__gte=start)
        if end is not None:
            qs = qs.filter(created_at__lte=end)
        codes = _split(filters.service_code)
        if codes:
            q = Q()
            for code in codes:
                q |= Q(category__code=code) | Q(category__parent__code=code)
            qs = qs.filter(q)
        wanted = set(_split(filters.status))
        if wanted - {"open", "closed"}:
            return error(400, "status", _("Choose open, closed or both."))
        if wanted == {"open"}:
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif wanted == {"closed"}:
            qs = qs.exclude(status__in=OPEN_STATUSES)
    cases = qs.order_by("-created_at", "-pk")[:MAX_REQUESTS]
    return public(answer([request_of(c) for c in cases]))


@open311.get(
    "/requests/{service_request_id}.json",
    response={200: list[ServiceRequest], **ERRORS},
    url_name="request",
    summary="One service request by its case code",
)
def request_detail(request: HttpRequest, service_request_id: str = Path(..., pattern=CODE)):
    """A list of one, as the specification has it; 404 when there is no such case."""
    case = listed().filter(code=service_request_id).first()
    if case is None:
        return error(404, "service_request_id", _("No such service request."))
    return public(answer([request_of(case)]))


def _area_for(data: RequestIn, key) -> Area:
    """address_id (our area code); else the deepest of the key's areas (or any area, for a
    key without areas) whose name the address names; else the key's only area."""
    if data.address_id.strip():
        return Area.objects.filter(code=data.address_id.strip()).first() or _unknown_area()
    allowed = list(key.areas.all())
    address = data.address_string.strip()
    if address:
        candidates = Area.objects.all()
        if allowed:
            scope = Q()
            for a in allowed:
                scope |= Q(path__startswith=a.path)
            candidates = candidates.filter(scope)
        named = [a for a in candidates.only("pk", "name", "level", "path") if a.name in address]
        if named:
            return max(named, key=lambda a: (a.level, len(a.name)))
    if len(allowed) == 1:
        return allowed[0]
    raise InvalidInput(
        _("Please correct the marked fields."),
        {"address_id": _("Send address_id (the area's division code): the place is unknown.")},
    )


def _unknown_area():
    raise InvalidInput(
        _("Please correct the marked fields."), {"address_id": _("Unknown area code.")}
    )


def _title(description: str) -> str:
    first = description.strip().splitlines()[0] if description.strip() else ""
    return first if len(first) <= 40 else first[:39] + "…"


@open311.post(
    "/requests.json",
    response={200: list[Created], **ERRORS},
    url_name="requests_create",
    summary="File a service request (a case)",
)
def requests_create(request: HttpRequest, payload: Form[RequestIn]):
    """Form-encoded, as GeoReport v2 has it. `api_key`: a connected system's key allowing the
    intake channel (OPEN311_CHANNEL, default "online") and the place. `service_code` and
    `description` are required; the place is `address_id` (our area code), or an
    `address_string` naming one of our areas; `lat`/`long` are kept with the case. The
    reporting party is first_name/last_name (required) and phone."""
    key = system_key_for(payload.api_key.strip(), clock.now())
    if key is None:
        return error(403, "api_key", _("Send a valid, unrevoked key."))
    request.system_key = key
    errors = {}
    if not payload.service_code.strip():
        errors["service_code"] = _("Choose a service (dispute category).")
    if not payload.description.strip():
        errors["description"] = _("Describe the dispute.")
    name = (payload.last_name.strip() + payload.first_name.strip()).strip()
    if not name:
        errors["first_name"] = _("Give the reporting person's name.")
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors)
    area = _area_for(payload, key)
    channel = intake_channel()
    check_intake_scope(request, channel, area, channel_field="api_key", area_field="address_id")
    location = f"{payload.lat.strip()},{payload.long.strip()}" if payload.lat else ""
    data = CaseInput(
        title=_title(payload.description),
        description=payload.description.strip(),
        area_code=area.code,
        channel=channel,
        category_code=payload.service_code.strip(),
        address=payload.address_string.strip(),
        location=location,
        parties=[PartyInput(name=name, phone=payload.phone.strip())],
    )
    now = clock.now()
    checked = check_intake(key.user, data, now, owner=center_for_area(area))
    case = register_checked_case(
        checked,
        now,
        event_note=_("Filed through %(system)s") % {"system": key.name},
        event_data={"system": key.name, "interface": "open311"},
    )
    tracking = request.build_absolute_uri(reverse("portal:track", args=[case.code]))
    notice = _("Registered as %(code)s at %(center)s; follow it at %(url)s") % {
        "code": case.code,
        "center": case.owner_unit.name,
        "url": tracking,
    }
    return answer([{"service_request_id": case.code, "service_notice": notice, "account_id": None}])


def unknown_endpoint(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error(404, "", _("No such Open311 endpoint."))


app_name = "open311"
urlpatterns = [
    *open311.urls[0],
    re_path(r"^(?P<rest>.*)$", unknown_endpoint),
]
