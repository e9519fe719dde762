"""The unit table of an area (dashboard and assessment): every unit that owns a case of the
area is ranked, whatever its level, the lines add up to the area's figures, the table is
paged, and a large area's table is summed from its monthly unit roll-up rows."""

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from stats import selectors, views
from stats.models import COUNTERS
from stats.rebuild import differences
from tests.stats_data import NOV, accepted, act, at

NOVEMBER = {"period": "custom", "start": "2026-11-01", "end": "2026-11-30"}
COMMITTEE = "镇1村1人民调解委员会"  # a village's committee: it handled A–H (stats_data)


def section(html: str, section_id: str) -> str:
    return html.split(f'id="{section_id}"', 1)[1].split("</section>", 1)[0]


def unit_names(html: str, section_id: str) -> list[str]:
    """The first cell of each row of a section's table, tags stripped."""
    names = []
    for tr in re.findall(r"<tr>(.*?)</tr>", section(html, section_id), re.S)[1:]:
        cell = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)[0]
        names.append(re.sub(r"<[^>]+>", "", cell).strip())
    return names


def periods() -> list[selectors.Period]:
    day = datetime.date(2026, 11, 15)
    return [
        NOV,
        selectors.period_of("quarter", day),
        selectors.period_of("year", day),
        # Edges: the days of October and December are summed from the facts.
        selectors.Period("custom", datetime.date(2026, 10, 31), datetime.date(2026, 12, 5)),
        selectors.Period("custom", datetime.date(2026, 11, 3), datetime.date(2026, 11, 9)),
    ]


def test_a_village_committee_is_ranked_by_its_county_and_in_the_assessment(november, client):
    c = november
    client.force_login(c.users["cclerk"])
    params = {"area": c.county.pk, **NOVEMBER}
    page = client.get("/stats/", params).content.decode()
    assert COMMITTEE in unit_names(page, "units")
    scores = client.get("/stats/assessment/", params).content.decode()
    assert COMMITTEE in unit_names(scores, "unit-scores")
    rows = {u.name: cnt["accepted"] for u, cnt, _ in selectors.units(c.county, NOV)}
    assert rows[COMMITTEE] == 8  # A–H
    assert COMMITTEE in [u.name for u, *_ in selectors.unit_scores(c.county, NOV)]


def test_the_unit_table_adds_up_to_the_areas_figures(november):
    c = november
    # A case of the other town escalated to the county's center: the county's unit owns a
    # case of a town, and is listed in the town's table so that the town's lines add up.
    k2 = accepted(c, at(11, 12), area=c.villages[2], actor="cclerk")
    act(c, k2, "route", at(11, 12), actor="cclerk", unit="labour")
    areas = [c.county, *c.towns, *c.villages, *c.grids]
    for area in areas:
        for period in periods():
            rows = selectors.unit_rows(area, period)
            summed = {k: sum(r.counters[k] for r in rows) for k in COUNTERS}
            assert summed == selectors.total(area, period), (area.name, str(period))
    town2 = {u.name for u, *_ in selectors.units(c.towns[1], NOV)}
    assert "县人社局" in town2  # a county department, owning a case of town 2
    assert differences() == []


def test_a_large_areas_unit_table_reads_roll_ups_for_whole_months(november):
    county = november.county
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.unit_rows(county, selectors.period_of("year", datetime.date(2026, 11, 1)))
    assert rows
    assert not [q for q in queries if "stats_casefact" in q["sql"]]
    # A custom period: its whole month from the roll-up, its edge days from the facts.
    edges = selectors.Period("custom", datetime.date(2026, 10, 31), datetime.date(2026, 12, 5))
    assert selectors.whole_months(edges) == (
        [datetime.date(2026, 11, 1)],
        [
            selectors.Period("custom", datetime.date(2026, 10, 31), datetime.date(2026, 10, 31)),
            selectors.Period("custom", datetime.date(2026, 12, 1), datetime.date(2026, 12, 5)),
        ],
    )


def test_the_unit_table_is_paged_and_keeps_the_other_parameters(november, client, monkeypatch):
    c = november
    monkeypatch.setattr(views, "UNITS_PER_PAGE", 1)
    client.force_login(c.users["cclerk"])
    want = [u.name for u, *_ in selectors.units(c.county, NOV)]
    assert len(want) >= 2
    seen, url = [], "/stats/"
    params: dict | None = {"area": c.county.pk, **NOVEMBER}
    while url:
        page = client.get(url, params).content.decode()
        names = unit_names(page, "units")
        assert len(names) == 1
        seen += names
        nxt = re.search(r'<a rel="next" href="([^"]+)"', section(page, "units"))
        if nxt is None:
            break
        link = nxt.group(1).replace("&amp;", "&")
        for kept in (f"area={c.county.pk}", "period=custom", "start=2026-11-01", "end=2026-11-30"):
            assert kept in link
        url, params = "/stats/" + link, None
    assert seen == want


def test_a_large_areas_unit_table_comes_with_a_second_request(november, client, monkeypatch):
    """A province or city ranks tens of thousands of units: its pages show their figures at
    once and fetch the unit table when it comes into view (htmx), or on the link."""
    c = november
    monkeypatch.setattr(views, "UNITS_LATER_LEVELS", {c.county.level})  # the county plays one
    client.force_login(c.users["cclerk"])
    params = {"area": c.county.pk, **NOVEMBER}
    for path, section_id in (("/stats/", "units"), ("/stats/assessment/", "unit-scores")):
        page = client.get(path, params).content.decode()
        later = section(page, section_id)
        assert COMMITTEE not in later and "<table" not in later
        assert 'hx-trigger="revealed"' in later and "part=units" in later
        part = client.get(path, {**params, "part": "units"}).content.decode()
        assert "<html" not in part and COMMITTEE in unit_names(part, section_id)
        # Without JavaScript: the link pages through the table on the page itself.
        paged = client.get(path, {**params, "units_page": 1}).content.decode()
        assert COMMITTEE in unit_names(paged, section_id)
