"""Case endpoints: intake, detail, list, transitions.

Every endpoint calls the same services and selectors as the web UI: register_case (intake
calls its two steps, check_intake and register_checked_case) and perform_transition for writes, cases_visible_to / get_visible_case / filter_cases for reads.
"""

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Header, Path, Query, Router, Schema

from areas.models import Area
from cases.errors import InvalidInput
from cases.models import Case, Channel
from cases.registry import annotate_lists
from cases.selectors import cases_visible_to, filter_cases, get_visible_case
from cases.services import (
    CaseInput,
    CheckedIntake,
    PartyInput,
    allowed_transitions,
    check_intake,
    open_case_record,
    perform_transition,
    register_checked_case,
)
from cases.workflow import Status
from jiefen import clock
from jiefen.identity import mask_id_number, mask_phone
from jiefen.localtime import aware
from jiefen.pagination import page_url
from risk.models import Grade
from risk.services import grade_of

from . import idempotency
from .schemas import (
    ApiDate,
    CaseDetail,
    CaseIn,
    CaseListItem,
    CasePage,
    CaseSummary,
    Page,
    PageSize,
    Problem,
    Text,
    TransitionIn,
)
from .scopes import check_intake_scope

ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}
# A case code: area code, date, number (cases.services.next_case_code).
CaseCode = Path(..., max_length=40, pattern=r"^[0-9A-Za-z-]+$")

router = Router(tags=["cases"])


# ---------------------------------------------------------------- serialisation


def _case_url(request: HttpRequest, case: Case) -> str:
    return request.build_absolute_uri(reverse("api:case_detail", args=[case.code]))


def _summary(request: HttpRequest, case: Case) -> dict[str, Any]:
    return {
        "code": case.code,
        "title": case.title,
        "status": case.status,
        "status_label": str(Status(case.status).label),
        "level": case.level,
        "area": {"code": case.area.code, "name": case.area.name},
        "category": (
            {"code": case.category.code, "name": case.category.name} if case.category else None
        ),
        "channel": case.channel,
        "handling_unit": {"id": case.owner_unit_id, "name": case.owner_unit.name},
        "complexity": case.complexity,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "url": _case_url(request, case),
    }


def _parties(case: Case, full: bool) -> list[dict[str, str]]:
    return [
        {
            "name": p.name,
            "role": p.role,
            "kind": p.kind,
            "id_number": p.id_number if full else mask_id_number(p.id_number),
            "credit_code": p.credit_code,
            "gender": p.gender,
            "ethnicity": p.ethnicity,
            "occupation": p.occupation,
            "phone": p.phone if full else mask_phone(p.phone),
            "address": p.address,
        }
        for p in case.parties.all()
    ]


def _case_input(payload: CaseIn) -> CaseInput:
    return CaseInput(
        title=payload.title,
        description=payload.description,
        area_code=payload.area_code,
        channel=payload.channel,
        category_code=payload.category_code,
        scale=payload.scale,
        people_involved=payload.people_involved,
        amount_involved=payload.amount_involved,
        occurred_at=aware(payload.occurred_at),
        address=payload.address,
        external_ref=payload.external_ref,
        parties=[PartyInput(**p.dict()) for p in payload.parties],
        missing_materials=payload.missing_materials,
        extensions={"risk_grade": payload.risk_grade, "risk_reason": payload.risk_reason},
    )


# ---------------------------------------------------------------- intake


