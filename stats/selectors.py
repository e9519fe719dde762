"""Reads of the figures: sums for an area and period from the roll-ups (large areas) or the
facts (small ones), breakdowns, rankings, the click-through case lists and assessment."""

import datetime
from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from areas.models import Area, Level, Membership, Role, Unit, path_ids
from areas.selectors import scope_of, visible_areas
from cases.models import Case, Category, Channel, TimelineEvent
from cases.selectors import cases_visible_to
from clocks.models import Complexity
from coordination.models import Summons
from jiefen.localtime import LOCAL_TZ, day_end
from portal.models import MissedDailyReport

from .indicators import INDICATORS, LISTED, SCORED_RATES
from .models import (
    COUNTERS,
    SUM_ANNOTATIONS,
    AssessmentWeight,
    CaseFact,
    DailyCount,
    Dim,
    StarLevel,
)
from .recorder import has_rollup

PERIODS = {
    "month": _("This month"),
    "quarter": _("This quarter"),
    "year": _("This year"),
    "custom": _("Custom"),
}


@dataclass(frozen=True)
class Period:
    kind: str
    start: datetime.date
    end: datetime.date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        """The period of the same kind just before (same length for a custom one)."""
        if self.kind in ("month", "quarter", "year"):
            return period_of(self.kind, self.start - datetime.timedelta(days=1))
        end = self.start - datetime.timedelta(days=1)
        return Period(self.kind, end - datetime.timedelta(days=self.days - 1), end)

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[start, end) as aware datetimes at Asia/Shanghai midnight."""
        start = datetime.datetime.combine(self.start, datetime.time(), LOCAL_TZ)
        end = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time())
        return start, end.replace(tzinfo=LOCAL_TZ)

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d} – {self.end:%Y-%m-%d}"


# Every day: the cases as they stand now, whenever accepted. A large area reads its
# Dim.NOW rows for it (one per area, or per area and category) instead of every day's.
ALL_TIME = Period("custom", datetime.date(1970, 1, 1), datetime.date(9999, 12, 31))
NOW_DIM = {Dim.TOTAL: Dim.NOW, Dim.CATEGORY: Dim.NOW_CATEGORY}


def period_of(kind: str, today: datetime.date, start=None, end=None) -> Period:
    if kind == "custom" and start and end and start <= end:
        return Period(kind, start, end)
    if kind == "year":
        return Period(kind, today.replace(month=1, day=1), today.replace(month=12, day=31))
    if kind == "quarter":
        first = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
    else:
        kind, first = "month", today.replace(day=1)
    months = 3 if kind == "quarter" else 1
    nxt = first.replace(
        year=first.year + (first.month + months - 1) // 12,
        month=(first.month + months - 1) % 12 + 1,
    )
    return Period(kind, first, nxt - datetime.timedelta(days=1))


# What the figures of a period are compared with, said above the cards: (kind of the
# period, only its first days) → the sentence, and the short name on each card.
COMPARED_WITH = {
    ("month", True): (
        _("Compared with the same days of the previous month (%(span)s)"),
        _("same days of the previous month"),
    ),
    ("month", False): (
        _("Compared with the previous month (%(span)s)"),
        _("previous month"),
    ),
    ("quarter", True): (
        _("Compared with the same days of the previous quarter (%(span)s)"),
        _("same days of the previous quarter"),
    ),
    ("quarter", False): (
        _("Compared with the previous quarter (%(span)s)"),
        _("previous quarter"),
    ),
    ("year", True): (
        _("Compared with the same days of the previous year (%(span)s)"),
        _("same days of the previous year"),
    ),
    ("year", False): (
        _("Compared with the previous year (%(span)s)"),
        _("previous year"),
    ),
    ("custom", False): (
        _("Compared with the period before (%(span)s)"),
        _("period before"),
    ),
}


@dataclass(frozen=True)
class Comparison:
    """The period a period's figures are compared with. While a month, quarter or year is
    under way (`today` inside it) that is as many days at the start of the one before as
    have passed (1–2 November for 1–2 December), not the whole of it; otherwise, and for
    dates a user chose, the whole period before."""

    of: Period
    period: Period
    same_days: bool

    @property
    def label(self) -> str:
        return str(COMPARED_WITH[self.of.kind, self.same_days][0]) % {"span": self.span}

    @property
    def short(self) -> str:
        return str(COMPARED_WITH[self.of.kind, self.same_days][1])

    @property
    def span(self) -> str:
        """The compared days as a reader says them: 11月1日–2日, 2025年1月1日–11月23日."""
        start, end = self.period.start, self.period.end
        if start.year != self.of.start.year:
            first = pgettext("date span", "%(year)s/%(month)s/%(day)s") % {
                "year": start.year,
                "month": start.month,
                "day": start.day,
            }
        else:
            first = pgettext("date span", "%(month)s/%(day)s") % {
                "month": start.month,
                "day": start.day,
            }
        if end == start:
            return first
        if (end.year, end.month) == (start.year, start.month):
            last = pgettext("date span", "%(day)s") % {"day": end.day}
        else:
            last = pgettext("date span", "%(month)s/%(day)s") % {
                "month": end.month,
                "day": end.day,
            }
        return f"{first}–{last}"

    def __str__(self) -> str:
        return str(self.period)


def comparison(period: Period, today: datetime.date) -> Comparison:
    """What `period` is compared with on `today` (see Comparison): the same number of days
    into the month, quarter or year before while `period` is under way, clamped to that
    period's end (30 March against the 28 days of February); the whole period before once
    it is over, and for custom dates (the same number of days just before them)."""
    before = period.previous()
    if period.kind == "custom" or not period.start <= today < period.end:
        return Comparison(period, before, False)
    end = before.start + datetime.timedelta(days=(today - period.start).days)
    return Comparison(period, Period(before.kind, before.start, min(end, before.end)), True)


def dim_labels() -> dict[str, dict[str, str]]:
    """Display names of the breakdown values."""
    return {
        Dim.CATEGORY: dict(Category.objects.filter(parent=None).values_list("code", "name")),
        Dim.CHANNEL: {k: str(v) for k, v in Channel.choices},
        Dim.LEVEL: {str(k): str(v) for k, v in Level.choices},
        Dim.COMPLEXITY: {"": str(_("not set")), **{k: str(v) for k, v in Complexity.choices}},
    }


def zero() -> dict:
    return dict.fromkeys(COUNTERS, 0)


def _clean(row: dict, counters: tuple[str, ...] = COUNTERS) -> dict:
    return {c: int(row.get(c) or 0) for c in counters}


def _sum_of(counters: tuple[str, ...]) -> dict:
    return SUM_ANNOTATIONS if counters is COUNTERS else {c: Sum(c) for c in counters}


def facts_in(area: Area, period: Period) -> QuerySet[CaseFact]:
    return CaseFact.objects.filter(
        **{f"l{area.level}": area.pk}, accepted_on__range=(period.start, period.end)
    )


FACT_DIM_FIELD = {
    Dim.CATEGORY: "category",
    Dim.CHANNEL: "channel",
    Dim.LEVEL: "level",
    Dim.COMPLEXITY: "complexity",
}


# Within one page (`one_reading()`): sums already read, by (area, start, end, dimension).
_read: ContextVar[dict | None] = ContextVar("stats_sums_read", default=None)


@contextmanager
def one_reading():
    """Read each sum once while a page is built: its cards, risk section and 存量 all need
    the period's total; building the 30-odd SUMs of a query costs more than running it."""
    token = _read.set({})
    try:
        yield
    finally:
        _read.reset(token)


