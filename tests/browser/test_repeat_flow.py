"""并单 in a real browser: the village clerk takes a 12345 hotline call about a dispute that
is already being handled, sees it proposed as a likely repeat on the new case's page, merges
it into the open case, and the caller's tracking code answers with that case's progress."""

import pytest

from cases.models import Case
from cases.services import PartyInput, perform_transition
from tests.browser.conftest import ARTIFACTS, expect, pick, submit
from tests.factories import NOW, PASSWORD, VALID_ID, new_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_merges_a_repeat_hotline_report_into_an_open_case(new_page, county):
    main = new_case(
        county,
        title="楼上漏水纠纷",
        description="楼上卫生间改造后楼下天花板渗水，双方多次争吵。",
        parties=[PartyInput(name="张三", id_number=VALID_ID, phone="13800138000")],
    )
    perform_transition(main, "accept", county.users["vclerk"], NOW)

    clerk = new_page("vclerk", PASSWORD)
    clerk.click("#menu-button")  # a phone: the navigation is in the menu
    clerk.click("nav.mainnav >> text=登记案件")
    clerk.fill("#id_title", "12345来电反映楼上漏水")
    pick(clerk, "#id_area_code", "一网格", "镇1村1一网格")
    clerk.fill("#id_description", "来电人称楼上卫生间改造后自家天花板渗水，多次协商未果。")
    clerk.select_option("#id_category_code", "0201")
    clerk.fill("#id_parties-0-name", "张三")
    clerk.fill("#id_parties-0-phone", "13800138000")
    clerk.click("#intake-more summary")
    clerk.select_option("#id_channel", "hotline")
    submit(clerk, "button:has-text('登记') >> nth=-1")
    expect(clerk.locator(".msg-success")).to_contain_text("案件已登记")
    code = clerk.locator("p.code").inner_text().split()[0]

    # Right after registration the new case's page proposes the open case as a likely repeat.
    proposal = clerk.locator(f"#repeats li.proposal[data-code='{main.code}']")
    expect(proposal).to_contain_text("同一当事人")
    proposal.locator("summary").click()
    proposal.locator("textarea").fill("12345热线重复反映同一漏水纠纷")
    ARTIFACTS.mkdir(exist_ok=True)
    clerk.screenshot(path=str(ARTIFACTS / "repeat-proposal.png"), full_page=True)
    submit(clerk, proposal.locator("button[type=submit]"))
    expect(clerk.locator(".msg-success")).to_contain_text("已作为重复件并单")
    expect(clerk.locator("#repeats .merged-into")).to_contain_text(main.code)
    assert Case.objects.get(code=code).duplicate_of_id == main.pk

    # The main case shows its repeat, and the repeat has left the queue.
    clerk.click(f"#repeats a:has-text('{main.code}')")
    expect(clerk.locator("#repeats .repeat-count")).to_have_text("1")
    expect(clerk.locator("#repeats")).to_contain_text(code)
    clerk.goto("/")
    expect(clerk.locator("#queue")).to_contain_text(main.code)
    expect(clerk.locator("#queue")).not_to_contain_text(code)

    # The caller's code answers with the main case's progress.
    public = new_page("grid", PASSWORD)
    public.context.clear_cookies()
    public.goto(f"/c/{code}")
    expect(public.locator("#merged-into")).to_contain_text(main.code)
    expect(public.locator("#status")).to_contain_text("受理")
