"""Every indicator computed on a small hand-made set of cases; the right answers are
written here, worked out by hand from the definitions in stats/indicators.py."""

import datetime

import pytest

from areas.models import Area, Level
from stats import selectors
from stats.indicators import INDICATORS
from stats.models import Dim
from stats.petition_figures import marks
from stats.rebuild import differences, rebuild
from tests.factories import new_case
from tests.stats_data import NOV, at

EXPECTED_NOVEMBER = {
    "accepted": 9,
    "resolved": 5,  # A, C, E, F, H
    "resolution_rate": 5 * 100 / 9,
    "closed": 7,  # A, B, C, E, F, G, H
    "closure_rate": 7 * 100 / 9,
    "on_time_rate": 6 * 100 / 7,  # all closed but H
    "first_time_rate": 3 * 100 / 9,  # A, F, H (C escalated, E reopened)
    "overdue": 1,  # H
    # Party ratings only: A (satisfied) and E (basic + satisfied) are satisfied cases, B is
    # not (its respondent is unsatisfied); D's and E's first ratings were undone by reopens;
    # G has only a staff rating. Closed: A, B, C, E, F, G, H.
    "satisfaction_rate": 2 * 100 / 3,
    "evaluation_rate": 3 * 100 / 7,
    "court_success_rate": 50.0,  # F of F, G
    "avg_days": (3 + 10 + 6 + 3 + 1 + 2 + 32) / 7,
}


def figures(area, period, counters=None):
    c = counters or selectors.total(area, period)
    return {k: INDICATORS[k].value(c, area.population) for k in INDICATORS}


@pytest.mark.parametrize("which", ["county", "town", "town facts"])
def test_every_indicator_for_november(november, which):
    # The county's and the town's totals come from their daily roll-up rows; "town facts"
    # sums the town's case facts directly, as villages and grids are summed.
    area = november.county if which == "county" else november.towns[0]
    counters = None
    if which == "town facts":
        sums = selectors.facts_in(area, NOV).aggregate(**selectors.SUM_ANNOTATIONS)
        counters = {k: int(v or 0) for k, v in sums.items()}
    got = figures(area, NOV, counters)
    for key, want in EXPECTED_NOVEMBER.items():
        assert got[key] == pytest.approx(want), key
    # One case sent to court: per 10,000 of 1,000,000 residents, and of 50,000.
    assert got["litigation_per_10k"] == pytest.approx(0.01 if which == "county" else 0.2)


def test_midnight_boundary_and_previous_period(november):
    october = NOV.previous()
    assert (october.start, october.end) == (datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
    assert selectors.total(november.county, october)["accepted"] == 1  # I only
    first_day = selectors.Period("custom", datetime.date(2026, 11, 1), datetime.date(2026, 11, 1))
    assert selectors.total(november.county, first_day)["accepted"] == 1  # H only


def test_an_area_with_no_cases(november):
    got = figures(november.towns[1], NOV)
    assert got["accepted"] == got["resolved"] == got["overdue"] == 0
    assert got["resolution_rate"] is None and got["satisfaction_rate"] is None
    assert got["avg_days"] is None and got["litigation_per_10k"] == 0


def test_breakdowns(november):
    c = november
    for area in (c.county, c.towns[0]):
        by_channel = selectors.sums(area, NOV, Dim.CHANNEL)
        assert {k: v["accepted"] for k, v in by_channel.items()} == {"grid_app": 7, "court": 2}
        by_category = selectors.sums(area, NOV, Dim.CATEGORY)
        assert {k: v["accepted"] for k, v in by_category.items()} == {"02": 8, "07": 1}
        assert {k: v["resolved"] for k, v in by_category.items()} == {"02": 4, "07": 1}
    subs = {a.name if a else "": v["accepted"] for a, v in selectors.sub_areas(c.county, NOV)}
    assert subs == {"镇1": 9, "镇2": 0}
    subs = {a.name if a else "": v["accepted"] for a, v in selectors.sub_areas(c.towns[0], NOV)}
    assert subs == {"镇1村1": 8, "镇1村2": 1}
    weekly = selectors.trend(c.county, NOV, "week")
    assert weekly[0][0] == "11-01" and weekly[0][2]["accepted"] == 1  # Sunday 1 November
    assert sum(t[2]["accepted"] for t in weekly) == 9


def test_every_figure_lists_exactly_its_cases(november):
    leader = november.users["leader"]  # town 1
    town = november.towns[0]
    c = selectors.total(town, NOV)
    for key, ind in INDICATORS.items():
        qs = selectors.cases_behind(leader, town, NOV, key)
        assert qs.count() == ind.listed(c), key
    court = selectors.cases_behind(leader, town, NOV, "accepted", dim="channel", value="court")
    assert court.count() == 2
    village = selectors.cases_behind(leader, november.villages[1], NOV, "accepted")
    assert village.count() == 1
    # Someone outside the town sees none of its cases behind the same figure.
    assert (
        selectors.cases_behind(november.users["tclerk_other"], town, NOV, "accepted").count() == 0
    )


def test_units_and_review_list(november):
    c = november
    units = {
        u.name: (cnt["accepted"], missed) for u, cnt, missed in selectors.units(c.towns[0], NOV)
    }
    assert units["镇1村1人民调解委员会"] == (8, 0)  # A–H, C routed back after escalation
    assert units["镇1村2综治中心"] == (1, 0)  # K
    review = list(selectors.review_list(c.users["leader"], c.towns[0], NOV))
    assert len(review) == 1 and review[0].actor_unit == c.units["committee"]
    # The other town's clerk may not read this town's review list.
    assert not selectors.review_list(c.users["tclerk_other"], c.towns[0], NOV).exists()


def test_rebuild_gives_the_same_figures_and_check_agrees(november):
    before = figures(november.county, NOV)
    assert differences() == []
    rebuild()
    assert figures(november.county, NOV) == before
    assert differences() == []


def test_moving_an_area_moves_its_figures(november):
    c = november
    # A 信访 petition of town 1, registered (not accepted: no case fact); its marks count in
    # every ancestor, and move with the town below.
    new_case(c, "tclerk", area=c.villages[0], now=at(11, 20), channel="petition")
    month = (NOV.start, NOV.end)
    assert marks(c.county, *month)["registered"] == 1
    # A village to the other town: the towns' figures come from the facts.
    village = c.villages[1]  # K
    village.parent = c.towns[1]
    village.save()
    assert selectors.total(c.towns[0], NOV)["accepted"] == 8
    assert selectors.total(c.towns[1], NOV)["accepted"] == 1
    assert selectors.total(c.county, NOV)["accepted"] == 9
    # A town to another county: the counties' figures come from the daily roll-ups.
    other = Area.objects.create(
        code="430181000000", name="浏阳市", level=Level.COUNTY, population=50_000
    )
    town = c.towns[0]
    town.parent = other
    town.save()
    assert figures(other, NOV) == figures(town, NOV)
    assert marks(other, *month)["registered"] == 1
    assert marks(c.county, *month).get("registered", 0) == 0
    assert selectors.total(other, NOV)["accepted"] == 8
    assert selectors.total(c.county, NOV)["accepted"] == 1  # K, now in town 2
    assert selectors.sums(c.county, NOV, Dim.CHANNEL) == {
        "grid_app": selectors.total(c.county, NOV)
    }
    assert differences() == []