def sums(
    area: Area, period: Period, dim: str = Dim.TOTAL, counters: tuple[str, ...] = COUNTERS
) -> dict[str, dict]:
    """dimension value → summed counters ("" for the total); only `counters` if named
    (a few SUMs build faster than all of them)."""
    read = _read.get()
    if read is None:
        return _sums(area, period, dim, counters)
    key = (area.pk, period.start, period.end, dim, counters)
    if key not in read:
        read[key] = _sums(area, period, dim, counters)
    return {value: dict(c) for value, c in read[key].items()}


def _sums(area: Area, period: Period, dim: str, counters: tuple[str, ...]) -> dict[str, dict]:
    sums_of = _sum_of(counters)
    if period == ALL_TIME and has_rollup(area.level, NOW_DIM.get(dim, "")):
        rows = (
            DailyCount.objects.filter(area_id=area.pk, dim=NOW_DIM[dim])
            .values("value")
            .annotate(**sums_of)
        )
        out = {r["value"]: _clean(r, counters) for r in rows}
    elif has_rollup(area.level, dim):
        rows = (
            DailyCount.objects.filter(
                area_id=area.pk, dim=dim, day__range=(period.start, period.end)
            )
            .values("value")
            .annotate(**sums_of)
        )
        out = {r["value"]: _clean(r, counters) for r in rows}
    elif dim == Dim.TOTAL:
        out = {"": _clean(facts_in(area, period).aggregate(**sums_of), counters)}
    else:
        field = FACT_DIM_FIELD[dim]
        rows = facts_in(area, period).values(field).annotate(**sums_of)
        out = {str(r[field]): _clean(r, counters) for r in rows}
    if dim == Dim.TOTAL or "accepted" not in counters:
        return out
    return {k: v for k, v in out.items() if v["accepted"]}


