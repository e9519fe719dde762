"""A town's leader opens the statistics, drills down to a village and lists its cases."""

import pytest

from cases.services import perform_transition
from jiefen import clock
from tests.browser.conftest import ARTIFACTS, expect
from tests.factories import PASSWORD, new_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def accept(county, village, clerk, resolve=False):
    now = clock.now()  # this month, the dashboard's default period
    case = new_case(county, clerk, area=village, now=now)
    case = perform_transition(case, "accept", county.users[clerk], now)
    if resolve:
        case = perform_transition(
            case, "route", county.users[clerk], now, unit_id=county.units["committee"].pk
        )
        case = perform_transition(case, "start", county.users["mediator"], now)
        perform_transition(case, "resolve", county.users["mediator"], now, note="双方和解")
    return case


def test_leader_drills_down_from_town_to_village(new_page, county):
    v1, v2 = county.villages[0], county.villages[1]
    accept(county, v1, "vclerk", resolve=True)
    accept(county, v1, "vclerk")
    accept(county, v1, "vclerk")
    second = accept(county, v2, "vclerk_sibling")

    page = new_page("leader", PASSWORD)
    page.click("#menu-button")  # a phone: the navigation is in the menu
    page.click("nav.mainnav >> text=统计分析")
    expect(page.locator("#dash-title")).to_contain_text("镇1")
    accepted = page.locator("[data-indicator=accepted] .kpi-value")
    expect(accepted).to_have_text("4")
    expect(page.locator("[data-indicator=resolution_rate] .kpi-value")).to_have_text("25.00%")
    # The definition is there on hover.
    page.hover("[data-indicator=resolution_rate] .kpi-name")
    expect(page.locator("#chart-tip")).to_contain_text("化解数")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-town.png"), full_page=True)
    # One label scale: the labels of the trend, the sub-areas, the categories and the
    # channels are drawn at the same size on screen, whatever each card's width.
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        heights = page.locator(".chart .lbl").evaluate_all(
            "els => els.map(e => e.getBoundingClientRect().height)"
        )
        assert len(heights) >= 4 and max(heights) <= 1.25 * min(heights), (width, heights)
    page.set_viewport_size({"width": 412, "height": 900})

    # Click the second village in the sub-area breakdown: its own figures.
    page.click("#subareas a.drill:has-text('镇1村2')")
    expect(page.locator("#dash-title")).to_contain_text("镇1村2")
    expect(accepted).to_have_text("1")
    expect(page.locator(".trail")).to_contain_text("镇1")

    # The figure opens the list of exactly its cases.
    accepted.click()
    expect(page.locator("h1")).to_contain_text("镇1村2")
    rows = page.locator("#stats-cases tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(second.code)
