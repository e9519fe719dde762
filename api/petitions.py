"""Petition endpoints (信访事项): the procedure of a petition case — decision, extension,
written opinions, requests for 复查/复核 — the 访诉分离 catalogue, and leader reception days.

The same services and scopes as the pages: a case outside the user's scope is a 404, an act
the user may not do a 403, bad input a 422 problem body naming the fields; nothing is written
then."""

import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from cases.selectors import get_visible_case
from clocks.models import Deadline, DeadlineState
from jiefen import clock
from jiefen.errors import NotFound
from petitions import services
from petitions.models import ChannelGuide, Petition
from petitions.selectors import bookings_visible_to, days_visible_to

from .cases import CaseCode
from .schemas import Id, Problem, Text

ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}

router = Router(tags=["petitions"])


class ClockOut(Schema):
    clock: str
    label: str
    due_at: datetime.datetime
    state: str
    met: bool | None


class OpinionOut(Schema):
    kind: str
    result: str
    facts: str
    text: str
    basis: str
    unit: str
    issued_at: datetime.datetime


class PetitionOut(Schema):
    case: str
    stage: str = Field(..., description="registered, handling, redirected, replied, review, "
                       "reviewed, recheck, closed")  # fmt: skip
    stage_label: str
    form: str
    registered_at: datetime.datetime
    decision: str
    decided_at: datetime.datetime | None
    forwarded_to: str
    guide: str
    guide_who: str
    guide_how: str
    extended_days: int
    extension_reason: str
    replied_at: datetime.datetime | None
    review_requested_at: datetime.datetime | None
    reviewed_at: datetime.datetime | None
    recheck_requested_at: datetime.datetime | None
    rechecked_at: datetime.datetime | None
    clocks: list[ClockOut]
    opinions: list[OpinionOut]


def _petition(case) -> Petition:
    petition = Petition.objects.filter(case=case).select_related("guide", "forwarded_to").first()
    if petition is None:
        raise NotFound(_("This case is not a petition."))
    return petition


def _out(petition: Petition) -> dict:
    petition = Petition.objects.select_related("case", "guide", "forwarded_to").get(pk=petition.pk)
    clocks = Deadline.objects.filter(case_id=petition.case_id, clock__in=services.PETITION_CLOCKS)
    g = petition.guide
    return {
        "case": petition.case.code,
        "stage": petition.stage,
        "stage_label": str(petition.get_stage_display()),
        "form": petition.form,
        "registered_at": petition.registered_at,
        "decision": petition.decision,
        "decided_at": petition.decided_at,
        "forwarded_to": petition.forwarded_to.name if petition.forwarded_to else "",
        "guide": g.name if g else "",
        "guide_who": g.competent if g else "",
        "guide_how": g.how if g else "",
        "extended_days": petition.extended_days,
        "extension_reason": petition.extension_reason,
        "replied_at": petition.replied_at,
        "review_requested_at": petition.review_requested_at,
        "reviewed_at": petition.reviewed_at,
        "recheck_requested_at": petition.recheck_requested_at,
        "rechecked_at": petition.rechecked_at,
        "clocks": [
            {
                "clock": d.clock,
                "label": str(d.get_clock_display()),
                "due_at": d.due_at,
                "state": "overdue" if d.state == DeadlineState.OPEN and d.overdue_at else d.state,
                "met": d.met,
            }
            for d in clocks.order_by("started_at", "pk")
        ],
        "opinions": [
            {
                "kind": o.kind,
                "result": o.result,
                "facts": o.facts,
                "text": o.text,
                "basis": o.basis,
                "unit": o.unit.name,
                "issued_at": o.issued_at,
            }
            for o in petition.opinions.select_related("unit")
        ],
    }


@router.get(
    "/cases/{code}/petition", response={200: PetitionOut, **ERRORS}, url_name="case_petition"
)
def case_petition(request: HttpRequest, code: str = CaseCode):
    """The petition procedure of a case of the petition channel: stage, clocks, opinions."""
    return _out(_petition(get_visible_case(request.auth, code)))


class DecisionIn(Schema):
    decision: Text(10, description="accept, forward or redirect (告知 the competent channel)") = ""
    form: Text(10, description="visit, letter, online or phone") = ""
    unit_id: Id | None = Field(None, description="The unit a forwarded petition goes to.")
    guide_id: Id | None = Field(None, description="The 访诉分离 catalogue entry (redirect).")
    category_code: Text(4) = ""
    note: Text(5000) = ""


@router.post(
    "/cases/{code}/petition/decision",
    response={200: PetitionOut, **ERRORS},
    url_name="petition_decision",
)
def petition_decision(request: HttpRequest, payload: DecisionIn, code: str = CaseCode):
    """Decide within 15 days of registration (信访工作条例 第二十三条)."""
    petition = _petition(get_visible_case(request.auth, code))
    services.decide(
        petition,
        request.auth,
        payload.decision,
        clock.now(),
        note=payload.note,
        form=payload.form,
        unit_id=payload.unit_id,
        guide_id=payload.guide_id,
        category_code=payload.category_code,
    )
    return _out(petition)


