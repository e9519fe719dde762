"""Every statistics table as an Excel workbook: the period and area in the header, the
indicator definitions on a second sheet.

A table that lists cases (the quarterly review) can be long: with a Celery broker and more
than settings.EXPORT_ASYNC_ROWS rows it is exported by a task (jiefen.exports; `build`,
registered by stats.apps, makes the same workbook in the worker from the user and the page's
query parameters, on the read replica, with progress). The other tables are figures per
indicator, category, unit or grid worker: bounded, made in the request."""

import io
from collections.abc import Callable
from types import SimpleNamespace

from django.db.models import QuerySet
from django.http import Http404, QueryDict
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from areas.models import Membership
from cases.models import Channel
from jiefen import clock
from jiefen.exports import Built
from jiefen.localtime import minute
from jiefen.replicas import replica_reads
from jiefen.spreadsheets import append_row, workbook_bytes
from risk.models import Grade

from . import moj_return, selectors
from .indicators import INDICATORS, STOCK
from .models import Dim
from .petition_figures import figures as petition_figures
from .prevention import figures as risk_figures
from .query import Query

# Rows written between two progress reports.
PROGRESS_EVERY = 500

RANK_KEYS = ("accepted", "resolved", "resolution_rate", "closed", "closure_rate", "overdue")


def _fig(key: str, c: dict, population: int = 0):
    v = INDICATORS[key].value(c, population)
    return round(v, 2) if isinstance(v, float) else v


def _rows(request, q, table: str) -> tuple[str, list[str], list[list]] | None:
    area, period = q.area, q.period
    names = [str(INDICATORS[k].name) for k in RANK_KEYS]
    if table == "indicators":
        before = q.comparison
        now, prev = selectors.total(area, period), selectors.total(area, before.period)
        return (
            _("Indicators"),
            [_("Statistical indicator"), str(period), f"{before.period} ({before.short})"],
            [
                [str(i.name), _fig(k, now, area.population), _fig(k, prev, area.population)]
                for k, i in INDICATORS.items()
            ],
        )
    if table in (Dim.CATEGORY, Dim.CHANNEL, Dim.LEVEL):
        labels = selectors.dim_labels()[table]
        data = sorted(selectors.sums(area, period, table).items(), key=lambda x: -x[1]["accepted"])
        return (
            str(Dim(table).label),
            [str(Dim(table).label), *names],
            [[labels.get(v, v), *[_fig(k, c) for k in RANK_KEYS]] for v, c in data],
        )
    if table == "complexity":
        labels = selectors.dim_labels()[Dim.COMPLEXITY]
        keys = ("accepted", "closed", "on_time_rate", "timely_acceptance_rate", "paused_cases")
        data = selectors.sums(area, period, Dim.COMPLEXITY)
        return (
            _("On-time closure by complexity"),
            [_("complexity"), *[str(INDICATORS[k].name) for k in keys]],
            [
                [labels.get(v, v), *[_fig(k, data[v]) for k in keys]]
                for v in ("simple", "ordinary", "complex", "")
                if v in data
            ],
        )
    if table == "stock":
        values = selectors.stock(area, period, q.today)
        return (
            _("Open cases and new cases (存量与增量)"),
            [_("Statistical indicator"), str(period)],
            [[str(f.name), values[k]] for k, f in STOCK.items()],
        )
    if table == "subareas":
        data = selectors.sub_areas(area, period)
        return (
            _("Sub-areas"),
            [_("area"), *names],
            [
                [a.name if a else _("this area itself"), *[_fig(k, c) for k in RANK_KEYS]]
                for a, c in data
            ],
        )
    if table == "units":
        return (
            _("Units"),
            [_("unit"), *names, _("Missed reports")],
            [
                [u.name, *[_fig(k, c) for k in RANK_KEYS], m]
                for u, c, m in selectors.units(area, period)
            ],
        )
    if table == "unitscores":
        return (
            _("Unit scores"),
            [_("unit"), _("score"), *names, _("Missed reports")],
            [
                [u.name, s, *[_fig(k, c) for k in RANK_KEYS], m]
                for u, c, m, s in selectors.unit_scores(area, period)
            ],
        )
    if table == "gridworkers":
        return (
            _("Grid workers"),
            [_("grid worker"), _("stars"), _("score"), *names],
            [
                [u.get_full_name() or u.username, stars, s, *[_fig(k, c) for k in RANK_KEYS]]
                for u, c, s, stars in selectors.grid_workers(area, period)
            ],
        )
    if table == "review":
        return (
            _("Quarterly review"),
            [
                _("escalated at"),
                _("case code"),
                _("title"),
                _("unit that did not act"),
                _("reason"),
            ],
            [
                [
                    minute(e.at),
                    e.case.code,
                    e.case.title,
                    e.actor_unit.name if e.actor_unit else "",
                    _("mediation attempts used up")
                    if e.data.get("reason") == "attempts"
                    else _("time limit passed"),
                ]
                for e in selectors.review_list(request.user, area, period)
            ],
        )
    if table == "petitions":
        return (
            _("Petitions (信访)"),
            [_("Statistical indicator"), str(period), _("definition")],
            [
                [str(f.name), f.value, str(f.definition)]
                for f in petition_figures(area, period.start, period.end)
            ],
        )
    if table == "risk":
        figures = risk_figures(area, period.start, period.end)
        return (
            _("Risk and prevention"),
            [_("Statistical indicator"), str(period), _("definition")],
            [[str(f.name), f.value, str(f.definition)] for f in figures["grades"] + figures["work"]]
            + [
                [f"{r['name']} · {_('red and orange cases')}", r["value"], ""]
                for r in figures["sub_areas"]
            ]
            + [
                [
                    f"{r['name']} · {Grade(g).label}",
                    cell["value"],
                    str(figures["category_definition"]),
                ]
                for r in figures["categories"]
                for g, cell in zip((Grade.RED, Grade.ORANGE, Grade.YELLOW), r["cells"], strict=True)
            ],
        )
    return None


