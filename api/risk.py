"""Risk endpoints: a case's 红橙黄 grade (read and write), key persons' files.

The same services and scopes as the pages: set_grade writes, get_visible_case and
persons_visible_to decide what is visible (404 outside the user's scope)."""

import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from cases.errors import InvalidInput
from cases.selectors import get_visible_case
from jiefen import clock
from jiefen.errors import NotFound
from jiefen.identity import mask_id_number, mask_phone
from risk import keypersons, meetings, services
from risk.models import CaseRisk, Grade

from .schemas import Problem

ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}
MAX_PAGE_SIZE = 100

router = Router(tags=["risk"])


class ObligationOut(Schema):
    clock: str
    label: str
    due_at: datetime.datetime
    overdue: bool


class RiskOut(Schema):
    case: str
    grade: str = Field(..., description="red, orange, yellow or none")
    grade_label: str
    source: str = Field("", description="rule (proposed at intake) or manual; empty for none")
    reason: str
    rules: list[str]
    set_at: datetime.datetime | None
    obligations: list[ObligationOut]


class RiskIn(Schema):
    grade: str = Field(..., description="red, orange, yellow or none")
    reason: str = Field(..., description="Why; required for every change.")


def _risk_out(case) -> dict:
    risk = CaseRisk.objects.filter(case=case).first()
    now = clock.now()
    grade = risk.grade if risk else Grade.NONE
    return {
        "case": case.code,
        "grade": grade,
        "grade_label": str(Grade(grade).label),
        "source": risk.source if risk else "",
        "reason": risk.reason if risk else "",
        "rules": risk.rules if risk else [],
        "set_at": risk.set_at if risk else None,
        "obligations": [
            {
                "clock": d.clock,
                "label": str(d.get_clock_display()),
                "due_at": d.due_at,
                "overdue": d.due_at < now or d.overdue_at is not None,
            }
            for d in services.open_obligations(case)
        ],
    }


@router.get("/cases/{code}/risk", response={200: RiskOut, **ERRORS}, url_name="case_risk")
def case_risk(request: HttpRequest, code: str):
    """The case's risk grade and the open obligations of its response plan."""
    return _risk_out(get_visible_case(request.auth, code))


@router.put("/cases/{code}/risk", response={200: RiskOut, **ERRORS}, url_name="case_risk_set")
def set_case_risk(request: HttpRequest, code: str, payload: RiskIn):
    """Set the grade with a reason: raising it opens the colour's plan as deadlines,
    lowering it closes them. Not this user's case to act on → 403; no reason → 422."""
    case = get_visible_case(request.auth, code)
    services.set_grade(case, request.auth, payload.grade, payload.reason, clock.now())
    return _risk_out(case)


class KeyPersonOut(Schema):
    id: int
    name: str
    id_number: str = Field(..., description="Masked in lists; full in one file's read (logged).")
    phone: str
    area: str
    tags: list[str]
    responsible: str
    visit_days: int | None
    visit_due_at: datetime.datetime | None
    visit_overdue: bool
    missed_visits: int


class KeyPersonDetail(KeyPersonOut):
    full_record: bool
    cases: list[str] = Field(..., description="Codes of the person's cases visible to the user.")


class KeyPersonPage(Schema):
    count: int
    page: int
    results: list[KeyPersonOut]


def _person_out(p, full: bool) -> dict:
    return {
        "id": p.pk,
        "name": p.name,
        "id_number": p.id_number if full else mask_id_number(p.id_number),
        "phone": p.phone if full else mask_phone(p.phone),
        "area": p.area.name,
        "tags": [t.name for t in p.tags.all()],
        "responsible": p.responsible.get_full_name() or p.responsible.username,
        "visit_days": p.visit_days,
        "visit_due_at": p.visit_due_at,
        "visit_overdue": p.visit_overdue_at is not None,
        "missed_visits": p.missed_visits,
    }


