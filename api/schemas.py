"""Request and response shapes of the API (they also make the OpenAPI document).

Input schemas only check types; the rules (ID check digits, known areas, categories…) are the
services' and come back as field errors with the same names."""

import datetime
import re
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, StringConstraints

# ---------------------------------------------------------------- bounds, declared

MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000
MAX_ID = 2**63 - 1  # a bigint primary key; a larger number is no row and overflows the query
MIN_DATE = datetime.date(2000, 1, 1)
MAX_DATE = datetime.date(2100, 12, 31)
MAX_PARTIES = 50  # cases.services.MAX_PARTIES
MAX_MATERIALS = 30  # cases.services.MAX_MISSING_MATERIALS
NO_NUL = r"^[^\x00]*$"  # PostgreSQL cannot store NUL in text

Page = Annotated[int, Field(ge=1, le=MAX_PAGE, description=f"From 1 to {MAX_PAGE}.")]
PageSize = Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE, description=f"1 to {MAX_PAGE_SIZE}.")]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def Text(max_length: int, **kwargs: Any) -> Any:  # noqa: N802 (a type, used as one)
    """A string of at most max_length characters, without NUL."""
    return Annotated[str, StringConstraints(max_length=max_length, pattern=NO_NUL), Field(**kwargs)]


def _iso_date(value: Any) -> Any:
    # Pydantic would read 0 or "1700000000" as a Unix time; a date here is YYYY-MM-DD only.
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    if isinstance(value, datetime.date):
        return value
    raise ValueError("Enter a date as YYYY-MM-DD.")


def _date_in_bounds(value: datetime.date) -> datetime.date:
    if not MIN_DATE <= value <= MAX_DATE:
        raise ValueError(f"Enter a date from {MIN_DATE} to {MAX_DATE}.")
    return value


ApiDate = Annotated[
    datetime.date,
    BeforeValidator(_iso_date),
    AfterValidator(_date_in_bounds),
    Field(
        description=f"YYYY-MM-DD, from {MIN_DATE} to {MAX_DATE}.",
        json_schema_extra={"pattern": r"^\d{4}-\d{2}-\d{2}$"},
    ),
]


def _datetime_in_bounds(value: datetime.datetime) -> datetime.datetime:
    if not MIN_DATETIME <= value.replace(tzinfo=None) <= MAX_DATETIME:
        raise ValueError(f"Enter a time from {MIN_DATETIME:%Y-%m-%d} to {MAX_DATETIME:%Y-%m-%d}.")
    return value


# A dispute may go back decades (land, inheritance); a time outside this span is a typo.
MIN_DATETIME = datetime.datetime(1900, 1, 1)
MAX_DATETIME = datetime.datetime(2100, 12, 31)
ApiDateTime = Annotated[
    datetime.datetime,
    AfterValidator(_datetime_in_bounds),
    Field(description="ISO 8601, from 1900 to 2100; without an offset read as Asia/Shanghai."),
]


class Problem(Schema):
    """RFC 9457 problem body; `errors` maps field names like "parties[0].id_number" to messages."""

    type: str
    title: str
    status: int
    detail: str
    errors: dict[str, str] = {}


class PartyIn(Schema):
    name: Text(80)
    role: Text(20) = "applicant"
    kind: Text(20) = "person"
    id_number: Text(30) = ""
    credit_code: Text(30) = ""
    gender: Text(2) = ""
    ethnicity: Text(2, description="民族, GB 3304 two-digit code (01 汉族 … 56 基诺族).") = ""
    occupation: Text(60, description="职业或职务, short free text.") = ""
    phone: Text(30) = ""
    address: Text(200) = ""


PARTY_EXAMPLE = {
    "name": "张三",
    "role": "applicant",
    "kind": "person",
    "id_number": "11010519491231002X",
    "phone": "13800138000",
}


class CaseIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "title": "邻里排水纠纷",
                    "description": "楼上住户改造卫生间导致楼下渗水。",
                    "area_code": "430121100201",
                    "channel": "window",
                    "category_code": "0201",
                    "parties": [PARTY_EXAMPLE, {"name": "李四", "role": "respondent"}],
                }
            ]
        }
    )

    title: Text(100)
    description: Text(10_000)
    area_code: Text(20)
    channel: Text(20)
    category_code: Text(10) = ""
    scale: Text(2) = "01"
    people_involved: int = Field(1, ge=1, le=1_000_000)
    amount_involved: Decimal | None = Field(None, ge=0, lt=Decimal("1e12"), decimal_places=2)
    occurred_at: ApiDateTime | None = None
    address: Text(200) = ""
    external_ref: Text(80, description="The case's reference in the sending system.") = ""
    parties: list[PartyIn] = Field([], max_length=MAX_PARTIES)
    missing_materials: list[Text(120)] = Field(
        [], max_length=MAX_MATERIALS, description="容缺受理: materials to hand in later."
    )
    risk_grade: Text(
        10,
        description="Risk grade given at intake (red, orange, yellow or none); overrides the "
        "rules' proposal and needs risk_reason. Empty: as the rules propose.",
    ) = ""
    risk_reason: Text(500, description="The reason for risk_grade.") = ""


class TransitionIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"action": "accept", "note": "受理", "category_code": "0201"}]
        }
    )

    action: Text(30, description="accept, route, start, resolve, transfer…")
    note: Text(10_000) = ""
    unit_id: Id | None = Field(None, description="route: the unit that will handle the case.")
    channel: Text(20, description="transfer: litigation, arbitration, petition…") = ""
    category_code: Text(10, description="accept: set the category first.") = ""
    complexity: Text(
        10, description="accept, route: simple (简单), ordinary (一般) or complex (疑难)."
    ) = ""
    measures: Text(2000, description="stabilise (稳控): the control measures.") = ""
    responsible: Text(80, description="stabilise (稳控): who keeps it under control.") = ""
    review_date: ApiDate | None = Field(
        None, description="stabilise (稳控): when the case is reviewed (after today)."
    )


class Ref(Schema):
    code: str
    name: str


class UnitRef(Schema):
    id: int
    name: str


class PartyOut(Schema):
    name: str
    role: str
    kind: str
    id_number: str
    credit_code: str
    gender: str
    ethnicity: str = Field("", description="GB 3304 code; empty when not recorded.")
    occupation: str = ""
    phone: str
    address: str


class MaterialOut(Schema):
    name: str
    provided_at: datetime.datetime | None


class EventOut(Schema):
    at: datetime.datetime
    kind: str
    from_status: str
    to_status: str
    note: str
    actor: str | None
    unit: str | None
    data: dict


class CaseSummary(Schema):
    """What intake and transitions answer with: where the case stands, without personal data."""

    code: str
    title: str
    status: str
    status_label: str
    level: int
    area: Ref
    category: Ref | None
    channel: str
    handling_unit: UnitRef
    complexity: str = Field("", description="simple, ordinary, complex; empty when not set.")
    created_at: datetime.datetime
    updated_at: datetime.datetime
    url: str


class CaseListItem(CaseSummary):
    parties: list[PartyOut]
    risk_grade: str = Field("none", description="红橙黄预警: red, orange, yellow or none.")


class CaseDetail(CaseListItem):
    description: str
    scale: str
    people_involved: int
    amount_involved: Decimal | None
    occurred_at: datetime.datetime | None
    address: str
    external_ref: str
    first_unit: UnitRef
    accepted_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    transfer_channel: str
    outcome_note: str
    full_record: bool = Field(description="False when ID numbers and phones are masked.")
    missing_materials: list[MaterialOut]
    timeline: list[EventOut]
    actions: list[str] = Field(description="Transitions this user may perform now.")


class CasePage(Schema):
    count: int
    page: int
    page_size: int
    next: str | None
    previous: str | None
    results: list[CaseListItem]