def listed_rows(user, q, table: str) -> QuerySet | None:
    """The rows of a table that lists cases, to count; None for a table of figures (bounded)."""
    if table == "review":
        return selectors.review_list(user, q.area, q.period)
    return None


def title_of(q, table: str) -> str:
    return f"{q.area.name} · {_('Quarterly review') if table == 'review' else table}"


def file_name(q, table: str) -> str:
    return f"jiefen-{table}-{q.area.code}-{q.period.start:%Y%m%d}-{q.period.end:%Y%m%d}.xlsx"


def build(user, params: dict[str, str], progress: Callable[[int, int], None] | None) -> Built:
    """The export as a task builds it (jiefen.exports): the area checked again against the
    user's statistics scope, as the page does (Query)."""
    table = params.get("table", "")
    query = QueryDict(mutable=True)
    query.update({k: v for k, v in params.items() if k != "table"})
    request = SimpleNamespace(user=user, GET=query)
    written = [0]

    def told(done: int, total: int) -> None:
        written[0] = total
        if progress:
            progress(done, total)

    with replica_reads():
        q = Query(request)
        content = workbook(request, q, table, told)
    if content is None:
        raise Http404
    return Built(content, file_name(q, table), written[0])


def workbook(request, q, table: str, progress: Callable[[int, int], None] | None = None):
    """The table's workbook (None for no such table); `progress(rows written, rows in
    all)` is told every PROGRESS_EVERY rows."""
    found = _rows(request, q, table)
    if found is None:
        return None
    title, header, rows = found
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    append_row(ws, [f"{q.area.name}（{q.area.code}） · {title}"])
    append_row(ws, [_("Period"), str(q.period)])
    append_row(ws, [])
    append_row(ws, header)
    for cell in ws[1] + ws[4]:
        cell.font = Font(bold=True)
    for i, row in enumerate(rows, start=1):
        append_row(ws, row)
        if progress and (i % PROGRESS_EVERY == 0 or i == len(rows)):
            progress(i, len(rows))
    ws.column_dimensions["A"].width = 28
    defs = wb.create_sheet(_("Definitions"))
    append_row(defs, [_("Statistical indicator"), _("definition")])
    for i in [*INDICATORS.values(), *STOCK.values()]:
        append_row(defs, [str(i.name), str(i.definition)])
    defs.column_dimensions["A"].width = 24
    defs.column_dimensions["B"].width = 100
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- 人民调解工作统计表


