"""Follow-up endpoints: a case's 回访 (visits and the visits owed) and its agreements'
履行. The same services and scopes as the case page's follow-up panel: get_visible_case
decides what is visible (404 outside the user's scope), the services who may act (403)."""

import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Router, Schema

from cases.selectors import get_visible_case
from followup import services
from followup.models import Performance
from jiefen import clock
from jiefen.errors import NotFound
from jiefen.localtime import aware
from mediation.models import Agreement

from .schemas import ApiDateTime, Id, Problem, Text

ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}
CaseCode = Path(..., max_length=40, pattern=r"^[0-9A-Za-z-]+$")

router = Router(tags=["follow-up"])


class VisitOut(Schema):
    id: int
    visited_at: datetime.datetime
    visitee_kind: str = Field(..., description="party, neighbour, cadre or other")
    visitee_name: str
    method: str = Field(..., description="home, phone, interview or video")
    findings: str
    satisfaction: str = Field("", description="satisfied, basic, unsatisfied or empty")
    rebound: str = Field(..., description="none, signs or rebounded")
    on_time: bool | None = Field(None, description="Met a visit clock in time; None: none.")
    visitor: str
    visitor_unit: str


class VisitClockOut(Schema):
    due_at: datetime.datetime
    overdue: bool


class FollowUpOut(Schema):
    case: str
    status: str
    visits: list[VisitOut]
    due: list[VisitClockOut] = Field(..., description="The follow-up visits still owed.")


class VisitIn(Schema):
    """Every field is checked by the service (its errors name these fields), after the case
    is found visible and the user may visit it."""

    visited_at: ApiDateTime | None = None
    visitee_kind: Text(20, description="party, neighbour, cadre or other") = ""
    party_id: Id | None = Field(None, description="The party visited (visitee_kind party).")
    visitee_name: Text(50, description="The person visited when not a party.") = ""
    method: Text(20, description="home, phone, interview or video") = ""
    findings: Text(2000, description="What the visit found.") = ""
    satisfaction: Text(20, description="satisfied, basic, unsatisfied or empty.") = ""
    rebound: Text(20, description="none, signs or rebounded (rebounded reopens or escalates)") = ""


def _visit_out(v) -> dict:
    return {
        "id": v.pk,
        "visited_at": v.visited_at,
        "visitee_kind": v.visitee_kind,
        "visitee_name": v.visitee_name,
        "method": v.method,
        "findings": v.findings,
        "satisfaction": v.satisfaction,
        "rebound": v.rebound,
        "on_time": (v.visited_at <= v.deadline.due_at) if v.deadline_id else None,
        "visitor": v.visitor.get_full_name() or v.visitor.username,
        "visitor_unit": v.visitor_unit.name,
    }


def _follow_up_out(case) -> dict:
    now = clock.now()
    case.refresh_from_db(fields=["status"])
    return {
        "case": case.code,
        "status": case.status,
        "visits": [_visit_out(v) for v in services.visits_of(case).select_related("deadline")],
        "due": [
            {"due_at": d.due_at, "overdue": d.due_at < now or d.overdue_at is not None}
            for d in services.open_visit_clocks(case)
        ],
    }


@router.get("/cases/{code}/visits", response={200: FollowUpOut, **ERRORS}, url_name="case_visits")
def case_visits(request: HttpRequest, code: str = CaseCode):
    """The case's follow-up visits (回访) and the visits still owed."""
    return _follow_up_out(get_visible_case(request.auth, code))


@router.post(
    "/cases/{code}/visits", response={201: FollowUpOut, **ERRORS}, url_name="case_visit_add"
)
def add_case_visit(request: HttpRequest, payload: VisitIn, code: str = CaseCode):
    """Record a follow-up visit. Before the closing (or sooner after it than the region
    allows), a case not closed, unknown choices → 422; not the user's case to visit → 403.
    A visit finding a rebound reopens or escalates the case (see its status)."""
    case = get_visible_case(request.auth, code)
    services.record_visit(
        case,
        request.auth,
        clock.now(),
        services.VisitInput(
            visited_at=aware(payload.visited_at),
            visitee_kind=payload.visitee_kind,
            method=payload.method,
            findings=payload.findings,
            rebound=payload.rebound,
            party_id=payload.party_id,
            visitee_name=payload.visitee_name,
            satisfaction=payload.satisfaction,
        ),
    )
    return 201, _follow_up_out(case)


class PerformanceOut(Schema):
    agreement_id: int
    number: str
    performance_due: datetime.date
    result: str = Field("", description="performed, partly, not_performed; empty: not recorded")
    remedy: str = Field("", description="confirmation or litigation, when not performed")
    note: str = ""
    recorded_at: datetime.datetime | None = None


class PerformanceIn(Schema):
    result: Text(20, description="performed, partly or not_performed") = ""
    note: Text(2000, description="What was not performed (required unless performed).") = ""
    remedy: Text(
        20,
        description="confirmation (prepares the judicial confirmation) or litigation; "
        "only when not (fully) performed.",
    ) = ""


def _performances(case) -> list[dict]:
    rows = []
    for a in Agreement.objects.filter(case=case, performance_due__isnull=False):
        p = Performance.objects.filter(agreement=a).first()
        rows.append(
            {
                "agreement_id": a.pk,
                "number": a.number,
                "performance_due": a.performance_due,
                "result": p.result if p else "",
                "remedy": p.remedy if p else "",
                "note": p.note if p else "",
                "recorded_at": p.recorded_at if p else None,
            }
        )
    return rows


@router.get(
    "/cases/{code}/performance",
    response={200: list[PerformanceOut], **ERRORS},
    url_name="case_performance",
)
def case_performance(request: HttpRequest, code: str = CaseCode):
    """The case's mediation agreements with a performance date, and their 履行."""
    return _performances(get_visible_case(request.auth, code))


@router.post(
    "/cases/{code}/agreements/{agreement_id}/performance",
    response={201: list[PerformanceOut], **ERRORS},
    url_name="case_performance_add",
)
def add_case_performance(
    request: HttpRequest, payload: PerformanceIn, agreement_id: Id, code: str = CaseCode
):
    """Record whether the agreement was performed. Not performed before its date, without
    a note, a route for a performed agreement → 422; recorded already → 422."""
    case = get_visible_case(request.auth, code)
    agreement = Agreement.objects.filter(case=case, pk=agreement_id).first()
    if agreement is None:
        raise NotFound(_("No such agreement of this case."))
    services.record_performance(
        agreement, request.auth, clock.now(), payload.result, payload.note, payload.remedy
    )
    return 201, _performances(case)
