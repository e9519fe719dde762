"""Under the Content-Security-Policy the pages still work in a browser: no violation is reported
and the language selector (bound in app.js, no inline onchange) switches the language."""

import pytest

from tests.browser.conftest import expect
from tests.factories import PASSWORD, new_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_no_csp_violation_and_the_language_selector_works(new_page, county):
    case = new_case(county)
    page = new_page("vclerk", PASSWORD)
    violations = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto(f"/cases/{case.code}/")
    expect(page.locator("h1").first).to_be_visible()
    page.click("#menu-button")  # a phone: the language selector is in the menu
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto("/")
    assert violations == []