def reporting_unit(user, area) -> str:
    """填报单位: the user's unit of the return's area (their 司法所 or center), else the area."""
    unit = (
        Membership.objects.filter(user=user, unit__area=area, unit__is_active=True)
        .select_related("unit")
        .order_by("pk")
        .first()
    )
    return unit.unit.name if unit else area.name


def period_span(period) -> str:
    return _("%(start)s to %(end)s") % {
        "start": f"{period.start:%Y-%m-%d}",
        "end": f"{period.end:%Y-%m-%d}",
    }


def moj_return_rows(ret: moj_return.Return) -> list[dict]:
    """The return's lines as the page and the workbook show them: the name, then the
    figures in column order (None for a hand-filled cell, the rate None when undefined)."""
    out = []
    for line in ret.lines:
        rate = line.rate
        out.append(
            {
                "line": line,
                "name": line.name,
                # A committee area above the return's: its committees count this area's cases.
                "note": _("(above this area: only its cases here)")
                if line.kind == "area" and line.outside
                else "",
                "kind": line.kind,
                "total": line.total,
                "categories": [line.categories.get(c.pk, 0) for c in ret.categories],
                "success": line.success,
                "rate": round(rate, 2) if rate is not None else None,
                "amount": line.amount,
                "sources": [line.sources[s] for s in moj_return.SOURCES],
            }
        )
    return out


