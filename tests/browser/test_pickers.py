"""A searchable picker by keyboard, with the 三事分流 proposal: browsing on focus, choosing
another unit than the proposed one asks for the reason, and the choice is saved."""

from urllib.parse import quote

from cases.models import Category
from cases.services import perform_transition
from tests.browser.conftest import expect, submit
from tests.factories import NOW, PASSWORD, new_case


def test_route_to_another_unit_than_proposed_by_keyboard(new_page, county):
    from routing.models import RoutingRule

    RoutingRule.objects.create(
        name="邻里纠纷交人民调解",
        category=Category.objects.get(code="02"),
        triage_class="minor",
        target_unit=county.units["committee"],
    )
    case = perform_transition(new_case(county), "accept", county.users["vclerk"], NOW)
    page = new_page("vclerk", PASSWORD, viewport={"width": 1366, "height": 900})
    page.goto(f"/cases/{case.code}/")
    page.click("details:has(input[value=route]) summary")
    picker = page.locator(".picker[data-picker='route-unit_id']")
    expect(picker.locator(".picker-chosen")).to_contain_text("镇1村1人民调解委员会")
    reason = page.locator("#id_route-override_reason")
    expect(reason).to_be_hidden()  # the proposal is followed: no reason asked

    # Focus lists the first units, grouped; typing narrows them.
    search = page.locator("#id_route-unit_id")
    with page.expect_response(lambda r: "/pick/route-unit/" in r.url):
        search.focus()
    expect(picker.locator(".picker-group-label").first).to_have_text("综治中心")
    with page.expect_response(lambda r: f"q={quote('人社')}" in r.url):
        search.fill("人社")
    expect(picker.locator(".picker-results .picker-option")).to_have_count(1)
    search.press("ArrowDown")
    expect(picker.locator(".picker-results .picker-option")).to_be_focused()
    page.keyboard.press("Enter")
    expect(picker.locator(".picker-chosen")).to_have_text("县人社局（长沙县） ×")
    expect(reason).to_be_visible()  # another unit than proposed: the reason is asked

    reason.fill("涉及欠薪")
    submit(page, "details:has(input[value=route]) button[type=submit]")
    expect(page.locator("#owner-unit")).to_have_text("县人社局")
