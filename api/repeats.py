"""Repeat reports (并单): the likely repeats of a case, merging it into its main case, and
undoing that. The same services and scopes as the case page's panel: a case outside the
user's scope is a 404, a merge the user may not make a 403, an impossible one a 409."""

import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from cases.models import Case
from cases.selectors import get_visible_case
from jiefen import clock
from repeats import proposals, services

from .cases import CaseCode
from .schemas import Problem, Text

ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}

router = Router(tags=["repeats"])


class ProposalOut(Schema):
    code: str
    title: str
    status: str
    area: str
    created_at: datetime.datetime
    reasons: list[str] = Field(..., description="party, respondent, place, text")
    similarity: float = Field(..., description="Trigram similarity of the texts, 0–1.")


class MergeIn(Schema):
    main: Text(40, description="The code of the main case the report repeats.")
    reason: Text(services.REASON_MAX, description="Why; required.")


class UnmergeIn(Schema):
    reason: Text(services.REASON_MAX, description="Why; required.")


class MergeStateOut(Schema):
    code: str
    merged_into: str | None = Field(..., description="The main case's code, if merged.")
    repeats: list[str] = Field(..., description="Codes of the repeats merged into this case.")


def _state(case: Case) -> dict:
    case = Case.objects.select_related("duplicate_of").get(pk=case.pk)
    return {
        "code": case.code,
        "merged_into": case.duplicate_of.code if case.duplicate_of else None,
        "repeats": list(
            Case.objects.filter(duplicate_of=case).order_by("pk").values_list("code", flat=True)
        ),
    }


@router.get(
    "/cases/{code}/repeat-proposals",
    response={200: list[ProposalOut], **ERRORS},
    url_name="case_repeat_proposals",
)
def repeat_proposals(request: HttpRequest, code: str = CaseCode):
    """The cases this case is likely a repeat of (same party, respondent, place and
    category within the window, similar text), most likely first."""
    case = get_visible_case(request.auth, code)
    return [
        {
            "code": p.case.code,
            "title": p.case.title,
            "status": p.case.status,
            "area": p.case.area.name,
            "created_at": p.case.created_at,
            "reasons": p.reasons,
            "similarity": round(p.similarity, 3),
        }
        for p in proposals.propose_repeats(request.auth, case, clock.now())
    ]


@router.post("/cases/{code}/merge", response={200: MergeStateOut, **ERRORS}, url_name="case_merge")
def merge(request: HttpRequest, payload: MergeIn, code: str = CaseCode):
    """Merge this case as a repeat into `main`, with a reason. Into itself, into a case
    merged elsewhere or with repeats of its own → 409 or 422; outside scope → 403/404."""
    case = get_visible_case(request.auth, code)
    main = services.main_case(request.auth, payload.main)
    services.merge_case(case, main, request.auth, payload.reason, clock.now())
    return _state(case)


@router.post(
    "/cases/{code}/unmerge", response={200: MergeStateOut, **ERRORS}, url_name="case_unmerge"
)
def unmerge(request: HttpRequest, payload: UnmergeIn, code: str = CaseCode):
    """Undo this case's merge with a reason: both cases are restored as before."""
    case = get_visible_case(request.auth, code)
    services.unmerge_case(case, request.auth, payload.reason, clock.now())
    return _state(case)
