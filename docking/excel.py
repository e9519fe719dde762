"""The Excel side of docking: the upload template, reading an uploaded batch, the row-by-row
error report and the outcome export. Column headers are Chinese (English is accepted too)."""

import datetime
import re
from collections.abc import Iterable

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from cases.errors import InvalidInput
from cases.models import Category, PartyKind, PartyRole
from cases.services import CaseInput, PartyInput
from cases.workflow import Status, TransferChannel
from jiefen.localtime import LOCAL_TZ, minute
from jiefen.spreadsheets import add_sheet, read_table, workbook_bytes

from .models import Outcome, Referral
from .selectors import days_taken, outcome_at
from .services import ReferralInput

# (key, header); the key is the CaseInput field, or party_<n>_<field> for the two parties.
COLUMNS = [
    ("external_ref", gettext_lazy("Reference of the referring unit")),
    ("title", gettext_lazy("Dispute title")),
    ("description", gettext_lazy("Dispute description")),
    ("category_code", gettext_lazy("Dispute category code")),
    ("area_code", gettext_lazy("Area code (blank: the referring unit's area)")),
    ("occurred_at", gettext_lazy("Occurred on (YYYY-MM-DD)")),
    ("amount_involved", gettext_lazy("Amount involved (yuan)")),
    ("people_involved", gettext_lazy("People involved")),
    ("address", gettext_lazy("Address of the dispute")),
    ("applicant_name", gettext_lazy("Applicant")),
    ("applicant_id", gettext_lazy("Applicant's ID number or credit code")),
    ("applicant_phone", gettext_lazy("Applicant's phone")),
    ("respondent_name", gettext_lazy("Respondent")),
    ("respondent_id", gettext_lazy("Respondent's ID number or credit code")),
    ("respondent_phone", gettext_lazy("Respondent's phone")),
]
REQUIRED = ("external_ref", "title", "description", "category_code", "applicant_name")
TEXT_COLUMNS = {"external_ref", "category_code", "area_code", "applicant_id", "respondent_id"}
TEXT_COLUMNS |= {"applicant_phone", "respondent_phone"}
MAX_TEMPLATE_ROWS = 501  # rows preformatted as text in the template
PARTY_ROLES = (("applicant", PartyRole.APPLICANT), ("respondent", PartyRole.RESPONDENT))
# A resident ID number is 17 digits and a check character; anything else is taken for an
# organisation's unified social credit code, which register_case then checks.
_PERSON_ID = re.compile(r"\d{17}[\dXx]|\d{15}")


def _headers() -> dict[str, str]:
    """Header text → column key, in Chinese and in English."""
    out = {}
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            out.update({str(label).strip().lower(): key for key, label in COLUMNS})
    return out


def _labels() -> dict[str, str]:
    return {key: str(label) for key, label in COLUMNS}


# ---------------------------------------------------------------- template


def template_workbook() -> bytes:
    """The upload template: the columns, and a second sheet listing the category codes."""
    wb = Workbook()
    ws = add_sheet(wb, _("Referrals"), [str(label) for _k, label in COLUMNS], [], first=True)
    for i, (key, _label) in enumerate(COLUMNS, start=1):
        if key in TEXT_COLUMNS:
            # Typed as numbers, 18-digit ID numbers would lose their last digits.
            for row in range(2, MAX_TEMPLATE_ROWS + 1):
                ws.cell(row, i).number_format = "@"
    categories = Category.objects.filter(is_active=True, parent__isnull=False).order_by("code")
    add_sheet(
        wb,
        _("Category codes"),
        [_("code"), _("name")],
        ([c.code, c.name] for c in categories),
    )
    return workbook_bytes(wb)


# ---------------------------------------------------------------- reading a batch


def read_batch(name: str, content: bytes) -> list[ReferralInput]:
    """The rows of an uploaded template (.xlsx, or CSV with the same header)."""
    table = read_table(name, content)  # a TableError names the row and the field "file"
    found = table.header()
    headers = _headers()
    keys = [headers.get(h.strip().lower(), "") for h in found[1]] if found else []
    missing = [str(label) for key, label in COLUMNS if key in REQUIRED and key not in keys]
    if missing:
        message = _("The header row lacks these columns of the template: %(cols)s.") % {
            "cols": "、".join(missing)
        }
        raise InvalidInput(message, {"file": message})
    items = []
    for number, cells in table.rows():
        values = {k: (cells[i] if i < len(cells) else "") for i, k in enumerate(keys) if k}
        items.append(_row_input(number, values))
    if not items:
        message = _("The file has no rows below the header.")
        raise InvalidInput(message, {"file": message})
    return items


