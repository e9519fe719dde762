"""The citizen side on a phone (390×844), logged out: a QR code's tracking page."""

import pytest

from tests.browser.conftest import EVENT_TIMEOUT_MS, expect
from tests.test_portal_tracking import resolved_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser, live_server):
    """A logged-out phone-sized page, as a citizen scanning a QR code has."""
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, base_url=live_server.url
    )
    context.set_default_timeout(EVENT_TIMEOUT_MS)
    yield context.new_page()
    context.close()


def test_a_citizen_scans_a_case_qr_code_and_sees_the_public_page(phone, county):
    case = resolved_case(county)
    phone.goto(f"/c/{case.code}")
    expect(phone.locator("#status")).to_have_text("已化解")
    expect(phone.locator("#unit")).to_have_text("镇1村1人民调解委员会")
    expect(phone.locator("#steps li")).to_have_count(5)
    body = phone.locator("body").inner_text()
    assert "张三" not in body and "13800138000" not in body
    # Nothing wider than the phone's screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