def total(area: Area, period: Period, counters: tuple[str, ...] = COUNTERS) -> dict:
    return sums(area, period, counters=counters).get("", dict.fromkeys(counters, 0))


def daily(
    area: Area, period: Period, counters: tuple[str, ...] = COUNTERS
) -> dict[datetime.date, dict]:
    if has_rollup(area.level):
        rows = DailyCount.objects.filter(
            area_id=area.pk, dim=Dim.TOTAL, day__range=(period.start, period.end)
        ).values("day", *counters)
        return {r["day"]: _clean(r, counters) for r in rows}
    rows = facts_in(area, period).values("accepted_on").annotate(**_sum_of(counters))
    return {r["accepted_on"]: _clean(r, counters) for r in rows}


def trend(
    area: Area, period: Period, bucket: str, counters: tuple[str, ...] = COUNTERS
) -> list[tuple[str, Period, dict]]:
    """(label, sub-period, counters) per week (Monday first) or month of the period."""
    by_day = daily(area, period, counters)
    out: list[tuple[str, Period, dict]] = []
    day = period.start
    while day <= period.end:
        if bucket == "week":
            end = min(period.end, day + datetime.timedelta(days=6 - day.weekday()))
            label = f"{day:%m-%d}"
        else:
            nxt = period_of("month", day).end
            end = min(period.end, nxt)
            label = f"{day:%Y-%m}"
        c = dict.fromkeys(counters, 0)
        d = day
        while d <= end:
            for k, v in by_day.get(d, {}).items():
                c[k] += v
            d += datetime.timedelta(days=1)
        out.append((label, Period("custom", day, end), c))
        day = end + datetime.timedelta(days=1)
    return out


def sub_areas(
    area: Area, period: Period, counters: tuple[str, ...] = COUNTERS
) -> list[tuple[Area | None, dict]]:
    """Each child area with its counters, biggest first; None for cases of the area itself.
    With only some `counters` named (not "accepted"): the children alone, in code order."""
    children = list(Area.objects.filter(parent=area).order_by("code"))
    sums_of = _sum_of(counters)
    found: dict[int, dict] = {}
    by_level: dict[int, list[int]] = defaultdict(list)
    for child in children:
        by_level[child.level].append(child.pk)
    for level, ids in by_level.items():
        if period == ALL_TIME and has_rollup(level, Dim.NOW):
            rows = (
                DailyCount.objects.filter(area_id__in=ids, dim=Dim.NOW)
                .values("area_id")
                .annotate(**sums_of)
            )
            found.update({r["area_id"]: _clean(r, counters) for r in rows})
        elif has_rollup(level):
            rows = (
                DailyCount.objects.filter(
                    area_id__in=ids, dim=Dim.TOTAL, day__range=(period.start, period.end)
                )
                .values("area_id")
                .annotate(**sums_of)
            )
            found.update({r["area_id"]: _clean(r, counters) for r in rows})
        else:
            rows = facts_in(area, period).values(f"l{level}").annotate(**sums_of)
            found.update({r[f"l{level}"]: _clean(r, counters) for r in rows if r[f"l{level}"]})
    out: list[tuple[Area | None, dict]] = [
        (c, found.get(c.pk, dict.fromkeys(counters, 0))) for c in children
    ]
    if "accepted" not in counters:
        return out
    own = _clean(
        CaseFact.objects.filter(
            area_id_leaf=area.pk, accepted_on__range=(period.start, period.end)
        ).aggregate(**sums_of),
        counters,
    )
    if own["accepted"]:
        out.append((None, own))
    return sorted(out, key=lambda x: -x[1]["accepted"])