@router.get("/key-persons", response={200: KeyPersonPage, **ERRORS}, url_name="key_persons")
def key_persons(request: HttpRequest, page: int = 1, page_size: int = 20, missed: bool = False):
    """Key persons' files within the user's area scope; ID numbers and phones masked."""
    errors = {}
    if page < 1:
        errors["page"] = _("Pages are numbered from 1.")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        errors["page_size"] = _("Choose 1 to %(n)d files a page.") % {"n": MAX_PAGE_SIZE}
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors)
    qs = keypersons.persons_visible_to(request.auth).select_related("area", "responsible")
    if not keypersons.may_use_files(request.auth):  # center staff only, as on the pages
        qs = qs.none()
    if missed:
        qs = qs.filter(visit_overdue_at__isnull=False)
    start = (page - 1) * page_size
    rows = qs.prefetch_related("tags")[start : start + page_size]
    return {"count": qs.count(), "page": page, "results": [_person_out(p, False) for p in rows]}


@router.get("/key-persons/{pk}", response={200: KeyPersonDetail, **ERRORS}, url_name="key_person")
def key_person(request: HttpRequest, pk: int):
    """One file: full ID number and phone for the full-record roles (the read is logged),
    and the codes of the person's cases the user may see."""
    person = (
        keypersons.persons_visible_to(request.auth)
        .select_related("area", "responsible")
        .filter(pk=pk)
        .first()
    )
    if person is None or not keypersons.may_use_files(request.auth):
        raise NotFound(_("No such key person."))
    full = keypersons.open_file(
        person, request.auth, "api", request.META.get("REMOTE_ADDR"), clock.now()
    )
    codes = keypersons.cases_of(person, request.auth).order_by("-created_at")
    return {
        **_person_out(person, full),
        "full_record": full,
        "cases": list(codes.values_list("code", flat=True)),
    }


class MeetingItemOut(Schema):
    case: str
    title: str
    reasons: list[str] = Field(..., description="new, red, orange, overdue, repeat")
    grade: str
    conclusion: str
    responsible_unit: str | None
    due_date: datetime.date | None
    concluded_at: datetime.datetime | None


class MeetingOut(Schema):
    id: int
    center: str
    kind: str
    date: datetime.date
    opened_at: datetime.datetime
    since: datetime.datetime


class MeetingDetail(MeetingOut):
    items: list[MeetingItemOut]
    key_persons_missed_visits: list[int] = Field(..., description="Key-person file ids.")


def _meeting_out(m) -> dict:
    return {
        "id": m.pk,
        "center": m.center.name,
        "kind": m.kind,
        "date": m.date,
        "opened_at": m.opened_at,
        "since": m.since,
    }


@router.get("/meetings", response={200: list[MeetingOut], **ERRORS}, url_name="meetings")
def meeting_list(request: HttpRequest, limit: int = 50):
    """研判 meetings of the centers within the user's scope, newest first."""
    qs = meetings.meetings_visible_to(request.auth).select_related("center")
    return [_meeting_out(m) for m in qs[: max(1, min(limit, MAX_PAGE_SIZE))]]


@router.get("/meetings/{pk}", response={200: MeetingDetail, **ERRORS}, url_name="meeting")
def meeting_detail(request: HttpRequest, pk: int):
    """One meeting: its agenda (most urgent first) with each item's conclusion."""
    m = meetings.meetings_visible_to(request.auth).select_related("center").filter(pk=pk).first()
    if m is None:
        raise NotFound(_("No such meeting."))
    items = []
    for item in meetings.agenda(m):
        risk = getattr(item.case, "risk", None)
        items.append(
            {
                "case": item.case.code,
                "title": item.case.title,
                "reasons": item.reasons,
                "grade": risk.grade if risk else Grade.NONE,
                "conclusion": item.conclusion,
                "responsible_unit": item.responsible_unit.name if item.responsible_unit else None,
                "due_date": item.due_date,
                "concluded_at": item.concluded_at,
            }
        )
    return {
        **_meeting_out(m),
        "items": items,
        "key_persons_missed_visits": list(m.persons.values_list("person_id", flat=True)),
    }
