"""The dashboard's risk and prevention section: each figure with its written definition and,
where it counts cases, the link to exactly those cases.

The case figures come from the pre-computed facts, like every figure of the dashboard, so a
province's page costs what a village's does:
- 排查/调处/稳控 of a period are the stats cohort (cases accepted in it, by their Asia/Shanghai
  day of acceptance) and, of those, the ones whose standing outcome is 化解 or 稳控 and the
  ones stabilised now. The seed's figures add up this way (seed 002: 排查1587起 = 调处1045件 +
  稳控542件), and each is listed behind it by stats:cases.
- Grades and “under stability control now” are the cases as they stand, whenever accepted:
  the facts of all time, plus the graded cases still awaiting acceptance (they have no fact
  yet; few at any time, read by the status index).
Plan obligations, key persons and 研判 meetings are counted in their own (small) tables.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from cases.models import Case, Category
from cases.workflow import Status
from clocks.deadlines import RISK_CLOCKS
from clocks.models import Deadline, DeadlineState
from jiefen.localtime import days
from risk.models import Grade, KeyPerson, Meeting, MeetingItem

from .figures import Figure, cases_url
from .indicators import PREVENTION
from .models import Dim
from .query import period_query
from .selectors import ALL_TIME, Period, sub_areas, sums, total

GRADES = (Grade.RED, Grade.ORANGE, Grade.YELLOW)
COUNTER_OF = {Grade.RED: "risk_red", Grade.ORANGE: "risk_orange", Grade.YELLOW: "risk_yellow"}
NOW_COUNTERS = (*COUNTER_OF.values(), "stabilised")


def _cohort_url(area: Area, start: datetime.date, end: datetime.date, indicator: str) -> str:
    """The cases behind a cohort figure (stats:cases, as the dashboard's cards link)."""
    query = period_query(area, Period("custom", start, end), indicator=indicator)
    return f"{reverse('stats:cases')}?{query}"


@dataclass
class Awaiting:
    """Graded cases of the area not yet accepted (no fact yet), by grade, category and child."""

    by_grade: dict[str, int]
    by_category: dict[tuple[str, str], int]
    by_child: dict[int, dict[str, int]]


def awaiting(area: Area) -> Awaiting:
    rows = (
        Case.objects.filter(
            status=Status.REGISTERED,
            area__path__startswith=area.path,
            duplicate_of__isnull=True,
            risk__grade__in=GRADES,
        )
        .values_list("area__path", "category__code", "risk__grade")
        .order_by()
    )
    out = Awaiting(defaultdict(int), defaultdict(int), defaultdict(lambda: defaultdict(int)))
    prefix = len(area.path)
    for path, code, grade in rows:
        out.by_grade[grade] += 1
        out.by_category[((code or "")[:2], grade)] += 1
        child = path[prefix:].split("/", 1)[0]
        if child:
            out.by_child[int(child)][grade] += 1
    return out


def figures(area: Area, start: datetime.date, end: datetime.date) -> dict:
    now_all = total(area, ALL_TIME, NOW_COUNTERS)
    cohort = total(area, Period("custom", start, end))
    waiting = awaiting(area)
    obligations = Deadline.objects.filter(
        case__area__path__startswith=area.path,
        clock__in=RISK_CLOCKS,
        **days("started_at", start, end),
    ).exclude(state=DeadlineState.CANCELLED)
    o = obligations.aggregate(
        met=Count("pk", filter=Q(state=DeadlineState.MET)),
        missed=Count("pk", filter=Q(state=DeadlineState.MISSED) | Q(overdue_at__isnull=False)),
    )
    decided = o["met"] + o["missed"]
    persons = KeyPerson.objects.filter(area__path__startswith=area.path).aggregate(
        total=Count("pk"),
        overdue=Count("pk", filter=Q(visit_overdue_at__isnull=False)),
        missed=Sum("missed_visits"),
    )
    held = Meeting.objects.filter(
        center__area__path__startswith=area.path, date__gte=start, date__lte=end
    )
    items = MeetingItem.objects.filter(meeting__in=held).aggregate(
        total=Count("pk"), concluded=Count("pk", filter=Q(concluded_at__isnull=False))
    )
    grade_figures = [
        Figure(
            f"grade_{g}",
            Grade(g).label,
            _(
                "Cases of the area whose risk grade is now this colour, whatever their status: "
                "accepted, or registered and awaiting acceptance (a case declined at intake "
                "or merged into another as a repeat is not counted)."
            ),
            now_all[COUNTER_OF[g]] + waiting.by_grade[g],
            cases_url(area=area.pk, risk=g),
        )
        for g in GRADES
    ]
    work = [
        Figure(
            "screened",
            _("Screened (排查数)"),
            _(
                "Disputes of the area found by screening and intake and taken in (accepted, "
                "受理) in the period: the same cases as “Cases accepted”."
            ),
            cohort["accepted"],
            _cohort_url(area, start, end, "accepted"),
        ),
        *[
            Figure(
                key,
                PREVENTION[key].name,
                PREVENTION[key].definition,
                cohort[key],
                _cohort_url(area, start, end, key),
            )
            for key in ("handled", "stabilised")
        ],
        Figure(
            "stabilised_now",
            _("Under stability control now"),
            _("Cases of the area in the 稳控 status now, whenever accepted."),
            now_all["stabilised"],
            cases_url(area=area.pk, status=Status.STABILISED),
        ),
        Figure(
            "plan_on_time",
            _("Risk plans met in time"),
            _(
                "Of the response-plan obligations (report up, take in hand) opened in the "
                "period, those met by their time, out of those met or missed (lifted ones "
                "not counted)."
            ),
            f"{o['met']} / {decided}",
        ),
        Figure(
            "key_persons",
            _("Key persons under control"),
            _("Key persons' files of the area; of them, with a check-in visit overdue now."),
            f"{persons['total'] - persons['overdue']} / {persons['total']}",
            reverse("risk:persons"),
        ),
        Figure(
            "missed_visits",
            _("Missed check-in visits"),
            _("Check-in visits of the area's key persons that passed their due date, ever."),
            persons["missed"] or 0,
            f"{reverse('risk:persons')}?missed=1",
        ),
        Figure(
            "meetings",
            _("研判 meetings held"),
            _("Meetings of the area's centers dated in the period; items concluded of all."),
            f"{held.count()} · {items['concluded']} / {items['total']}",
            reverse("risk:meetings"),
        ),
    ]
    return {
        "grades": grade_figures,
        "work": work,
        "sub_areas": by_sub_area(area, waiting),
        "categories": by_category(area, waiting),
        "category_definition": CATEGORY_DEFINITION,
    }


def by_sub_area(area: Area, waiting: Awaiting) -> list[dict]:
    """Red and orange cases now of each child area, in code order."""
    out = []
    for child, c in sub_areas(area, ALL_TIME, NOW_COUNTERS):
        w = waiting.by_child.get(child.pk, {})
        value = sum(c[COUNTER_OF[g]] + w.get(g, 0) for g in (Grade.RED, Grade.ORANGE))
        out.append(
            {"name": child.name, "value": value, "href": cases_url(area=child.pk, risk=Grade.RED)}
        )
    return out


CATEGORY_DEFINITION = _(
    "Cases of the area whose risk grade is now red, orange or yellow, by the major category "
    "of the dispute (its first two digits); cases without a category are counted apart."
)


def by_category(area: Area, waiting: Awaiting) -> list[dict]:
    """Red / orange / yellow cases of the area now, by major category."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for major, c in sums(area, ALL_TIME, Dim.CATEGORY, NOW_COUNTERS).items():
        for g in GRADES:
            counts[major][g] += c[COUNTER_OF[g]]
    for (major, g), n in waiting.by_category.items():
        counts[major][g] += n
    counts = {major: row for major, row in counts.items() if any(row.values())}
    names = dict(
        Category.objects.filter(code__in=[c for c in counts if c]).values_list("code", "name")
    )
    out = []
    for major in sorted(counts, key=lambda c: (c == "", c)):
        row = {
            "code": major,
            "name": f"{major} {names.get(major, major)}" if major else _("no category"),
            "cells": [],
        }
        for g in GRADES:
            params = {"area": area.pk, "risk": g, "category": major}
            row["cells"].append({"value": counts[major].get(g, 0), "href": cases_url(**params)})
        out.append(row)
    return out
