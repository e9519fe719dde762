"""吹哨报到 in a real browser: a town clerk summons two departments, one reports, the other
misses the limit and shows as overdue in both units' queues."""

import datetime

import pytest

from areas.models import Role, Unit, UnitKind
from cases.services import perform_transition
from jiefen import clock
from routing.sweep import sweep
from tests.browser.conftest import ARTIFACTS, expect, pick, submit
from tests.factories import NOW, PASSWORD, new_case, user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_town_clerk_summons_two_departments_one_misses_the_report_limit(new_page, county):
    housing = Unit.objects.create(
        name="县住建局", kind=UnitKind.DEPARTMENT, area=county.county, speciality="housing"
    )
    user("housing", housing, Role.HANDLER)
    case = new_case(county, actor_key="tclerk", area=county.towns[0], now=NOW)
    perform_transition(case, "accept", county.users["tclerk"], NOW)

    # The town clerk blows the whistle on the labour and housing departments, 2 hours to report.
    clerk = new_page("tclerk", PASSWORD)
    clerk.goto(f"/cases/{case.code}/")
    clerk.click("#whistles summary:has-text('吹哨')")
    pick(clerk, "#id_whistle-units", "人社", "县人社局")
    pick(clerk, "#id_whistle-units", "住建", "县住建局")
    clerk.fill("#id_whistle-reason", "工地欠薪涉及人社、住建两个部门")
    clerk.fill("#id_whistle-report_hours", "2")
    submit(clerk, "#whistles button:has-text('吹哨')")
    expect(clerk.locator(".msg-success")).to_be_visible()
    expect(clerk.locator("#whistles .summons")).to_have_count(2)

    # The labour department's handler sees the summons in the bell and reports (报到).
    labour = new_page("handler", PASSWORD)
    expect(labour.locator("#unread-count")).to_have_text("1")
    expect(labour.locator("#queue")).to_contain_text(case.code)
    labour.click(f"text={case.code}")
    submit(labour, "#whistles button:has-text('报到')")
    expect(labour.locator(".summons[data-unit='县人社局']")).to_contain_text("已报到")

    # The housing department does not report; the limit passes and the sweep runs.
    sweep(clock.now() + datetime.timedelta(hours=3))

    for page in (clerk, new_page("housing", PASSWORD)):
        page.goto("/?tab=unit")
        row = page.locator("#queue tr", has_text=case.code)
        expect(row.locator(".overdue")).to_be_visible()
    clerk.goto(f"/cases/{case.code}/")
    expect(clerk.locator(".summons[data-unit='县住建局']")).to_contain_text("未按时报到")
    expect(clerk.locator(".summons[data-unit='县人社局']")).not_to_contain_text("未按时报到")
    ARTIFACTS.mkdir(exist_ok=True)
    clerk.screenshot(path=str(ARTIFACTS / "whistle-missed-report.png"), full_page=True)
    clerk.goto("/routing/whistles/")
    expect(clerk.locator("#whistle-counts tr", has_text="县住建局")).to_contain_text("1")