def whole_months(period: Period) -> tuple[list[datetime.date], list[Period]]:
    """The period cut into the first days of the whole months in it and the days left at
    its edges (none for a month, quarter or year)."""
    months: list[datetime.date] = []
    edges: list[Period] = []
    day = period.start
    while day <= period.end:
        month = period_of("month", day)
        if day == month.start and month.end <= period.end:
            months.append(day)
            day = month.end + datetime.timedelta(days=1)
            continue
        end = min(month.end, period.end)
        if edges and edges[-1].end + datetime.timedelta(days=1) == day:
            edges[-1] = Period("custom", edges[-1].start, end)
        else:
            edges.append(Period("custom", day, end))
        day = end + datetime.timedelta(days=1)
    return months, edges


def unit_counters(area: Area, period: Period) -> dict[int, dict]:
    """Owning unit id → counters of the area's cases of the period that it owns now.

    Every case of the area is counted under its owner, so the counters sum to the area's
    total. A large area reads its monthly unit roll-up rows (one per unit and month) and
    the facts of the days at the edges of a custom period only; a smaller one its facts."""
    found: dict[int, dict] = defaultdict(zero)

    def add(unit_id, row: dict) -> None:
        c = found[int(unit_id)]
        for k, v in _clean(row).items():
            c[k] += v

    if has_rollup(area.level, Dim.UNIT_MONTH):
        months, edges = whole_months(period)
        if months:
            rows = (
                DailyCount.objects.filter(area_id=area.pk, dim=Dim.UNIT_MONTH, day__in=months)
                .values("value")
                .annotate(**SUM_ANNOTATIONS)
            )
            for r in rows:
                add(r["value"], r)
    else:
        edges = [period]
    for edge in edges:
        for r in facts_in(area, edge).values("owner_unit_id").annotate(**SUM_ANNOTATIONS):
            add(r["owner_unit_id"], r)
    return {k: v for k, v in found.items() if v["accepted"]}


def missed_reports(area: Area, period: Period) -> dict[int, int]:
    """吹哨报到: units of the area (or below) summoned in the period that did not report
    within the limit, per unit."""
    start, end = period.bounds()
    rows = (
        Summons.objects.filter(
            unit__area__path__startswith=area.path,
            report_missed=True,
            whistle__called_at__gte=start,
            whistle__called_at__lt=end,
        )
        .values_list("unit_id")
        .annotate(n=Count("pk"))
    )
    return {u: int(n) for u, n in rows}


@dataclass
class UnitRow:
    """One line of an area's unit table: the counters of the cases the unit owns now and its
    missed 报到; `unit` is loaded only for the lines shown (see with_units)."""

    unit_id: int
    counters: dict
    missed: int
    score: float | None = None
    unit: Unit | None = None


def unit_rows(area: Area, period: Period) -> list[UnitRow]:
    """Every unit that owns a case of the area accepted in the period, or that is of the
    area and missed a 报到 in it, most cases first. A unit above the area (a case escalated
    out of it) is listed too, so that the lines add up to the area's figures."""
    counters = unit_counters(area, period)
    missed = missed_reports(area, period)
    rows = [
        UnitRow(pk, counters.get(pk, zero()), missed.get(pk, 0))
        for pk in set(counters) | set(missed)
    ]
    return sorted(rows, key=lambda r: (-r.counters["accepted"], -r.missed, r.unit_id))


def with_units(rows: list[UnitRow]) -> list[UnitRow]:
    """The rows with their units (with areas) loaded, in as few queries as the database
    allows however many rows."""
    by_id = Unit.objects.select_related("area").in_bulk([r.unit_id for r in rows])
    for r in rows:
        r.unit = by_id.get(r.unit_id)
    return [r for r in rows if r.unit is not None]


def units(area: Area, period: Period) -> list[tuple[Unit, dict, int]]:
    """(unit, counters of the cases it handles now, missed 报到), most cases first."""
    return [(r.unit, r.counters, r.missed) for r in with_units(unit_rows(area, period))]


# ---------------------------------------------------------------- 存量 and 增量


STOCK_DAYS_KEYS = ("stock_start", "stock_end")


def stock_days(period: Period, today: datetime.date) -> dict[str, datetime.date]:
    """The dates whose open cases are the period's 存量: at the start (the end of the day
    before it) and at its end (or today, while the period is under way)."""
    return {
        "stock_start": period.start - datetime.timedelta(days=1),
        "stock_end": min(period.end, today),
    }


def open_at_q(day: datetime.date, prefix: str = "") -> Q:
    """Facts of cases open at the end of `day`: accepted by then and not closed by then."""
    return Q(**{f"{prefix}accepted_on__lte": day}) & (
        Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gt": day})
    )


