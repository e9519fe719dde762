"""Risk and prevention figures for the dashboard: each with its written definition and,
where it counts cases, the link to exactly those cases (the case list's own filters).

Grades, key persons and 稳控 are counted as they stand now; 排查 and 稳控 of a period are the
cases registered in it (Asia/Shanghai date, as the case list filters); 调处 are the cases
handled in it (the date of the decision); plan obligations and 研判 meetings are those started
or held in the period."""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from areas.models import Area, Level
from cases.models import Case, Category, TimelineEvent
from cases.registry import Outcome, kinds_with_outcome
from cases.selectors import filter_cases
from cases.workflow import Status
from clocks.deadlines import RISK_CLOCKS
from clocks.models import Deadline, DeadlineState
from jiefen.localtime import days

from .models import Grade, KeyPerson, Meeting, MeetingItem


@dataclass
class Figure:
    key: str
    name: str
    definition: str
    value: object
    href: str = ""


def _cases_url(**params) -> str:
    return f"{reverse('cases:list')}?{urlencode({k: v for k, v in params.items() if v})}"


def _within(area: Area, prefix: str = "") -> Q:
    """Rows of the area's subtree. From a county down, by the subtree's ids, so that the
    (area, created_at) index narrows the cases to the area first (a village reads its own
    cases, not the period's); a city's or province's thousands of areas are matched by path."""
    if area.level >= Level.COUNTY:
        ids = Area.objects.filter(path__startswith=area.path).values("pk")
        return Q(**{f"{prefix}area__in": ids})
    return Q(**{f"{prefix}area__path__startswith": area.path})


def figures(area: Area, start: datetime.date, end: datetime.date) -> dict:
    cases = Case.objects.filter(_within(area))
    by_grade = dict(
        cases.filter(risk__isnull=False).values_list("risk__grade").annotate(n=Count("pk"))
    )
    period = filter_cases(cases, date_from=start, date_to=end)
    registered = period.count()
    # Grouped over every status (the two needed are picked below): with a status condition
    # SQLite's planner reads the status index (most cases are resolved) instead of the area's.
    period_status = dict(period.values_list("status").annotate(n=Count("pk")).order_by())
    span = {"area": area.pk, "date_from": start.isoformat(), "date_to": end.isoformat()}
    obligations = Deadline.objects.filter(
        _within(area, "case__"),
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
    stabilised_now = cases.filter(status=Status.STABILISED).count()
    # 调处数 (seed 002: 排查/调处/稳控): cases handled in the period — a decision that resolved
    # (化解) or stabilised (稳控) them, dated in the period (Asia/Shanghai), whenever registered.
    handled = (
        TimelineEvent.objects.filter(
            _within(area, "case__"),
            kind__in=kinds_with_outcome(Outcome.MEDIATED),
            **days("at", start, end),
        )
        .values("case_id")
        .distinct()
        .count()
    )
    grade_figures = [
        Figure(
            f"grade_{g}",
            Grade(g).label,
            _("Cases of the area whose risk grade is now this colour, whatever their status."),
            by_grade.get(g, 0),
            _cases_url(area=area.pk, risk=g),
        )
        for g in (Grade.RED, Grade.ORANGE, Grade.YELLOW)
    ]
    work = [
        Figure(
            "screened",
            _("Screened (排查数)"),
            _("Cases of the area registered in the period (found by screening and intake)."),
            registered,
            _cases_url(**span),
        ),
        Figure(
            "handled",
            _("Handled (调处数)"),
            _(
                "Cases of the area handled in the period: resolved (化解) or stabilised (稳控) "
                "by a decision dated in the period, whenever registered; a case decided twice "
                "counts once."
            ),
            handled,
        ),
        Figure(
            "stabilised",
            _("Stabilised (稳控数)"),
            _("Of the cases registered in the period, those stabilised (稳控) now."),
            period_status.get(Status.STABILISED, 0),
            _cases_url(**span, status=Status.STABILISED),
        ),
        Figure(
            "stabilised_now",
            _("Under stability control now"),
            _("Cases of the area in the 稳控 status now, whenever registered."),
            stabilised_now,
            _cases_url(area=area.pk, status=Status.STABILISED),
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
    sub = []
    for child in area.children.order_by("code"):
        red_orange = Case.objects.filter(
            area__path__startswith=child.path, risk__grade__in=[Grade.RED, Grade.ORANGE]
        ).count()
        sub.append(
            {
                "name": child.name,
                "value": red_orange,
                "href": _cases_url(area=child.pk, risk=Grade.RED),
            }
        )
    return {
        "grades": grade_figures,
        "work": work,
        "sub_areas": sub,
        "categories": by_category(area, cases),
        "category_definition": CATEGORY_DEFINITION,
    }


CATEGORY_DEFINITION = _(
    "Cases of the area whose risk grade is now red, orange or yellow, by the major category "
    "of the dispute (its first two digits); cases without a category are counted apart."
)


def by_category(area: Area, cases) -> list[dict]:
    """Red / orange / yellow cases of the area now, by major category (one grouped read)."""
    counts: dict[str, dict[str, int]] = {}
    rows = (
        cases.filter(risk__grade__in=[Grade.RED, Grade.ORANGE, Grade.YELLOW])
        .values_list("category__code", "risk__grade")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for code, grade, n in rows:
        major = (code or "")[:2]
        counts.setdefault(major, {}).setdefault(grade, 0)
        counts[major][grade] += n
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
        for g in (Grade.RED, Grade.ORANGE, Grade.YELLOW):
            params = {"area": area.pk, "risk": g, "category": major}
            row["cells"].append({"value": counts[major].get(g, 0), "href": _cases_url(**params)})
        out.append(row)
    return out
