"""The citizen side's endpoints, for a WeChat mini-program or the 12345 platform: ask an SMS
code, report a dispute, rate a closed case. No token: the reporter proves the phone with the
code, a party rates through the signed link sent to them; the same services as the
web pages (portal.services, portal.evaluations), the same rules and limits."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Header, Router, Schema, Status, UploadedFile
from pydantic import Field

from jiefen import clock
from jiefen.errors import InvalidInput, NotAllowed
from jiefen.identity import validate_phone
from portal import codes, daily
from portal.evaluations import evaluation_for_token, rate
from portal.services import CitizenReport, report_dispute

from .schemas import Problem, Text

router = Router(tags=["citizen"])
ERRORS = {400: Problem, 422: Problem, 429: Problem}


class CodeIn(Schema):
    phone: Text(20)


class Message(Schema):
    detail: str


class ReportIn(Schema):
    description: Text(2000)
    area_code: Text(20)  # a village/community or a grid
    category: Text(20)  # a key of portal.plain.PLAIN_CATEGORIES (family, neighbours, …, other)
    name: Text(80)
    phone: Text(20)
    code: Text(6)  # the SMS code from POST /portal/codes
    place: Text(200) = ""
    other_name: Text(80) = ""
    other_phone: Text(20) = ""


class ReportOut(Schema):
    code: str
    tracking_url: str
    center: str


def _phone(value: str) -> str:
    try:
        return validate_phone(value)
    except ValidationError as e:
        raise InvalidInput(e.messages[0], {"phone": e.messages[0]}) from None


@router.post(
    "/portal/codes",
    auth=None,
    response={202: Message, **ERRORS},
    url_name="portal_code",
    summary="Send an SMS verification code to a phone",
)
def send_code(request: HttpRequest, payload: CodeIn):
    """A 6-digit code, valid 5 minutes, at most 5 tries; one a minute and 5 an hour per
    phone, 20 an hour per client address (429 beyond)."""
    codes.send_code(_phone(payload.phone), "report", request.META.get("REMOTE_ADDR"), clock.now())
    return Status(202, {"detail": _("A code has been sent by SMS; it is valid for 5 minutes.")})


@router.post(
    "/portal/reports",
    auth=None,
    response={201: ReportOut, 200: ReportOut, **ERRORS},
    url_name="portal_report",
    summary="Report a dispute as a citizen",
)
def report(
    request: HttpRequest,
    payload: Form[ReportIn],
    photos: File[list[UploadedFile]] = None,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Sent as multipart/form-data, with up to 5 `photos` (images of at most 10 MB each,
    checked as the web form checks them). Becomes a case (channel "online") of the village or
    community center of the place; the reporter gets an SMS receipt with the tracking link.
    `category` is one of family, neighbours, property, contract, work, land, building, other.
    A resend with the same `Idempotency-Key` answers 200 with the first case instead of a
    second one."""
    data = CitizenReport(
        **payload.dict(), idempotency_key=idempotency_key or "", photos=list(photos or [])
    )

    def url(code: str) -> str:
        return request.build_absolute_uri(reverse("portal:track", args=[code]))

    case, created = report_dispute(data, clock.now(), url)
    body = {"code": case.code, "tracking_url": url(case.code), "center": case.owner_unit.name}
    return Status(201 if created else 200, body)


class EvaluationOut(Schema):
    case_code: str
    unit: str
    rated: bool
    expires_at: str


class RatingIn(Schema):
    satisfaction: Text(20)  # satisfied | basic | unsatisfied
    comment: Text(500) = ""


@router.get(
    "/portal/evaluations/{token}",
    auth=None,
    response={200: EvaluationOut, 404: Problem},
    url_name="portal_evaluation",
    summary="The evaluation an SMS link names",
)
def evaluation(request: HttpRequest, token: str):
    """The token is the last part of the link sent to the party (/e/<token>/)."""
    e = evaluation_for_token(token)
    return {
        "case_code": e.case.code,
        "unit": e.case.owner_unit.name,
        "rated": e.rated_at is not None,
        "expires_at": e.expires_at.isoformat(),
    }


@router.post(
    "/portal/evaluations/{token}",
    auth=None,
    response={204: None, 400: Problem, 404: Problem, 409: Problem, 422: Problem},
    url_name="portal_rate",
    summary="A party rates how the case ended",
)
def rate_case(request: HttpRequest, token: str, payload: RatingIn):
    """Once per link, within 30 days (409 after). "unsatisfied" reopens the case or puts it
    on the center's review list, as the region's evaluation setting says."""
    rate(token, payload.satisfaction, payload.comment, clock.now())
    return Status(204, None)


# ---------------------------------------------------------------- a grid's daily report


class DailyItemIn(Schema):
    kind: Text(20)  # visit | hazard | dispute | other
    text: Text(500)
    party_name: Text(80) = ""
    party_phone: Text(20) = ""


class DailyReportIn(Schema):
    grid_code: Text(20)
    all_quiet: bool = False  # 无事，平安 (then no items)
    items: list[DailyItemIn] = Field(default=[], max_length=50)


class DailyReportOut(Schema):
    grid_code: str
    day: str
    all_quiet: bool
    items: int


@router.post(
    "/grid/daily-reports",
    response={201: DailyReportOut, **ERRORS, 401: Problem, 403: Problem, 409: Problem},
    url_name="daily_report",
    summary="A grid worker's daily report (有事报情况，无事报平安)",
)
def daily_report(request: HttpRequest, payload: DailyReportIn):
    """Today's report of one of the worker's grids: `all_quiet`, or items added to today's
    report (a second call adds more). 409 when the grid reported all quiet today already."""
    user, now = request.auth, clock.now()
    grid = next((g for g in daily.reporting_grids(user) if g.code == payload.grid_code), None)
    if grid is None:
        raise NotAllowed(_("You do not report for this grid."), {"grid_code": _("Not yours.")})
    if payload.all_quiet == bool(payload.items):
        raise InvalidInput(
            _("Send either all_quiet or the day's items."),
            {"items": _("Send either all_quiet or the day's items.")},
        )
    with transaction.atomic():
        if payload.all_quiet:
            report = daily.report_all_quiet(user, grid.pk, now)
        else:
            for item in payload.items:
                report = daily.add_item(user, grid.pk, now=now, **item.dict()).report
    return Status(
        201,
        {
            "grid_code": grid.code,
            "day": report.day.isoformat(),
            "all_quiet": report.all_quiet,
            "items": report.items.count(),
        },
    )
