"""Dashboard, the cases behind a figure, assessment, weights, exports and the monthly report.
Thin: figures come from stats.selectors, cases from cases_visible_to through them."""

import datetime
import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.forms import modelformset_factory
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from areas.models import Level
from areas.selectors import is_administrator
from cases.pages import case_table_page
from cases.registry import annotate_lists
from cases.selectors import with_overdue
from jiefen import clock
from jiefen.exports import in_background as background_export
from jiefen.exports import start as start_export
from jiefen.replicas import reads_from_replica
from jiefen.spreadsheets import xlsx_response

from . import charts, exports, moj_return, report, selectors
from .forms import MojReturnQueryForm
from .indicators import INDICATORS, LISTED, RANKING, STOCK
from .models import AssessmentWeight, Dim, StarLevel
from .petition_figures import figures as petition_figures
from .prevention import figures as risk_figures
from .query import Query
from .rebuild import rebuild as rebuild_figures

CASES = "/stats/cases/?"  # the list behind a figure (stats:cases)


def fmt(ind, value) -> str:
    if value is None:
        return "—"
    if ind.kind == "count":
        return f"{value:,}"
    if ind.kind == "rate":
        return f"{value:.2f}%"
    return f"{value:.2f}"


def indicator_cards(q: Query) -> list[dict]:
    now_c = selectors.total(q.area, q.period)
    prev_c = selectors.total(q.area, q.comparison.period)
    cards = []
    for ind in INDICATORS.values():
        value = ind.value(now_c, q.area.population)
        prev = ind.value(prev_c, q.area.population)
        cards.append(
            {
                "ind": ind,
                "value": fmt(ind, value),
                "prev": fmt(ind, prev),
                "up": None if value is None or prev is None else value - prev,
                "listed": ind.listed(now_c),
                "numerator": now_c.get(ind.numerator),
                "denominator": now_c.get(ind.denominator) if ind.kind == "rate" else None,
                "href": CASES + q.params(indicator=ind.key),
            }
        )
    return cards


# What the charts, the sub-area ranking and the complexity table show: their sums read
# only these counters.
CHART_COUNTERS = ("accepted", "resolved")
RANK_COUNTERS = ("accepted", "resolved", "overdue")
COMPLEXITY_COUNTERS = (
    "accepted",
    "closed",
    "closed_on_time",
    "accepted_on_time",
    "paused",
)
UNITS_PER_PAGE = 50
RANKING_INDICATORS = [INDICATORS[k] for k in RANKING]
# Areas whose unit table is fetched after the page (htmx, when it comes into view): a
# province or city has tens of thousands of units to rank, a county a few hundred.
UNITS_LATER_LEVELS = {Level.PROVINCE, Level.CITY}


def units_later(request, q: Query) -> bool:
    """Whether the page leaves its unit table to a second request (?part=units, answered
    with the table alone), which a reader paging through the table (?units_page=) does not."""
    return q.area.level in UNITS_LATER_LEVELS and "units_page" not in request.GET


@login_required
@reads_from_replica
def dashboard(request):
    with selectors.one_reading():
        return _dashboard(request)