@router.post(
    "/cases",
    response={201: CaseSummary, **ERRORS},
    url_name="case_create",
    summary="Register a case",
)
def create_case(
    request: HttpRequest,
    payload: CaseIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    """Register a case from another system. With an `Idempotency-Key` header a retry returns
    the first result (same status and body) instead of registering the case twice. With a
    connected system's key, the channel and area must be within the key's scope (403)."""
    user = request.auth
    now = clock.now()
    check_intake_scope(request, payload.channel, payload.area_code, area_field="area_code")

    def check() -> CheckedIntake:
        # Validation and lookups, before the write transaction takes the write lock.
        return check_intake(user, _case_input(payload), now)

    def create(checked: CheckedIntake) -> tuple[int, dict]:
        case = register_checked_case(checked, now)
        return 201, CaseSummary(**_summary(request, case)).model_dump(mode="json")

    if idempotency_key is None:
        status, data = create(check())
        return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    return idempotency.run_once(user, idempotency_key, request.body, now, create, check)


# ---------------------------------------------------------------- reads


@router.get("/cases/{code}", response={200: CaseDetail, **ERRORS}, url_name="case_detail")
def case_detail(request: HttpRequest, code: str = CaseCode):
    """One case with its parties, missing materials and timeline. A case outside the user's
    scope is 404, the same as one that does not exist."""
    user = request.auth
    case = get_visible_case(user, code)
    full = open_case_record(case, user, "api", request.META.get("REMOTE_ADDR"), clock.now())
    parties = _parties(case, full)
    events = case.timeline.select_related("actor", "actor_unit")
    return {
        **_summary(request, case),
        "description": case.description,
        "scale": case.scale,
        "people_involved": case.people_involved,
        "amount_involved": case.amount_involved,
        "occurred_at": case.occurred_at,
        "address": case.address,
        "external_ref": case.external_ref,
        "first_unit": {"id": case.first_unit_id, "name": case.first_unit.name},
        "accepted_at": case.accepted_at,
        "closed_at": case.closed_at,
        "transfer_channel": case.transfer_channel,
        "outcome_note": case.outcome_note,
        "full_record": full,
        "parties": parties,
        "missing_materials": [
            {"name": m.name, "provided_at": m.provided_at} for m in case.missing_materials.all()
        ],
        "timeline": [
            {
                "at": e.at,
                "kind": e.kind,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "note": e.note,
                "actor": e.actor.username if e.actor else None,
                "unit": e.actor_unit.name if e.actor_unit else None,
                "data": e.data,
            }
            for e in events
        ],
        "actions": [t.name for t in allowed_transitions(user, case)],
        "risk_grade": grade_of(case),
    }


class CaseFilters(Schema):
    status: Text(20) = ""
    category: Text(10) = ""
    area: Text(20) = ""
    channel: Text(20) = ""
    date_from: ApiDate | None = None
    date_to: ApiDate | None = None
    q: Text(100) = ""
    risk: Text(10, description="Risk grade: red, orange, yellow or none.") = ""
    page: Page = 1
    page_size: PageSize = 20


@router.get("/cases", response={200: CasePage, **ERRORS}, url_name="case_list")
def case_list(request: HttpRequest, filters: Query[CaseFilters]):
    """Cases the user can see, newest first; ID numbers and phones are always masked here."""
    errors = {}
    if filters.status and filters.status not in Status.values:
        errors["status"] = _("Unknown status.")
    if filters.channel and filters.channel not in Channel.values:
        errors["channel"] = _("Unknown intake channel.")
    area = None
    if filters.area:
        area = Area.objects.filter(code=filters.area).first()
        if area is None:
            errors["area"] = _("Unknown area code.")
    if filters.risk and filters.risk not in Grade.values:
        errors["risk"] = _("Choose red, orange, yellow or no risk.")
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors)

    qs = filter_cases(
        cases_visible_to(request.auth),
        status=filters.status,
        category=filters.category,
        area=area,
        channel=filters.channel,
        date_from=filters.date_from,
        date_to=filters.date_to,
        q=filters.q,
        extra={"risk": filters.risk},
    )
    count = qs.count()
    start = (filters.page - 1) * filters.page_size
    cases = (
        annotate_lists(qs)
        .select_related("area", "category", "owner_unit")
        .prefetch_related("parties")
        .order_by("-created_at", "-pk")[start : start + filters.page_size]
    )
    return {
        "count": count,
        "page": filters.page,
        "page_size": filters.page_size,
        "next": page_url(request, filters.page + 1) if start + filters.page_size < count else None,
        "previous": page_url(request, filters.page - 1) if filters.page > 1 else None,
        "results": [
            CaseListItem(
                **_summary(request, c), parties=_parties(c, full=False), risk_grade=c.risk_grade
            )
            for c in cases
        ],
    }


# ---------------------------------------------------------------- transitions


@router.post(
    "/cases/{code}/transitions",
    response={200: CaseSummary, **ERRORS},
    url_name="case_transition",
    summary="Move a case along the workflow",
)
def case_transition(request: HttpRequest, payload: TransitionIn, code: str = CaseCode):
    """Perform one workflow action (accept, route, start, resolve…). Illegal in the current
    status → 409; not this user's to do → 403; missing or wrong parameters → 422."""
    user = request.auth
    case = get_visible_case(user, code)
    params = {
        k: v for k, v in payload.dict(exclude={"action", "note"}).items() if v not in (None, "")
    }
    case = perform_transition(case, payload.action, user, clock.now(), note=payload.note, **params)
    return _summary(request, case)
