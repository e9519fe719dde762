"""Wednesday's 研判 in a real browser: the town clerk raises a case to red with a conclusion
and assigns a 包案 leader; the leader finds it first in the queue, with its plan."""

import datetime

import pytest

from cases.services import PartyInput, perform_transition
from jiefen import clock
from risk.models import MeetingSchedule
from tests.browser.conftest import ARTIFACTS, expect, submit
from tests.factories import NOW, PASSWORD, new_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The next Wednesday after NOW (a Monday, unless the suite runs with JIEFEN_CLOCK_OFFSET_DAYS).
WEDNESDAY = NOW + datetime.timedelta(days=(2 - NOW.astimezone(clock.LOCAL_TZ).weekday()) % 7 or 7)


def test_town_clerk_concludes_on_wednesday_and_the_leader_sees_it_first(new_page, county):
    town = county.center(county.towns[0])
    MeetingSchedule.objects.create(center=town, name="每周三、周五研判", weekdays="3,5")
    older = new_case(
        county, title="早先的纠纷", parties=[PartyInput(name="甲", phone="13700130001")]
    )
    case = new_case(
        county, title="宅基地边界纠纷", parties=[PartyInput(name="乙", phone="13700130002")]
    )
    for c in (older, case):
        perform_transition(c, "accept", county.users["vclerk"], NOW)
    with clock.pinned(WEDNESDAY):
        clerk = new_page("tclerk", PASSWORD)
        clerk.click("#menu-button")  # a phone: the navigation is in the menu
        clerk.click("nav.mainnav >> text=分析研判")
        clerk.click("#open-meeting >> xpath=.. >> summary")
        expect(clerk.locator("#id_meeting-date")).to_have_value(
            WEDNESDAY.astimezone(clock.LOCAL_TZ).date().isoformat()
        )
        submit(clerk, "#open-meeting button[type=submit]")
        expect(clerk.locator(".msg-success")).to_contain_text("研判事项已生成")
        row = clerk.locator(f"#agenda tr[data-case='{case.code}']")
        expect(row).to_contain_text("上次研判后新增")
        row.locator("a.conclude").click()
        form = clerk.locator("#conclusion-form")
        prefix = form.locator("textarea").get_attribute("name").removesuffix("-conclusion")
        form.locator("textarea").fill("扬言报复，升为红色，镇领导包案")
        form.locator(f"select[name='{prefix}-grade']").select_option("red")
        leader = form.locator(f"select[name='{prefix}-leader_id'] option", has_text="leader")
        form.locator(f"select[name='{prefix}-leader_id']").select_option(
            leader.get_attribute("value")
        )
        form.locator(f"input[name='{prefix}-measure']").fill("当面稳控，组织调解")
        form.locator(f"input[name='{prefix}-measure_responsible']").fill("镇1村1综治中心")
        form.locator(f"input[name='{prefix}-measure_due']").fill(
            (WEDNESDAY + datetime.timedelta(days=3)).astimezone(clock.LOCAL_TZ).date().isoformat()
        )
        submit(clerk, form.locator("button[type=submit]"))
        expect(clerk.locator(".msg-success")).to_contain_text("研判结论已记录")
        row = clerk.locator(f"#agenda tr[data-case='{case.code}']")
        expect(row.locator("[data-risk=red]")).to_be_visible()
        expect(row.locator(".conclusion")).to_contain_text("升为红色")
        ARTIFACTS.mkdir(exist_ok=True)
        clerk.screenshot(path=str(ARTIFACTS / "risk-meeting.png"), full_page=True)

        leader_page = new_page("leader", PASSWORD)
        leader_page.click("text=本单位案件")
        first = leader_page.locator("#queue tbody tr").first
        expect(first).to_contain_text(case.code)
        expect(first.locator("[data-risk=red]")).to_be_visible()
        leader_page.click("#menu-button")
        leader_page.click("nav.mainnav >> text=我的包案")
        expect(leader_page.locator("#my-assignments")).to_contain_text("当面稳控，组织调解")
        leader_page.click(f"#my-assignments >> text={case.code}")
        expect(leader_page.locator("#assignment .plan")).to_contain_text("当面稳控，组织调解")
        expect(leader_page.locator(".timeline")).to_contain_text("扬言报复，升为红色")