def _dashboard(request):
    q = Query(request)
    if request.GET.get("part") == "units":
        units = unit_page(request, q, selectors.unit_rows(q.area, q.period))
        context = {"q": q, "units": units, "ranking": RANKING_INDICATORS}
        return render(request, "stats/_units.html", context)
    labels = selectors.dim_labels()
    bucket = "week" if q.period.days <= 92 else "month"
    trend = selectors.trend(q.area, q.period, bucket, CHART_COUNTERS)
    trend_chart = charts.columns(
        [
            (
                label,
                c["accepted"],
                c["resolved"],
                CASES + q.for_period(p, indicator="accepted"),
                f"{label}: {_('Cases accepted')} {c['accepted']}, {_('Cases resolved')} {c['resolved']}",
            )
            for label, p, c in trend
        ]
    )
    breakdowns = []
    for dim, title in (
        (Dim.CATEGORY, _("By category")),
        (Dim.CHANNEL, _("By intake channel")),
        (Dim.LEVEL, _("By handling level")),
    ):
        rows = sorted(
            selectors.sums(q.area, q.period, dim, CHART_COUNTERS).items(),
            key=lambda x: -x[1]["accepted"],
        )
        breakdowns.append(
            {
                "dim": dim,
                "title": title,
                "chart": charts.hbars(
                    [
                        (
                            labels[dim].get(v, v or _("none")),
                            c["accepted"],
                            CASES + q.params(indicator="accepted", dim=dim, value=v),
                            f"{labels[dim].get(v, v or _('none'))}: {_('Cases accepted')} "
                            f"{c['accepted']}, {_('Cases resolved')} {c['resolved']}",
                        )
                        for v, c in rows
                    ]
                ),
            }
        )
    subs = rank_rows(q, selectors.sub_areas(q.area, q.period, RANK_COUNTERS))
    sub_chart = charts.hbars(
        [
            (
                r["name"],
                r["accepted"],
                r["drill"] or r["href"],
                f"{r['name']}: {_('Cases accepted')} {r['accepted']}, {_('Resolution rate')} {r['rate']}",
            )
            for r in subs
        ]
    )
    units = None
    if not units_later(request, q):
        units = unit_page(request, q, selectors.unit_rows(q.area, q.period))
    return render(
        request,
        "stats/dashboard.html",
        {
            "q": q,
            "periods": selectors.PERIODS,
            "cards": indicator_cards(q),
            "trend_chart": trend_chart,
            "bucket": bucket,
            "breakdowns": breakdowns,
            "subs": subs,
            "sub_chart": sub_chart,
            "units": units,
            "ranking": RANKING_INDICATORS,
            "risk_figures": risk_figures(q.area, q.period.start, q.period.end),
            "petition_figures": petition_figures(q.area, q.period.start, q.period.end),
            "complexity_rows": complexity_rows(q),
            "on_time": INDICATORS["on_time_rate"],
            "stock": stock_figures(q),
        },
    )


def complexity_rows(q: Query) -> list[dict]:
    """按期办结率 by complexity (简单 / 一般 / 疑难 / not set), each count linked to its cases."""
    labels = selectors.dim_labels()[Dim.COMPLEXITY]
    on_time, rate = INDICATORS["on_time_rate"], INDICATORS["timely_acceptance_rate"]
    sums = selectors.sums(q.area, q.period, Dim.COMPLEXITY, COMPLEXITY_COUNTERS)
    order = ["simple", "ordinary", "complex", ""]
    return [
        {
            "label": labels.get(v, v),
            "accepted": c["accepted"],
            "closed": c["closed"],
            "on_time": c["closed_on_time"],
            "rate": fmt(on_time, on_time.value(c)),
            "timely": fmt(rate, rate.value(c)),
            "paused": c["paused"],
            "href": CASES + q.params(indicator="accepted", dim=Dim.COMPLEXITY, value=v),
            "closed_href": CASES + q.params(indicator="closed", dim=Dim.COMPLEXITY, value=v),
            "on_time_href": CASES + q.params(indicator="on_time_rate", dim=Dim.COMPLEXITY, value=v),
        }
        for v in sorted(sums, key=lambda v: order.index(v) if v in order else 9)
        for c in [sums[v]]
    ]


def stock_figures(q: Query) -> list[dict]:
    """期初存量, 增量, 期末存量 with their definitions and the cases behind each."""
    values = selectors.stock(q.area, q.period, q.today)
    return [
        {
            "fig": f,
            "value": values[key],
            "href": CASES + q.params(indicator="accepted" if key == "increment" else key),
        }
        for key, f in STOCK.items()
    ]


def rank_row(q: Query, c: dict, **extra) -> dict:
    rate = INDICATORS["resolution_rate"]
    return {
        "accepted": c["accepted"],
        "resolved": c["resolved"],
        "overdue": c["overdue"],
        "rate": fmt(rate, rate.value(c)),
        "href": CASES + q.params(indicator="accepted", **extra),
        "overdue_href": CASES + q.params(indicator="overdue", **extra),
    }


def unit_page(request, q: Query, rows: list[selectors.UnitRow]) -> Page:
    """The page of an area's unit table that ?units_page= asks for (a province has tens of
    thousands of units); only its units are read, and each line is ready for the table."""
    page = Paginator(rows, UNITS_PER_PAGE).get_page(request.GET.get("units_page"))
    page.object_list = [
        {
            **rank_row(q, r.counters, unit=r.unit_id),
            "unit": r.unit,
            "missed": r.missed,
            "score": r.score,
            "outside": not r.unit.area.path.startswith(q.area.path),
        }
        for r in selectors.with_units(list(page.object_list))
    ]
    return page


