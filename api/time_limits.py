"""Time-limit endpoints: a case's complexity (简单 / 一般 / 疑难), its clocks, pausing and resuming.

The same services and scopes as the case page: change_complexity, pause_case and resume_case
write; get_visible_case decides what is visible (404 outside the user's scope)."""

import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from cases.models import Case
from cases.selectors import get_visible_case
from cases.services import change_complexity, pause_case, resume_case
from clocks.models import Deadline, DeadlineState
from jiefen import clock

from .cases import CaseCode
from .schemas import Problem, Text

ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}

router = Router(tags=["time limits"])


class ClockOut(Schema):
    clock: str
    label: str
    unit: str
    started_at: datetime.datetime
    due_at: datetime.datetime
    state: str
    paused: bool = Field(..., description="Stopped by a pause: not due while paused.")
    paused_hours: float = Field(
        ..., description="Working time this clock was paused so far; its due time moved by it."
    )


class PauseOut(Schema):
    reason: str
    reason_label: str
    note: str
    paused_at: datetime.datetime
    resumed_at: datetime.datetime | None
    resumed_how: str = Field("", description="material, hand or closed; empty while paused.")
    working_hours: float | None = Field(
        None, description="The pause's working time (weekends and holidays not counted)."
    )


class TimeLimitsOut(Schema):
    case: str
    complexity: str = Field(..., description="simple, ordinary, complex; empty when not set.")
    complexity_label: str
    paused: bool
    clocks: list[ClockOut]
    pauses: list[PauseOut]


class ComplexityIn(Schema):
    complexity: Text(10, description="simple (简单), ordinary (一般) or complex (疑难).") = ""
    reason: Text(2000, description="Why the complexity changes; required.") = ""


class PauseIn(Schema):
    reason: Text(12, description="materials (容缺补齐), appraisal or court; required.") = ""
    note: Text(2000, description="What the case is waiting for; required.") = ""


class ResumeIn(Schema):
    note: Text(2000) = ""


def _hours(span: datetime.timedelta | None) -> float | None:
    return None if span is None else round(span.total_seconds() / 3600, 2)


def _out(case: Case) -> dict:
    case.refresh_from_db()
    pauses = list(case.pauses.all())
    return {
        "case": case.code,
        "complexity": case.complexity,
        "complexity_label": str(case.get_complexity_display()) if case.complexity else "",
        "paused": any(p.resumed_at is None for p in pauses),
        "clocks": [
            {
                "clock": d.clock,
                "label": str(d.get_clock_display()),
                "unit": d.unit.name,
                "started_at": d.started_at,
                "due_at": d.due_at,
                "state": d.state,
                "paused": d.paused_at is not None,
                "paused_hours": _hours(d.paused_for),
            }
            for d in Deadline.objects.filter(case=case, state=DeadlineState.OPEN).select_related(
                "unit"
            )
        ],
        "pauses": [
            {
                "reason": p.reason,
                "reason_label": str(p.get_reason_display()),
                "note": p.note,
                "paused_at": p.paused_at,
                "resumed_at": p.resumed_at,
                "resumed_how": p.resumed_how,
                "working_hours": _hours(p.working_time),
            }
            for p in pauses
        ],
    }


@router.get(
    "/cases/{code}/time-limits",
    response={200: TimeLimitsOut, **ERRORS},
    url_name="case_time_limits",
)
def case_time_limits(request: HttpRequest, code: str = CaseCode):
    """The case's complexity, its open clocks and its pauses."""
    return _out(get_visible_case(request.auth, code))


@router.post(
    "/cases/{code}/complexity",
    response={200: TimeLimitsOut, **ERRORS},
    url_name="case_complexity",
)
def case_complexity(request: HttpRequest, payload: ComplexityIn, code: str = CaseCode):
    """Change 简单 / 一般 / 疑难 with a reason: the resolve limit becomes the new complexity's
    (the region's policy). Not the user's to do → 403; closed or not accepted → 409."""
    case = get_visible_case(request.auth, code)
    change_complexity(case, request.auth, payload.complexity, payload.reason, clock.now())
    return _out(case)


@router.post("/cases/{code}/pause", response={200: TimeLimitsOut, **ERRORS}, url_name="case_pause")
def case_pause(request: HttpRequest, payload: PauseIn, code: str = CaseCode):
    """Pause the case's clocks with a reason from the list and what is awaited (both
    required → 422 otherwise); already paused or nothing running → 409."""
    case = get_visible_case(request.auth, code)
    pause_case(case, request.auth, payload.reason, payload.note, clock.now())
    return _out(case)


@router.post(
    "/cases/{code}/resume", response={200: TimeLimitsOut, **ERRORS}, url_name="case_resume"
)
def case_resume(request: HttpRequest, payload: ResumeIn, code: str = CaseCode):
    """Resume the paused clocks: each due time moves by the paused working time. Not
    paused → 409."""
    case = get_visible_case(request.auth, code)
    resume_case(case, request.auth, clock.now(), payload.note)
    return _out(case)
