"""Request and response shapes of the API (they also make the OpenAPI document).

Input schemas only check types; the rules (ID check digits, known areas, categories…) are the
services' and come back as field errors with the same names."""

import datetime
from decimal import Decimal

from ninja import Field, Schema


class Problem(Schema):
    """RFC 9457 problem body; `errors` maps field names like "parties[0].id_number" to messages."""

    type: str
    title: str
    status: int
    detail: str
    errors: dict[str, str] = {}


class PartyIn(Schema):
    name: str
    role: str = "applicant"
    kind: str = "person"
    id_number: str = ""
    credit_code: str = ""
    gender: str = ""
    ethnicity: str = Field("", description="民族, GB 3304 two-digit code (01 汉族 … 56 基诺族).")
    occupation: str = Field("", description="职业或职务, short free text.")
    phone: str = ""
    address: str = ""


class CaseIn(Schema):
    title: str
    description: str
    area_code: str
    channel: str
    category_code: str = ""
    scale: str = "01"
    people_involved: int = 1
    amount_involved: Decimal | None = None
    occurred_at: datetime.datetime | None = Field(
        None, description="Without an offset the time is read as Asia/Shanghai."
    )
    address: str = ""
    external_ref: str = Field("", description="The case's reference in the sending system.")
    parties: list[PartyIn] = []
    missing_materials: list[str] = Field([], description="容缺受理: materials to hand in later.")


class TransitionIn(Schema):
    action: str = Field(..., description="accept, route, start, resolve, transfer…")
    note: str = ""
    unit_id: int | None = Field(None, description="route: the unit that will handle the case.")
    channel: str = Field("", description="transfer: litigation, arbitration, petition…")
    category_code: str = Field("", description="accept: set the category first.")
    satisfaction: str = Field("", description="follow_up: satisfied, basic or unsatisfied.")
    measures: str = Field("", description="stabilise (稳控): the control measures.")
    responsible: str = Field("", description="stabilise (稳控): who keeps it under control.")
    review_date: datetime.date | None = Field(
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