def rank_rows(q: Query, rows) -> list[dict]:
    """Sub-area rows: each links to its cases and drills down to its own dashboard."""
    out = []
    for area, c in rows:
        if area is None:
            out.append({**rank_row(q, c, own=1), "name": _("this area itself"), "drill": ""})
            continue
        params = {"area": area.pk, "period": q.period.kind}
        if q.period.kind == "custom":
            params.update(start=q.period.start.isoformat(), end=q.period.end.isoformat())
        sub = urlencode(params)
        out.append(
            {
                **rank_row(q, c),
                "href": f"{CASES}{sub}&indicator=accepted",
                "overdue_href": f"{CASES}{sub}&indicator=overdue",
                "name": area.name,
                "drill": f"?{sub}",
            }
        )
    return out


@login_required
@reads_from_replica
def case_list(request):
    q = Query(request)
    key = request.GET.get("indicator", "accepted")
    if key not in LISTED and key not in selectors.STOCK_DAYS_KEYS:
        raise Http404
    which = {
        "dim": q.data["dim"],
        "value": q.data["value"],
        "unit_id": q.data["unit"],
        "reporter_id": q.data["reporter"],
        "own": request.GET.get("own") == "1",
        "today": q.today,
    }
    qs = selectors.cases_behind(request.user, q.area, q.period, key, **which)
    qs = (
        annotate_lists(with_overdue(qs, clock.now()))
        .select_related("area", "category", "owner_unit")
        .order_by("-created_at")
    )
    return render(
        request,
        "stats/cases.html",
        {
            "q": q,
            "ind": LISTED.get(key) or STOCK[key],
            "page": case_table_page(
                request, qs, selectors.count_behind(q.area, q.period, key, **which)
            ),
            "table_id": "stats-cases",
        },
    )


@login_required
@reads_from_replica
def assessment(request):
    q = Query(request)
    if q.period.kind == "month" and "period" not in request.GET:
        q.period = selectors.period_of("quarter", clock.today_local())
    if request.GET.get("part") == "units":
        units = unit_page(request, q, selectors.scored_unit_rows(q.area, q.period))
        return render(request, "stats/_unit_scores.html", {"q": q, "units": units})
    units = None
    if not units_later(request, q):
        units = unit_page(request, q, selectors.scored_unit_rows(q.area, q.period))
    workers = [
        {
            **rank_row(q, c, reporter=u.pk),
            "user": u,
            "score": s,
            "stars": "★" * stars,
            "missed_daily": c["missed_daily"],
        }
        for u, c, s, stars in selectors.grid_workers(q.area, q.period)
    ]
    names, in_use = weight_names(), selectors.weights()
    review = Paginator(selectors.review_list(request.user, q.area, q.period), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "stats/assessment.html",
        {
            "q": q,
            "periods": selectors.PERIODS,
            "units": units,
            "workers": workers,
            "rates_workers": selectors.rates_grid_workers(q.area),
            "review": review,
            "weights": [(names[k], in_use[k]) for k in names if in_use.get(k)],
            "stars": StarLevel.objects.all(),
            "is_admin": is_administrator(request.user),
        },
    )


def weight_names() -> dict[str, str]:
    """What each assessment weight applies to, as a leader reads it."""
    names = {k: str(i.name) for k, i in INDICATORS.items()}
    names.update(
        overdue=_("Deduction per overdue case"), missed_report=_("Deduction per missed report")
    )
    return names


WeightFormSet = modelformset_factory(AssessmentWeight, fields=["weight"], extra=0)
StarFormSet = modelformset_factory(StarLevel, fields=["min_score", "min_cases"], extra=0)


@login_required
def weights(request):
    if not is_administrator(request.user):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    wf = WeightFormSet(data, prefix="w", queryset=AssessmentWeight.objects.all())
    sf = StarFormSet(data, prefix="s", queryset=StarLevel.objects.all())
    if data is not None and wf.is_valid() and sf.is_valid():
        wf.save()
        sf.save()
        return redirect("stats:assessment")
    names = weight_names()
    for f in wf:
        f.label = names.get(f.instance.indicator, f.instance.indicator)
    return render(request, "stats/weights.html", {"wf": wf, "sf": sf})


@login_required
@reads_from_replica
def export(request, table: str):
    """A table as Excel; a long one, with a Celery broker, by a task whose progress page
    this answers (jiefen.exports; the task builds the same workbook, stats.exports.build)."""
    q = Query(request)
    if background_export(exports.listed_rows(request.user, q, table)):
        params = {**request.GET.dict(), "table": table}
        job = start_export(request.user, "stats", params, exports.title_of(q, table))
        if job is not None:  # None: the broker is down, the file is built here instead
            return redirect("export_status", pk=job.pk)
    book = exports.workbook(request, q, table)
    if book is None:
        raise Http404
    return xlsx_response(book, exports.file_name(q, table))