def open_at(area: Area, day: datetime.date) -> int:
    """Cases of the area open at the end of `day`. A large area subtracts its roll-up rows
    (accepted up to the day − closed up to it; a case is never closed before it is
    accepted), instead of counting its facts one by one."""
    if not has_rollup(area.level, Dim.CLOSED):
        facts = CaseFact.objects.filter(**{f"l{area.level}": area.pk})
        return facts.filter(open_at_q(day)).count()
    up_to = DailyCount.objects.filter(area_id=area.pk, day__lte=day)
    accepted = up_to.filter(dim=Dim.TOTAL).aggregate(n=Sum("accepted"))["n"] or 0
    closed = up_to.filter(dim=Dim.CLOSED).aggregate(n=Sum("accepted"))["n"] or 0
    return accepted - closed


def stock(area: Area, period: Period, today: datetime.date) -> dict[str, int]:
    """期初存量, 增量 and 期末存量 of the area (see stats.indicators.STOCK)."""
    out = {key: open_at(area, day) for key, day in stock_days(period, today).items()}
    out["increment"] = total(area, period)["accepted"]
    return out


# ---------------------------------------------------------------- access and case lists


def dashboard_areas(user) -> QuerySet[Area]:
    """Areas whose figures a user may see: those of their territorial scope."""
    return visible_areas(user)


def default_area(user) -> Area | None:
    scope = scope_of(user)
    if scope.is_superuser:
        return Area.objects.filter(parent=None).order_by("code").first()
    if not scope.area_paths:
        return None
    pk = path_ids(scope.area_paths[0])[-1]
    return Area.objects.filter(pk=pk).first()


def count_behind(
    area: Area,
    period: Period,
    indicator: str,
    *,
    dim: str = "",
    value: str = "",
    unit_id: int | None = None,
    own: bool = False,
    reporter_id: int | None = None,
    today: datetime.date | None = None,
) -> int:
    """How many cases `cases_behind` lists, read from the figures (the roll-ups) rather than
    counted through the cases' visibility conditions: whoever may see an area's figures
    may see every case in it, so the two are the same number."""
    if indicator in STOCK_DAYS_KEYS:
        return open_at(area, stock_days(period, today or period.end)[indicator])
    ind = LISTED[indicator]
    if unit_id:
        return ind.listed(unit_counters(area, period).get(unit_id, zero()))
    if own or reporter_id:
        facts = facts_in(area, period)
        facts = facts.filter(area_id_leaf=area.pk) if own else facts
        facts = facts.filter(reporter_id=reporter_id) if reporter_id else facts
        return ind.listed(_clean(facts.aggregate(**SUM_ANNOTATIONS)))
    if dim in FACT_DIM_FIELD:
        return ind.listed(sums(area, period, dim).get(value, zero()))
    return ind.listed(total(area, period))


def cases_behind(
    user,
    area: Area,
    period: Period,
    indicator: str,
    *,
    dim: str = "",
    value: str = "",
    unit_id: int | None = None,
    own: bool = False,
    reporter_id: int | None = None,
    today: datetime.date | None = None,
) -> QuerySet[Case]:
    """The visible cases behind a figure: exactly as many as the figure counts.

    A case is registered before it is accepted, so the cases accepted by a day were
    registered by its end: said outright, it lets the list, newest first, start reading
    the registration-time index at the period's end instead of at today (at 10M cases, the
    months since a past period ended were 7 s of probing)."""
    q = Q(**{f"fact__l{area.level}": area.pk})
    if indicator in STOCK_DAYS_KEYS:  # 存量: open at a date, whenever accepted
        day = stock_days(period, today or period.end)[indicator]
        q &= Q(created_at__lt=day_end(day))
        return cases_visible_to(user).filter(q & open_at_q(day, "fact__"))
    ind = LISTED[indicator]
    q &= Q(fact__accepted_on__range=(period.start, period.end))
    q &= Q(created_at__lt=day_end(period.end))
    if dim in FACT_DIM_FIELD:
        q &= Q(**{f"fact__{FACT_DIM_FIELD[dim]}": value})
    if unit_id:
        q &= Q(fact__owner_unit_id=unit_id)
    if reporter_id:
        q &= Q(fact__reporter_id=reporter_id)
    if own:
        q &= Q(fact__area_id_leaf=area.pk)
    return cases_visible_to(user).filter(q & ind.cases_q())


# ---------------------------------------------------------------- assessment


def weights() -> dict[str, Decimal]:
    return dict(AssessmentWeight.objects.values_list("indicator", "weight"))


