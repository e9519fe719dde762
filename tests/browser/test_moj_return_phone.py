"""The people's-mediation return on a phone (390 px): one card per line, no sideways scroll,
the download at hand; on a desk the whole table, scrolling inside its box."""

from tests.browser.conftest import expect
from tests.factories import PASSWORD
from tests.test_moj_return import month  # noqa: F401 (the hand-worked November)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def test_the_return_reads_on_a_phone(new_page, month):  # noqa: F811
    page = new_page("tclerk", PASSWORD, viewport=PHONE)
    page.goto(f"/stats/moj-return/?area={month.towns[0].pk}&month=2026-11")
    page.screenshot(path="/tmp/moj-phone.png", full_page=True)
    expect(page.locator("#moj-download")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    row = page.locator(f"tr[data-unit='{month.units['committee'].pk}']")
    expect(row.locator("td[data-figure=total]")).to_have_text("5")
    expect(row.locator("td[data-figure=rate]")).to_be_visible()
    expect(row.locator("td.zero").first).to_be_hidden()  # its empty categories left out
    row_box = row.bounding_box()
    assert row_box["x"] >= 0 and row_box["x"] + row_box["width"] <= PHONE["width"]


def test_on_a_desk_the_table_scrolls_in_its_box(new_page, month):  # noqa: F811
    page = new_page("tclerk", PASSWORD, viewport=DESKTOP)
    page.goto(f"/stats/moj-return/?area={month.towns[0].pk}&month=2026-11")
    page.screenshot(path="/tmp/moj-desk.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    expect(page.locator("#moj-table thead th").first).to_be_visible()