def moj_return_workbook(ret: moj_return.Return, reporting: str) -> bytes:
    """The return in the layout of the official form: title, 填报单位 / 统计期间 / 填报日期,
    a two-row header with merged cells, a line per area subtotal and committee, the total,
    the note on the hand-filled columns; the definitions on a second sheet."""
    figures = moj_return.FIGURES
    cats = ret.categories
    # Columns: name, total, categories…, success, rate, amount, 3 sources, 2 + 2 hand-filled.
    n_cols = 1 + 1 + len(cats) + 3 + 3 + 4
    wb = Workbook()
    ws = wb.active
    ws.title = _("People's mediation statistical return")[:31]
    bold, centre = (
        Font(bold=True),
        Alignment(horizontal="center", vertical="center", wrap_text=True),
    )
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)

    append_row(ws, [_("People's mediation statistical return")])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=n_cols)
    ws.cell(1, 1).font = Font(bold=True, size=16)
    ws.cell(1, 1).alignment = centre
    ws.row_dimensions[1].height = 30
    today = clock.today_local()
    third = n_cols // 3
    info = [
        (1, f"{_('Reporting unit')}：{reporting}"),
        (
            1 + third,
            f"{_('Period')}：{period_span(ret.period)}",
        ),
        (1 + 2 * third, f"{_('Date of report')}：{today:%Y-%m-%d}"),
    ]
    for i, (col, text) in enumerate(info):
        end = info[i + 1][0] - 1 if i + 1 < len(info) else n_cols
        ws.cell(2, col, text)
        ws.merge_cells(start_row=2, start_column=col, end_row=2, end_column=end)

    # Header: rows 3 and 4. A single column spans both rows; a group names its columns below.
    top, sub = 3, 4
    headers: list[tuple[str, list[str]]] = [
        (_("Mediation committee"), []),
        (f"{figures['total'].name}（{moj_return.CASES}）", []),
        (str(figures["category"].name), [c.name for c in cats]),
        (f"{figures['success'].name}（{moj_return.CASES}）", []),
        (f"{figures['rate'].name}（%）", []),
        (f"{figures['amount'].name}（{moj_return.YUAN}）", []),
        (
            _("Source of the cases"),
            [str(figures[s].name) for s in moj_return.SOURCES],
        ),
        (str(figures["criminal"].name), [moj_return.CASES, moj_return.PEOPLE]),
        (str(figures["mass_petition"].name), [moj_return.CASES, moj_return.PEOPLE]),
    ]
    col = 1
    for title, subs in headers:
        ws.cell(top, col, str(title))
        if subs:
            ws.merge_cells(
                start_row=top, start_column=col, end_row=top, end_column=col + len(subs) - 1
            )
            for i, s in enumerate(subs):
                ws.cell(sub, col + i, str(s))
            col += len(subs)
        else:
            ws.merge_cells(start_row=top, start_column=col, end_row=sub, end_column=col)
            col += 1
    for row in (top, sub):
        ws.row_dimensions[row].height = 36 if row == top else 48
        for c in range(1, n_cols + 1):
            cell = ws.cell(row, c)
            cell.font, cell.alignment, cell.border = bold, centre, box

    for r in moj_return_rows(ret):
        name = r["name"] if r["kind"] != "committee" else f"　{r['name']}"
        if r["kind"] == "area":
            name = f"{r['name']} {_('subtotal')}{r['note']}"
        append_row(
            ws,
            [
                name,
                r["total"],
                *r["categories"],
                r["success"],
                r["rate"],
                float(r["amount"]),
                *r["sources"],
                None,
                None,
                None,
                None,
            ],
        )
        row = ws.max_row
        for c in range(1, n_cols + 1):
            cell = ws.cell(row, c)
            cell.border = box
            if r["kind"] != "committee":
                cell.font = bold
        ws.cell(row, 3 + len(cats) + 1).number_format = "0.00"
        ws.cell(row, 3 + len(cats) + 2).number_format = "#,##0.00"
    note_row = ws.max_row + 1
    ws.cell(
        note_row,
        1,
        _(
            "Note: the columns “%(criminal)s” and “%(mass)s” are filled in by hand: the "
            "platform does not record them. Cases: those accepted in the period; see the "
            "definitions sheet."
        )
        % {"criminal": figures["criminal"].name, "mass": figures["mass_petition"].name},
    )
    ws.merge_cells(start_row=note_row, start_column=1, end_row=note_row, end_column=n_cols)
    ws.cell(note_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[note_row].height = 32
    sign_row = note_row + 1
    ws.cell(sign_row, 1, f"{_('Prepared by')}：")
    ws.cell(sign_row, 1 + third, f"{_('Checked by')}：")
    ws.cell(sign_row, 1 + 2 * third, f"{_('Head of the unit')}：")

    ws.column_dimensions["A"].width = 30
    for c in range(2, n_cols + 1):
        ws.column_dimensions[get_column_letter(c)].width = 9
    ws.column_dimensions[get_column_letter(3 + len(cats) + 2)].width = 14
    ws.freeze_panes = ws.cell(sub + 1, 2)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{top}:{sub}"

    defs = wb.create_sheet(_("Definitions"))
    append_row(defs, [_("Statistical indicator"), _("definition")])
    for f in figures.values():
        append_row(defs, [str(f.name), str(f.definition)])
    append_row(
        defs,
        [
            str(_("Source of the cases")),
            ", ".join(
                f"{Channel(ch).label} → {figures[s].name}"
                for ch, s in moj_return.SOURCE_OF_CHANNEL.items()
            ),
        ],
    )
    defs.column_dimensions["A"].width = 24
    defs.column_dimensions["B"].width = 100
    return workbook_bytes(wb)