def score(c: dict, missed: int, w: dict[str, Decimal]) -> float | None:
    """Weighted mean of the scored rates (in %), minus per-case deductions; None without
    cases. A rate with nothing to divide is left out of the mean."""
    num = den = 0.0
    for key in SCORED_RATES:
        weight = float(w.get(key, 0))
        value = INDICATORS[key].value(c)
        if weight and value is not None:
            num += weight * value
            den += weight
    if not c["accepted"] and not missed:
        return None
    base = num / den if den else 0.0
    penalty = float(w.get("overdue", 0)) * c["overdue"] + float(w.get("missed_report", 0)) * missed
    return round(max(0.0, base - penalty), 1)


def stars_for(value: float | None, cases: int, levels: list[StarLevel]) -> int:
    if value is None:
        return 0
    for lvl in levels:  # highest first
        if value >= float(lvl.min_score) and cases >= lvl.min_cases:
            return lvl.stars
    return 0


def scored_unit_rows(area: Area, period: Period) -> list[UnitRow]:
    """The unit table with each unit's score, best first."""
    w = weights()
    rows = unit_rows(area, period)
    for r in rows:
        r.score = score(r.counters, r.missed, w)
    return sorted(rows, key=lambda r: -(r.score or 0))


def unit_scores(area: Area, period: Period) -> list[tuple[Unit, dict, int, float | None]]:
    return [
        (r.unit, r.counters, r.missed, r.score) for r in with_units(scored_unit_rows(area, period))
    ]


def rates_grid_workers(area: Area) -> bool:
    """Grid workers are rated by their county or town; a province or a city lists none
    (that would score tens of thousands of people on every visit)."""
    return area.level >= Level.COUNTY


def grid_workers(area: Area, period: Period) -> list[tuple[object, dict, float | None, int]]:
    """Grid workers of the area by the outcomes of the cases they reported: score and stars."""
    if not rates_grid_workers(area):
        return []
    users = (
        get_user_model()
        .objects.filter(
            memberships__role=Role.GRID_WORKER, memberships__unit__area__path__startswith=area.path
        )
        .distinct()
    )
    by_id = {u.pk: u for u in users}
    rows = (
        facts_in(area, period)
        .filter(reporter_id__in=list(by_id))
        .values("reporter_id")
        .annotate(**SUM_ANNOTATIONS)
    )
    found = {r["reporter_id"]: _clean(r) for r in rows}
    missed = _missed_daily_reports(list(by_id), period)
    w = weights()
    levels = list(StarLevel.objects.all())
    out = []
    for pk, u in by_id.items():
        c = {**found.get(pk, zero()), "missed_daily": missed.get(pk, 0)}
        # Each working day the worker's grid missed its daily report (有事报情况，无事报平安)
        # costs what a missed report costs a unit (the "missed_report" weight).
        s = score(c, c["missed_daily"], w)
        out.append((u, c, s, stars_for(s, c["accepted"], levels)))
    return sorted(out, key=lambda x: (-x[3], -(x[2] or 0), x[0].username))


def _missed_daily_reports(user_ids: list[int], period: Period) -> dict[int, int]:
    """Grid worker id → the working days of the period their grid missed its daily report."""
    grid_of = dict(
        Membership.objects.filter(
            user_id__in=user_ids, role=Role.GRID_WORKER, area__level=Level.GRID
        ).values_list("user_id", "area_id")
    )
    counts = dict(
        MissedDailyReport.objects.filter(
            grid_id__in=set(grid_of.values()), day__gte=period.start, day__lte=period.end
        )
        .values("grid_id")
        .annotate(n=Count("pk"))
        .values_list("grid_id", "n")
    )
    return {user: counts.get(grid, 0) for user, grid in grid_of.items()}


def review_list(user, area: Area, period: Period) -> QuerySet[TimelineEvent]:
    """复盘: escalations in the period because the handling unit ran out of time or attempts.

    Whoever may see an area's figures may see every case in it, so the cases are chosen by
    their facts' area column rather than by the (much slower, at province scale) case
    visibility rules."""
    if not dashboard_areas(user).filter(pk=area.pk).exists():
        return TimelineEvent.objects.none()
    start, end = period.bounds()
    return (
        TimelineEvent.objects.filter(kind="escalated", at__gte=start, at__lt=end)
        .filter(**{f"case__fact__l{area.level}": area.pk})
        .select_related("case", "case__area", "case__owner_unit", "actor_unit")
        .order_by("at", "pk")
    )