def _row_input(number: int, v: dict[str, str]) -> ReferralInput:
    labels = _labels()
    errors: dict[str, str] = {}
    columns = dict(labels)
    parties = []
    for prefix, role in PARTY_ROLES:
        name, id_or_code = v.get(f"{prefix}_name", ""), v.get(f"{prefix}_id", "")
        phone = v.get(f"{prefix}_phone", "")
        if not (name or id_or_code or phone):
            continue
        i = len(parties)
        is_person = not id_or_code or _PERSON_ID.fullmatch(id_or_code)
        parties.append(
            PartyInput(
                name=name,
                role=role,
                kind=PartyKind.PERSON if is_person else PartyKind.ORGANISATION,
                id_number=id_or_code if is_person else "",
                credit_code="" if is_person else id_or_code,
                phone=phone,
            )
        )
        columns[f"parties[{i}].name"] = labels[f"{prefix}_name"]
        for field in ("id_number", "credit_code"):
            columns[f"parties[{i}].{field}"] = labels[f"{prefix}_id"]
        columns[f"parties[{i}].phone"] = labels[f"{prefix}_phone"]
    columns["parties"] = labels["applicant_name"]
    occurred = _date(v.get("occurred_at", ""))
    if occurred is None and v.get("occurred_at"):
        errors["occurred_at"] = _("Enter the date as YYYY-MM-DD, e.g. 2026-11-20.")
    people = v.get("people_involved", "") or 1
    case = CaseInput(
        title=v.get("title", ""),
        description=v.get("description", ""),
        area_code=v.get("area_code", ""),
        channel="",
        category_code=v.get("category_code", ""),
        people_involved=people,
        amount_involved=v.get("amount_involved", "").replace(",", "") or None,
        occurred_at=occurred,
        address=v.get("address", ""),
        parties=parties,
    )
    return ReferralInput(number, v.get("external_ref", ""), case, errors, columns)


def _date(raw: str) -> datetime.datetime | None:
    """A date or date-time cell (openpyxl gives 'YYYY-MM-DD HH:MM:SS'); local midnight."""
    raw = raw.strip().replace("/", "-").replace(".", "-")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(raw, fmt).replace(tzinfo=LOCAL_TZ)
        except ValueError:
            continue
    return None


# ---------------------------------------------------------------- reports


def error_report(errors: list[dict]) -> bytes:
    """The rows a batch refused: row number, reference, column and what is wrong."""
    wb = Workbook()
    add_sheet(
        wb,
        _("Errors"),
        [_("row"), str(COLUMNS[0][1]), _("column"), _("error")],
        ([e["row"], e["ref"], e["column"], e["message"]] for e in errors),
        first=True,
    )
    return workbook_bytes(wb)


def outcome_export(referrals: Iterable[Referral], now: datetime.datetime) -> bytes:
    """One row per referral with its outcome and days taken (from selectors.with_outcome)."""
    header = [
        str(COLUMNS[0][1]),
        _("case code"),
        _("title"),
        _("referring unit"),
        _("receiving center"),
        _("received at"),
        _("outcome"),
        _("outcome decided at"),
        _("days taken"),
        _("status"),
        _("sent to"),
        _("handling unit"),
        _("outcome note"),
    ]
    rows = (
        [
            r.external_ref,
            r.case.code,
            r.case.title,
            r.referring_unit.name,
            r.receiving_unit.name,
            minute(r.received_at),
            str(Outcome(r.outcome).label),
            minute(outcome_at(r)),
            days_taken(r, now),
            str(Status(r.case.status).label),
            str(TransferChannel(r.case.transfer_channel).label) if r.case.transfer_channel else "",
            r.case.owner_unit.name,
            r.case.outcome_note,
        ]
        for r in referrals
    )
    wb = Workbook()
    add_sheet(wb, _("Outcomes"), header, rows, first=True)
    return workbook_bytes(wb)
