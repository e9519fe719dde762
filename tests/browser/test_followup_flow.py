"""回访 in a real browser, at phone width: a grid worker records two 走访 on a resolved case
of their grid; the second finds the dispute flared up again and the case is back in
handling."""

import datetime

import pytest

from cases.services import perform_transition
from cases.workflow import Status
from followup.models import FollowUpSetting, Visit
from jiefen import clock
from tests.browser.conftest import expect, submit
from tests.factories import NOW, PASSWORD, new_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

D = datetime.timedelta(days=1)


def local(at: datetime.datetime) -> str:
    return at.astimezone(clock.LOCAL_TZ).strftime("%Y-%m-%dT%H:%M")


def test_grid_worker_records_two_visits_and_the_second_finds_rebound(new_page, county):
    FollowUpSetting.objects.create(area=county.county)
    case = new_case(county, "grid", area=county.grids[0], now=NOW - 4 * D)
    clerk, mediator = county.users["vclerk"], county.users["mediator"]
    perform_transition(case, "accept", clerk, NOW - 4 * D)
    perform_transition(case, "route", clerk, NOW - 4 * D, unit_id=county.units["committee"].pk)
    perform_transition(case, "start", mediator, NOW - 4 * D)
    perform_transition(case, "resolve", mediator, NOW - 3 * D, note="双方和解")

    page = new_page("grid", PASSWORD)
    page.click("#menu-button")  # a phone: the navigation is in the menu
    page.click("nav.mainnav >> text=工作台")
    # The due visit is in the grid worker's queue.
    page.locator(f"a[href='/cases/{case.code}/']").first.click()
    expect(page.locator("#followup")).to_contain_text("回访期限")

    form = page.locator("#visit-form")
    form.locator("#id_visit-visited_at").fill(local(NOW - 2 * D))
    form.locator("#id_visit-visitee_kind").select_option("party")
    form.locator("#id_visit-party_id").select_option(index=1)
    form.locator("#id_visit-method").select_option("home")
    form.locator("#id_visit-findings").fill("双方已按协议修好排水沟，关系缓和。")
    form.locator("#id_visit-satisfaction").select_option("satisfied")
    form.locator("#id_visit-rebound").select_option("none")
    submit(page, form.locator("button[type=submit]"))
    expect(page.locator(".msg-success")).to_contain_text("回访已登记")
    expect(page.locator("#case-status")).to_have_text("已回访")

    # 走一家访三家: the neighbour says the quarrel started again.
    page.locator("#followup details.action > summary").click()
    form = page.locator("#visit-form")
    form.locator("#id_visit-visited_at").fill(local(NOW - 1 * D))
    form.locator("#id_visit-visitee_kind").select_option("neighbour")
    form.locator("#id_visit-visitee_name").fill("邻居王大姐")
    form.locator("#id_visit-method").select_option("home")
    form.locator("#id_visit-findings").fill("两家昨晚又因排水沟吵了起来。")
    form.locator("#id_visit-rebound").select_option("rebounded")
    submit(page, form.locator("button[type=submit]"))
    expect(page.locator(".msg-success")).to_contain_text("回访已登记")
    expect(page.locator("#case-status")).to_have_text("调处中")
    expect(page.locator("#followup .visit")).to_have_count(2)

    case.refresh_from_db()
    assert case.status == Status.IN_HANDLING
    assert Visit.objects.filter(case=case).count() == 2
    assert case.timeline.filter(kind="rebound_reopened").exists()