@login_required
@reads_from_replica
def monthly_report(request):
    q = Query(request)
    first = q.data["month"] or clock.today_local().replace(day=1)
    q.period = selectors.period_of("month", first)
    pdf = report.monthly_pdf(q)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="jiefen-report-{q.area.code}-{first:%Y%m}.pdf"'
    )
    return response


def moj_query(request) -> Query:
    """The area and period of the people's-mediation return: a month (?month=YYYY-MM; by
    default the month just ended, the one a 司法所 reports) or any dates
    (?period=custom&start=&end=, or this month, quarter or year with ?period=)."""
    q = Query(request, MojReturnQueryForm)
    if q.data["month"]:
        q.period = selectors.period_of("month", q.data["month"])
    elif not q.data["period"]:
        q.period = selectors.period_of("month", q.today.replace(day=1) - datetime.timedelta(1))
    return q


@login_required
@reads_from_replica
def moj_return_page(request):
    q = moj_query(request)
    ret = moj_return.build(q.area, q.period)
    sources = [moj_return.FIGURES[s].name for s in moj_return.SOURCES]
    rows = exports.moj_return_rows(ret)
    for r in rows:
        r["cells"] = [
            {"label": c.name, "value": v}
            for c, v in zip(ret.categories, r["categories"], strict=True)
        ]
        r["source_cells"] = [
            {"label": label, "value": v} for label, v in zip(sources, r["sources"], strict=True)
        ]
    if q.period.kind == "month":
        month, period_params = f"{q.period.start:%Y-%m}", f"month={q.period.start:%Y-%m}"
    else:
        month = ""
        period_params = urlencode(
            {"period": "custom", "start": q.period.start, "end": q.period.end}
        )
    # The area itself, the areas above it in the user's scope, and its sub-areas (not the
    # grids: a committee is a village's at the lowest).
    choices = [*q.trail] + list(
        selectors.dashboard_areas(request.user)
        .filter(parent=q.area, level__lt=Level.GRID)
        .order_by("code")
    )
    return render(
        request,
        "stats/moj_return.html",
        {
            "q": q,
            "ret": ret,
            "rows": rows,
            "figures": moj_return.FIGURES,
            "month": month,
            "period_params": period_params,
            "period_span": exports.period_span(q.period),
            "area_choices": choices,
        },
    )


@login_required
@reads_from_replica
def moj_return_xlsx(request):
    q = moj_query(request)
    ret = moj_return.build(q.area, q.period)
    book = exports.moj_return_workbook(ret, exports.reporting_unit(request.user, q.area))
    name = f"moj-return-{q.area.code}-{q.period.start:%Y%m%d}-{q.period.end:%Y%m%d}.xlsx"
    return xlsx_response(book, name)


@login_required
def rebuild(request):
    """Recompute every figure (manage.py rebuild_stats) from the browser, for an administrator.
    With a Celery broker it runs as a task and this page shows its progress (htmx polls the
    progress part); without one it runs in the request, as the command would."""
    if not is_administrator(request.user):
        raise PermissionDenied
    if request.method == "POST":
        if settings.CELERY_BROKER_URL:
            from .tasks import rebuild_stats  # celery is imported only when configured

            return redirect(f"{request.path}?task={rebuild_stats.delay().id}")
        facts, rows = rebuild_figures()
        status = {"state": "SUCCESS", "done": facts, "total": facts, "percent": 100}
        return render(request, "stats/rebuild.html", {"status": status})
    status = task_status(request.GET.get("task", ""))
    template = "stats/_rebuild_status.html" if request.htmx and status else "stats/rebuild.html"
    return render(request, template, {"status": status})


def task_status(task_id: str) -> dict | None:
    """A rebuild task's state and progress from the result backend; None for no (or a
    malformed) task id."""
    try:
        task_id = str(uuid.UUID(task_id))
    except ValueError:
        return None
    if not settings.CELERY_BROKER_URL:
        return None
    from .tasks import rebuild_stats

    result = rebuild_stats.AsyncResult(task_id)
    info = result.info if isinstance(result.info, dict) else {}
    done, total = int(info.get("done", 0)), int(info.get("total", 0))
    return {
        "id": task_id,
        "state": result.state,
        "done": done,
        "total": total,
        "percent": 100 if result.state == "SUCCESS" else (100 * done // total if total else 0),
        "running": result.state in {"PENDING", "STARTED", "PROGRESS"},
    }
