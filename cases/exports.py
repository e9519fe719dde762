"""The queue or the case list, as the user filtered it, as an Excel workbook. Parties' ID
numbers and phones are masked unless the user's role needs them in full (the case page's rule,
services.sees_full_records); an export in full counts as a full read of each case in it.

A list longer than settings.EXPORT_ASYNC_ROWS is exported by a Celery task when a broker is
configured (jiefen.exports: `build`, registered by cases.apps, makes the same workbook in the
worker, from the user and the page's query parameters, with progress)."""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook

from jiefen import clock
from jiefen.exports import Built
from jiefen.identity import mask_id_number, mask_phone
from jiefen.localtime import LOCAL_TZ, minute
from jiefen.spreadsheets import add_sheet, workbook_bytes

from . import selectors, services
from .forms import CaseFilterForm
from .models import Case
from .registry import annotate_lists

# At most this many cases in one workbook made in the request; the sheet says so when the
# list was longer. A task (with a broker) goes up to settings.EXPORT_TASK_MAX_ROWS.
EXPORT_LIMIT = 5000
# Cases read (and progress told) this many at a time.
CHUNK = 1000


def listed(user, data, now: datetime.datetime) -> tuple[CaseFilterForm, QuerySet[Case]]:
    """The case list's filter form and its cases, as the page and its export show them."""
    form = CaseFilterForm(data or None, user=user)
    qs = selectors.filter_cases(selectors.cases_visible_to(user), **form.filters())
    qs = (
        annotate_lists(selectors.with_overdue(qs, now))
        .select_related("area", "category", "owner_unit")
        .order_by("-created_at")
    )
    return form, qs


def exported(user, params, now: datetime.datetime) -> tuple[QuerySet[Case], str]:
    """The cases an export of the queue (?view=queue&tab=) or of the filtered list holds,
    always from the user's own scope, and the sheet's title."""
    if params.get("view") == "queue":
        tab = "unit" if params.get("tab") == "unit" else "mine"
        return selectors.work_queue(user, tab, now), _("Work queue")
    return listed(user, params, now)[1], _("Cases")


def file_name(now: datetime.datetime) -> str:
    return f"cases-{now.astimezone(LOCAL_TZ):%Y%m%d-%H%M}.xlsx"


def build(user, params: dict[str, str], progress: Callable[[int, int], None] | None) -> Built:
    """The export as a task builds it (jiefen.exports), up to EXPORT_TASK_MAX_ROWS cases."""
    now = clock.now()
    ip = params.get("_ip") or None  # the request's address, for the access log
    qs, title = exported(user, {k: v for k, v in params.items() if k != "_ip"}, now)
    content, rows = export_cases(qs, user, ip, now, title, settings.EXPORT_TASK_MAX_ROWS, progress)
    return Built(content, file_name(now), rows)


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


def _chunks(qs: QuerySet[Case], ids: list[int], progress):
    """The cases of `ids` in their order, read CHUNK at a time through `qs` (so with its
    annotations), `progress(done, len(ids))` told after each chunk."""
    related = qs.select_related("area", "category", "owner_unit").prefetch_related("parties")
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        by_id = {c.pk: c for c in related.filter(pk__in=chunk)}
        yield from (by_id[pk] for pk in chunk if pk in by_id)
        if progress:
            progress(start + len(chunk), len(ids))


def export_cases(
    qs: QuerySet[Case],
    user,
    ip: str | None,
    now: datetime.datetime,
    title: str,
    limit: int = EXPORT_LIMIT,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[bytes, int]:
    """The workbook of the cases in `qs` (already scoped and filtered, in the page's order),
    at most `limit` of them, and how many it holds; `progress(cases written, cases in all)`
    is told after each chunk."""
    full = services.sees_full_records(user)
    ids = list(qs.values_list("pk", flat=True)[: limit + 1])
    more = len(ids) > limit
    ids = ids[:limit]
    if progress:
        progress(0, len(ids))
    wb = Workbook()
    rows = (_row(c, full) for c in _chunks(qs, ids, progress))
    ws = add_sheet(wb, title, _header(), rows, first=True)
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 30
    notes = [
        [_("Exported at"), minute(now)],
        [_("Exported by"), user.get_full_name() or user.username],
        [_("Cases"), len(ids)],
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
                % {"n": limit},
            ]
        )
    add_sheet(wb, _("About this export"), [_("item"), _("value")], notes)
    if full:
        for start in range(0, len(ids), CHUNK):
            services.record_full_export(ids[start : start + CHUNK], user, ip, now)
    return workbook_bytes(wb), len(ids)
