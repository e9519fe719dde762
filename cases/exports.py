"""The queue or the case list, as the user filtered it, as an Excel workbook. Parties' ID
numbers and phones are masked unless the user's role needs them in full (the case page's rule,
services.sees_full_records); an export in full counts as a full read of each case in it."""

import datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook

from jiefen.identity import mask_id_number, mask_phone
from jiefen.localtime import minute
from jiefen.spreadsheets import add_sheet, workbook_bytes

from . import services
from .models import Case

# At most this many cases in one workbook; the sheet says so when the list was longer.
EXPORT_LIMIT = 5000


def _header() -> list[str]:
    return [
        _("case code"),
        _("title"),
        _("status"),
        _("category"),
        _("intake channel"),
        _("area"),
        _("handling unit"),
        _("registered at"),
        _("accepted at"),
        _("overdue"),
        _("reference of the referring unit"),
        _("parties"),
        _("ID numbers"),
        _("phones"),
    ]


def _row(case: Case, full: bool) -> list:
    parties = list(case.parties.all())
    ids = [p.id_number if full else mask_id_number(p.id_number) for p in parties if p.id_number]
    phones = [p.phone if full else mask_phone(p.phone) for p in parties if p.phone]
    return [
        case.code,
        case.title,
        case.get_status_display(),
        str(case.category) if case.category_id else "",
        case.get_channel_display(),
        case.area.name,
        case.owner_unit.name,
        minute(case.created_at),
        minute(case.accepted_at),
        _("yes") if getattr(case, "is_overdue", False) else "",
        case.external_ref,
        "；".join(f"{p.name}（{p.get_role_display()}）" for p in parties),
        "；".join(ids),
        "；".join(phones),
    ]


def export_cases(
    qs: QuerySet[Case], user, ip: str | None, now: datetime.datetime, title: str
) -> bytes:
    """The workbook of the cases in `qs` (already scoped and filtered, in the page's order)."""
    full = services.sees_full_records(user)
    cases = list(
        qs.select_related("area", "category", "owner_unit").prefetch_related("parties")[
            : EXPORT_LIMIT + 1
        ]
    )
    more = len(cases) > EXPORT_LIMIT
    cases = cases[:EXPORT_LIMIT]
    wb = Workbook()
    ws = add_sheet(wb, title, _header(), (_row(c, full) for c in cases), first=True)
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 30
    notes = [
        [_("Exported at"), minute(now)],
        [_("Exported by"), user.get_full_name() or user.username],
        [_("Cases"), len(cases)],
        [
            _("ID numbers and phones"),
            _("in full (this export is recorded as a read of each case)") if full else _("masked"),
        ],
    ]
    if more:
        notes.append(
            [
                _("Note"),
                _("Only the first %(n)d cases are exported; narrow the filter for the rest.")
                % {"n": EXPORT_LIMIT},
            ]
        )
    add_sheet(wb, _("About this export"), [_("item"), _("value")], notes)
    if full:
        services.record_full_export([c.pk for c in cases], user, ip, now)
    return workbook_bytes(wb)
