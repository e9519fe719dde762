"""The citizen side's endpoints, for a WeChat mini-program or the 12345 platform: ask an SMS
code, report a dispute, rate a closed case. No token: the reporter proves the phone with the
code, a party rates through the signed link sent to them; the same services as the
web pages (portal.services, portal.evaluations), the same rules and limits."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Header, Router, Schema

from jiefen import clock
from jiefen.errors import InvalidInput, NotAllowed
from jiefen.identity import validate_phone
from portal import codes, daily
from portal.evaluations import evaluation_for_token, rate
from portal.services import CitizenReport, report_dispute

from .schemas import Problem

router = Router(tags=["citizen"])
ERRORS = {400: Problem, 422: Problem, 429: Problem}


class CodeIn(Schema):
    phone: str


class Message(Schema):
    detail: str


class ReportIn(Schema):
    description: str
    area_code: str  # a village/community or a grid
    category: str  # a key of portal.plain.PLAIN_CATEGORIES (family, neighbours, …, other)
    name: str
    phone: str
    code: str  # the SMS code from POST /portal/codes
    place: str = ""
    other_name: str = ""
    other_phone: str = ""


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
    return 202, {"detail": _("A code has been sent by SMS; it is valid for 5 minutes.")}


@router.post(
    "/portal/reports",
    auth=None,
    response={201: ReportOut, 200: ReportOut, **ERRORS},
    url_name="portal_report",
    summary="Report a dispute as a citizen",
)
def report(
    request: HttpRequest,
    payload: ReportIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Becomes a case (channel "online") of the village or community center of the place;
    the reporter gets an SMS receipt with the tracking link. `category` is one of family,
    neighbours, property, contract, work, land, building, other. A resend with the same
    `Idempotency-Key` answers 200 with the first case instead of a second one."""
    data = CitizenReport(**payload.dict(), idempotency_key=idempotency_key or "")

    def url(code: str) -> str:
        return request.build_absolute_uri(reverse("portal:track", args=[code]))

    case, created = report_dispute(data, clock.now(), url)
    body = {"code": case.code, "tracking_url": url(case.code), "center": case.owner_unit.name}
    return (201 if created else 200), body


class EvaluationOut(Schema):
    case_code: str
    unit: str
    rated: bool
    expires_at: str


class RatingIn(Schema):
    satisfaction: str  # satisfied | basic | unsatisfied
    comment: str = ""


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
    response={204: None, 404: Problem, 409: Problem, 422: Problem},
    url_name="portal_rate",
    summary="A party rates how the case ended",
)
def rate_case(request: HttpRequest, token: str, payload: RatingIn):
    """Once per link, within 30 days (409 after). "unsatisfied" reopens the case or puts it
    on the center's review list, as the region's evaluation setting says."""
    rate(token, payload.satisfaction, payload.comment, clock.now())
    return 204, None


# ---------------------------------------------------------------- a grid's daily report


class DailyItemIn(Schema):
    kind: str  # visit | hazard | dispute | other
    text: str
    party_name: str = ""
    party_phone: str = ""


class DailyReportIn(Schema):
    grid_code: str
    all_quiet: bool = False  # 无事，平安 (then no items)
    items: list[DailyItemIn] = []


class DailyReportOut(Schema):
    grid_code: str
    day: str
    all_quiet: bool
    items: int


@router.post(
    "/grid/daily-reports",
    response={201: DailyReportOut, **ERRORS, 403: Problem, 409: Problem},
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
    return 201, {
        "grid_code": grid.code,
        "day": report.day.isoformat(),
        "all_quiet": report.all_quiet,
        "items": report.items.count(),
    }