class ExtensionIn(Schema):
    days: int = Field(0, description="1 to 30: the regulation allows one extension of 30 days.")
    reason: Text(5000, description="The reason the petitioner is told.") = ""


@router.post(
    "/cases/{code}/petition/extension",
    response={200: PetitionOut, **ERRORS},
    url_name="petition_extension",
)
def petition_extension(request: HttpRequest, payload: ExtensionIn, code: str = CaseCode):
    """A leader of the handling organ extends the 60 days once, by at most 30 (403 for anyone
    else; 422 beyond 30 days, a second time, or after the 60 days)."""
    petition = _petition(get_visible_case(request.auth, code))
    services.extend(petition, request.auth, payload.days, payload.reason, clock.now())
    return _out(petition)


class OpinionIn(Schema):
    kind: Text(10, description="handling (the 答复意见书), review (复查) or recheck (复核)") = ""
    result: Text(
        10, description="support, explain or reject; for review/recheck uphold or change"
    ) = ""
    facts: Text(5000) = ""
    text: Text(5000) = ""
    basis: Text(5000) = ""


@router.post(
    "/cases/{code}/petition/opinions",
    response={200: PetitionOut, **ERRORS},
    url_name="petition_opinion",
)
def petition_opinion(request: HttpRequest, payload: OpinionIn, code: str = CaseCode):
    """The written opinion of the current step; it closes the step's clock."""
    petition = _petition(get_visible_case(request.auth, code))
    services.give_opinion(
        petition,
        request.auth,
        payload.kind,
        clock.now(),
        result=payload.result,
        facts=payload.facts,
        text=payload.text,
        basis=payload.basis,
    )
    return _out(petition)


class RequestIn(Schema):
    kind: Text(10, description="review (复查) or recheck (复核)") = ""
    note: Text(5000, description="What the petitioner asks, and why.") = ""


@router.post(
    "/cases/{code}/petition/requests",
    response={200: PetitionOut, **ERRORS},
    url_name="petition_request",
)
def petition_request(request: HttpRequest, payload: RequestIn, code: str = CaseCode):
    """Register the petitioner's request for 复查 or 复核: refused (422) after 30 days from
    the written opinion; opens the 30-day clock of the organ asked."""
    petition = _petition(get_visible_case(request.auth, code))
    services.request(petition, request.auth, payload.kind, payload.note, clock.now())
    return _out(petition)


class GuideOut(Schema):
    id: int
    name: str
    kind: str
    competent: str = Field(..., description="谁来办")
    how: str = Field(..., description="怎么办")


@router.get("/petition-guides", response={200: list[GuideOut], **ERRORS}, url_name="guides")
def petition_guides(request: HttpRequest):
    """The active entries of the 访诉分离 catalogue."""
    return [
        {"id": g.pk, "name": g.name, "kind": g.kind, "competent": g.competent, "how": g.how}
        for g in ChannelGuide.objects.filter(is_active=True)
    ]


class ReceptionDayOut(Schema):
    id: int
    date: datetime.date
    unit: str
    leader: str
    place: str
    kind: str


class BookingOut(Schema):
    id: int
    day: ReceptionDayOut
    case: str
    outcome: str
    recorded_at: datetime.datetime | None


def _day_out(d) -> dict:
    return {
        "id": d.pk,
        "date": d.date,
        "unit": d.unit.name,
        "leader": d.leader.get_full_name() or d.leader.username,
        "place": d.place,
        "kind": d.kind,
    }


def _booking_out(b) -> dict:
    return {
        "id": b.pk,
        "day": _day_out(b.day),
        "case": b.case.code,
        "outcome": b.outcome,
        "recorded_at": b.recorded_at,
    }


@router.get(
    "/reception-days", response={200: list[ReceptionDayOut], **ERRORS}, url_name="reception_days"
)
def reception_days(request: HttpRequest):
    """The coming leader reception days of the user's scope (at most 100)."""
    days = days_visible_to(request.auth).filter(date__gte=clock.today_local())
    return [_day_out(d) for d in days.select_related("unit", "leader").order_by("date", "pk")[:100]]


class BookingIn(Schema):
    day_id: int = Field(0, description="A coming reception day (GET /reception-days).")


@router.post(
    "/cases/{code}/reception-bookings",
    response={200: BookingOut, **ERRORS},
    url_name="reception_book",
)
def reception_book(request: HttpRequest, payload: BookingIn, code: str = CaseCode):
    """Book the case to a coming reception day of a center over its area."""
    case = get_visible_case(request.auth, code)
    booking = services.book(case, request.auth, payload.day_id, clock.now())
    return _booking_out(booking)


class OutcomeIn(Schema):
    outcome: Text(5000) = ""


@router.post(
    "/reception-bookings/{pk}/outcome",
    response={200: BookingOut, **ERRORS},
    url_name="reception_outcome",
)
def reception_outcome(request: HttpRequest, pk: int, payload: OutcomeIn):
    """The leader of the day records what the reception came to (403 for anyone else)."""
    booking = bookings_visible_to(request.auth).select_related("case").filter(pk=pk).first()
    if booking is None:
        raise NotFound(_("No such booking."))
    booking = services.record_reception(booking, request.auth, payload.outcome, clock.now())
    return _booking_out(booking)
