"""A case from the grid worker's phone to the mediation committee, in a real browser."""

import re

import pytest

from tests.browser.conftest import ARTIFACTS, expect, pick, submit
from tests.factories import PASSWORD, VALID_ID

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_grid_worker_files_village_clerk_accepts_and_routes(new_page, county):
    # The grid worker files the case from the intake form, with a second party row added.
    grid = new_page("grid", PASSWORD)
    grid.click("#menu-button")  # a phone: the navigation is in the menu
    grid.click("nav.mainnav >> text=登记案件")
    grid.fill("#id_title", "楼上漏水纠纷")
    grid.fill("#id_description", "楼上卫生间改造后楼下天花板渗水，双方多次争吵。")
    grid.select_option("#id_category_code", "0201")
    grid.fill("#id_parties-0-name", "张三")
    grid.fill("#id_parties-0-id_number", VALID_ID)
    grid.fill("#id_parties-0-phone", "13800138000")
    grid.click("text=添加当事人")
    grid.fill("#id_parties-1-name", "李四")
    grid.select_option("#id_parties-1-role", "respondent")
    grid.click("#intake-more summary")  # scale, time, channel, materials: a tap away
    grid.fill("#id_missing_materials", "房屋产权证明")
    ARTIFACTS.mkdir(exist_ok=True)
    grid.screenshot(path=str(ARTIFACTS / "intake-form.png"), full_page=True)
    submit(grid, "button:has-text('登记') >> nth=-1")
    expect(grid.locator(".msg-success")).to_contain_text("案件已登记")
    code = grid.locator("p.code").inner_text().split()[0]
    assert grid.url.endswith(f"/cases/{code}/")
    expect(grid.locator("#parties")).to_contain_text("1101**********002X")  # masked for grid
    grid.goto("/")
    expect(grid.locator("#queue")).to_contain_text(code)

    # The village clerk sees it in the queue, and the duplicate hint when filing it again.
    clerk = new_page("vclerk", PASSWORD)
    expect(clerk.locator("#queue")).to_contain_text(code)
    clerk.goto("/cases/new/")
    clerk.fill("#id_parties-0-id_number", VALID_ID)
    clerk.press("#id_parties-0-id_number", "Tab")
    expect(clerk.locator("#duplicate-hint")).to_contain_text(code)

    # Accept (choosing the category), then route to the mediation committee.
    clerk.goto("/")
    clerk.click(f"text={code}")
    expect(clerk.locator("#parties")).to_contain_text(VALID_ID)  # full for the clerk
    clerk.click("details:has(input[value=accept]) summary")
    clerk.select_option("#id_accept-category_code", "0201")
    submit(clerk, "details:has(input[value=accept]) button[type=submit]")
    expect(clerk.locator("#case-status")).to_have_text("已受理")
    clerk.click("details:has(input[value=route]) summary")
    pick(clerk, "#id_route-unit_id", "调解", "镇1村1人民调解委员会")
    submit(clerk, "details:has(input[value=route]) button[type=submit]")
    expect(clerk.locator("#case-status")).to_have_text("已分流")
    expect(clerk.locator("#owner-unit")).to_have_text("镇1村1人民调解委员会")
    expect(clerk.locator(".timeline")).to_contain_text("已受理 → 已分流")
    clerk.screenshot(path=str(ARTIFACTS / "case-page.png"), full_page=True)
    case_url = clerk.url

    # The clerk of the sibling village: 404, and the case is in none of their lists.
    sibling = new_page("vclerk_sibling", PASSWORD)
    response = sibling.goto(case_url)
    assert response.status == 404
    expect(sibling.locator("h1")).to_have_text("页面不存在")
    # The QR code's short link shows them the public tracking page, as anyone: no party.
    assert sibling.goto(re.sub(r"/cases/(.+)/$", r"/c/\1", case_url)).status == 200
    expect(sibling.locator("main")).not_to_contain_text("张三")
    for url in ["/", "/?tab=unit", "/cases/"]:
        sibling.goto(url)
        expect(sibling.locator("main")).not_to_contain_text(code)
