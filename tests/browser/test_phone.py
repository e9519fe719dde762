"""At phone size (390×844): a one-row top bar whose menu opens, case-list filters collapsed
with the number set, and an intake whose first screen is what a grid worker fills."""

from cases.services import perform_transition
from tests.browser.conftest import expect, submit
from tests.factories import NOW, PASSWORD, new_case

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def test_the_top_bar_is_one_row_and_its_menu_opens(new_page, county):
    page = new_page("tclerk", PASSWORD, viewport=PHONE)
    bar = page.locator("header.topbar")
    # One row: about the height of the menu button, not the 190–300 px of a wrapped bar.
    assert bar.bounding_box()["height"] < 60
    button = page.locator("#menu-button")
    expect(button).to_be_visible()
    expect(page.locator("nav.mainnav")).to_be_hidden()
    expect(page.locator("select[name=language]")).to_be_hidden()

    button.click()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(page.locator("nav.mainnav")).to_be_visible()
    expect(page.locator("select[name=language]")).to_be_visible()  # the language is in the menu
    assert bar.bounding_box()["height"] < 60  # the menu opens under the bar, not in it
    page.click("nav.mainnav a[href='/cases/']")
    expect(page.locator("h1")).to_have_text("案件")
    expect(page.locator("nav.mainnav")).to_be_hidden()  # closed again on the next page

    page.keyboard.press("Escape")  # nothing open: nothing happens
    button.click()
    page.keyboard.press("Escape")
    expect(page.locator("nav.mainnav")).to_be_hidden()


def test_on_a_wide_screen_the_menu_stands_in_the_bar(new_page, county):
    page = new_page("tclerk", PASSWORD, viewport=DESKTOP)
    expect(page.locator("#menu-button")).to_be_hidden()
    expect(page.locator("nav.mainnav")).to_be_visible()
    assert page.locator("header.topbar").bounding_box()["height"] < 60
    page.goto("/cases/")
    expect(page.locator("#filters form")).to_be_visible()  # open on a desktop


def test_case_list_filters_collapse_and_count_on_a_phone(new_page, county):
    case = new_case(county)
    perform_transition(case, "accept", county.users["vclerk"], NOW)
    page = new_page("vclerk", PASSWORD, viewport=PHONE)
    page.goto("/cases/?status=accepted&q=漏水")
    filters = page.locator("#filters")
    expect(filters.locator("form")).to_be_hidden()
    expect(page.locator("#filter-count")).to_have_text("2")
    # The list itself starts on the first screen.
    assert page.locator("#results").bounding_box()["y"] < 300
    page.click("#filters summary")
    expect(page.locator("#id_status")).to_be_visible()
    expect(page.locator("#id_status")).to_have_value("accepted")
    # Clearing a filter re-filters in place, and the count follows.
    with page.expect_response(lambda r: "/cases/" in r.url):
        page.select_option("#id_status", "")
    expect(page.locator("#filter-count")).to_have_text("1")


def test_intake_first_screen_holds_what_a_grid_worker_fills(new_page, county):
    page = new_page("grid", PASSWORD, viewport=PHONE)
    page.goto("/cases/new/")
    essentials = ["#id_title", "#id_area_code", "#id_description", "#id_parties-0-name"]
    for field in [*essentials, "#id_parties-0-phone"]:
        box = page.locator(field).bounding_box()
        assert box["y"] + box["height"] <= PHONE["height"], field
    # The rest is a tap away.
    expect(page.locator("#id_channel")).to_be_hidden()
    expect(page.locator("#id_parties-0-address")).to_be_hidden()
    page.fill("#id_title", "邻里噪音")
    page.fill("#id_description", "楼上夜间装修噪音扰民。")
    page.fill("#id_parties-0-name", "张三")
    page.fill("#id_parties-0-phone", "13800138000")
    submit(page, "#intake button[type=submit]")
    expect(page.locator(".msg-success")).to_contain_text("案件已登记")
