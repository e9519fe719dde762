"""Court and police docking (诉调对接, 警调对接): push referrals, read their outcomes.

The same docking services and selectors as the /docking/ pages: import_referrals for the push,
referrals_visible_to + with_outcome for the reads. Pushing is idempotent twice over: the
referring unit's own reference never makes a second case, and an `Idempotency-Key` replays
the first answer exactly.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Header, Path, Query, Router, Schema
from pydantic import ConfigDict

from cases.errors import CaseNotFound, InvalidInput
from cases.models import Channel
from cases.services import CaseInput, PartyInput
from cases.workflow import Status
from docking import selectors, services
from docking.models import Outcome, Referral, Source
from jiefen import clock
from jiefen.localtime import aware
from jiefen.pagination import page_url

from . import idempotency
from .cases import ERRORS
from .schemas import (
    MAX_MATERIALS,
    MAX_PARTIES,
    NO_NUL,
    PARTY_EXAMPLE,
    ApiDate,
    ApiDateTime,
    Id,
    Page,
    PageSize,
    PartyIn,
    Text,
)
from .scopes import check_intake_scope, key_of

router = Router(tags=["docking"])
SIDES = {"court": Channel.COURT, "police": Channel.POLICE}


class ReferralIn(Schema):
    # Defaults instead of required fields: a missing value is reported for its item, and
    # the other items of the batch still go through.
    external_ref: Text(80, description="The court's case number or the police incident number.") = (
        ""
    )
    title: Text(100) = ""
    description: Text(10_000) = ""
    category_code: Text(10, description="GB/T 31000 dispute category; required.") = ""
    area_code: Text(20, description="Blank: the referring unit's area.") = ""
    scale: Text(2) = "01"
    people_involved: int = Field(1, ge=1, le=1_000_000)
    amount_involved: Decimal | None = Field(None, ge=0, lt=Decimal("1e12"), decimal_places=2)
    occurred_at: ApiDateTime | None = None
    address: Text(200) = ""
    parties: list[PartyIn] = Field([], max_length=MAX_PARTIES)
    missing_materials: list[Text(120)] = Field([], max_length=MAX_MATERIALS)


class BatchIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "external_ref": "（2026）湘0121民诉前调1号",
                            "title": "民间借贷纠纷",
                            "description": "原告称被告借款两万元到期未还。",
                            "category_code": "0201",
                            "parties": [PARTY_EXAMPLE],
                        }
                    ]
                }
            ]
        }
    )

    items: list[ReferralIn] = Field(
        ...,
        min_length=1,
        max_length=services.MAX_ROWS,
        description=f"1 to {services.MAX_ROWS} referrals.",
    )


class ItemResult(Schema):
    index: int = Field(description="Position of the item in the request, from 1.")
    external_ref: str
    result: str = Field(description="created, duplicate (received before) or invalid.")
    case_code: str | None
    errors: dict[str, str]


class BatchOut(Schema):
    batch: int
    received: int
    created: int
    duplicates: int
    failed: int
    items: list[ItemResult]


class ReferralOut(Schema):
    external_ref: str
    case_code: str
    case_url: str
    title: str
    channel: str
    referring_unit: str
    receiving_unit: str
    received_at: datetime.datetime
    status: str
    status_label: str
    outcome: str = Field(
        description="in_progress, mediated, or failed (back to the court for filing)."
    )
    outcome_label: str
    outcome_at: datetime.datetime | None
    days_taken: int = Field(description="Calendar days from referral to outcome (or to now).")
    transfer_channel: str
    outcome_note: str
    reported_at: datetime.datetime | None


class ReferralPage(Schema):
    count: int
    page: int
    page_size: int
    next: str | None
    previous: str | None
    results: list[ReferralOut]


class ReportedIn(Schema):
    refs: list[Text(80)] = Field(
        ...,
        min_length=1,
        max_length=services.MAX_ROWS,
        description="References of the referring unit (external_ref) taken back.",
    )


class ReportedOut(Schema):
    reported: int = Field(description="How many outcomes were recorded as reported back now.")


class ReferralFilters(Schema):
    outcome: Text(20) = ""
    batch: Id | None = None
    received_from: ApiDate | None = None
    received_to: ApiDate | None = None
    unreported: bool = Field(False, description="Only finished outcomes not yet reported back.")
    page: Page = 1
    page_size: PageSize = 20


def referral_input(index: int, item: ReferralIn) -> services.ReferralInput:
    data = item.dict(exclude={"external_ref", "parties"})
    data["occurred_at"] = aware(item.occurred_at)
    case = CaseInput(channel="", parties=[PartyInput(**p.dict()) for p in item.parties], **data)
    return services.ReferralInput(index, item.external_ref, case)


def _referral_out(request: HttpRequest, r: Referral, now: datetime.datetime) -> dict[str, Any]:
    case = r.case
    return {
        "external_ref": r.external_ref,
        "case_code": case.code,
        "case_url": request.build_absolute_uri(reverse("api:case_detail", args=[case.code])),
        "title": case.title,
        "channel": case.channel,
        "referring_unit": r.referring_unit.name,
        "receiving_unit": r.receiving_unit.name,
        "received_at": r.received_at,
        "status": case.status,
        "status_label": str(Status(case.status).label),
        "outcome": r.outcome,
        "outcome_label": str(Outcome(r.outcome).label),
        "outcome_at": selectors.outcome_at(r),
        "days_taken": selectors.days_taken(r, now),
        "transfer_channel": case.transfer_channel,
        "outcome_note": case.outcome_note,
        "reported_at": r.reported_at,
    }


def _visible(request: HttpRequest, channel: str):
    qs = selectors.referrals_visible_to(request.auth).filter(case__channel=channel)
    return selectors.with_outcome(qs)


def _check_scope(request: HttpRequest, channel: str, payload: BatchIn) -> None:
    """A connected system's key covers the channel and every item's area (blank: the
    referring unit's), or the whole batch is refused (403) before anything is written."""
    if key_of(request) is None:
        return  # a user's own token: the user's permissions only
    memberships = selectors.referring_memberships(request.auth, channel)
    home = memberships[0].unit.area if memberships else None
    for i, item in enumerate(payload.items):
        check_intake_scope(
            request, channel, item.area_code.strip() or home, area_field=f"items[{i}].area_code"
        )


def _routes(side: str, channel: str) -> None:
    @router.post(
        f"/{side}/referrals",
        response={200: BatchOut, **ERRORS},
        url_name=f"{side}_referrals_push",
        operation_id=f"{side}_referrals_push",
        summary=f"Push {side} referrals (one or a batch)",
    )
    def push(
        request: HttpRequest,
        payload: BatchIn,
        idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
    ):
        """Register each item as a case; an item whose reference this unit sent before is
        answered `duplicate` with its case code; bad items come back with their errors."""
        user, now = request.auth, clock.now()
        _check_scope(request, channel, payload)

        def create() -> tuple[int, dict]:
            items = [referral_input(i, item) for i, item in enumerate(payload.items, start=1)]
            batch, results = services.import_referrals(
                user, items, now, channel=channel, source=Source.API
            )
            body = BatchOut(
                batch=batch.pk,
                received=batch.total,
                created=batch.created,
                duplicates=batch.duplicates,
                failed=batch.failed,
                items=[
                    ItemResult(
                        index=r.row,
                        external_ref=r.external_ref,
                        result=r.status,
                        case_code=r.case_code or None,
                        errors=r.errors,
                    )
                    for r in results
                ],
            )
            return 200, body.model_dump(mode="json")

        if idempotency_key is None:
            status, data = create()
            return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
        return idempotency.run_once(user, idempotency_key, request.body, now, create)

    @router.get(
        f"/{side}/referrals",
        response={200: ReferralPage, **ERRORS},
        url_name=f"{side}_referrals",
        operation_id=f"{side}_referrals_list",
        summary=f"Outcomes of {side} referrals",
    )
    def outcomes(request: HttpRequest, filters: Query[ReferralFilters]):
        """Referrals with their outcome and the days taken, newest first. Reading changes
        nothing: the referring unit records what it has taken back with
        POST …/referrals/reported."""
        errors = {}
        if filters.outcome and filters.outcome not in Outcome.values:
            errors["outcome"] = _("Choose in_progress, mediated or failed.")
        if errors:
            raise InvalidInput(_("Please correct the marked fields."), errors)
        now = clock.now()
        qs = selectors.filter_referrals(
            _visible(request, channel),
            outcome=filters.outcome,
            batch=filters.batch,
            date_from=filters.received_from,
            date_to=filters.received_to,
            unreported=filters.unreported,
        )
        count = qs.count()
        start = (filters.page - 1) * filters.page_size
        referrals = list(qs.order_by("-received_at", "-pk")[start : start + filters.page_size])
        results = [_referral_out(request, r, now) for r in referrals]
        return {
            "count": count,
            "page": filters.page,
            "page_size": filters.page_size,
            "next": page_url(request, filters.page + 1)
            if start + filters.page_size < count
            else None,
            "previous": page_url(request, filters.page - 1) if filters.page > 1 else None,
            "results": results,
        }

    @router.post(
        f"/{side}/referrals/reported",
        response={200: ReportedOut, **ERRORS},
        url_name=f"{side}_referrals_reported",
        operation_id=f"{side}_referrals_reported",
        summary=f"Record {side} outcomes as reported back",
    )
    def reported(request: HttpRequest, payload: ReportedIn):
        """The referring unit has taken these finished outcomes back (by its references):
        they no longer come with `unreported=true`. Outcomes still in progress, of another
        unit, or reported before are left as they are; `reported` counts the ones recorded."""
        referrals = list(_visible(request, channel).filter(external_ref__in=payload.refs))
        return {"reported": services.mark_reported(request.auth, referrals, clock.now())}

    @router.get(
        f"/{side}/referrals/{{ref}}",
        response={200: ReferralOut, **ERRORS},
        url_name=f"{side}_referral",
        operation_id=f"{side}_referral_detail",
        summary=f"Outcome of one {side} referral",
    )
    def outcome(request: HttpRequest, ref: str = Path(..., max_length=80, pattern=NO_NUL)):
        """One referral by the referring unit's reference; 404 when it is not visible."""
        referral = _visible(request, channel).filter(external_ref=ref).first()
        if referral is None:
            raise CaseNotFound(ref)
        return _referral_out(request, referral, clock.now())


for _side, _channel in SIDES.items():
    _routes(_side, _channel)
