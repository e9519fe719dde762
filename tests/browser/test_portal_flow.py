"""The citizen side on a phone (390×844), logged out: a QR code's tracking page, a report."""

import datetime

import pytest

from cases.models import Case
from tests.browser.conftest import EVENT_TIMEOUT_MS, expect
from tests.test_portal_tracking import PNG, last_code, resolved_case

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


def test_a_citizen_reports_a_dispute_with_a_photo_and_gets_a_code(phone, county, tmp_path):
    grid = county.grids[0]
    shot = tmp_path / "photo.png"
    shot.write_bytes(PNG)
    phone.goto(f"/report/?grid={grid.code}")
    expect(phone.locator("#grid")).to_contain_text(grid.name)
    assert phone.get_attribute("#id_photos", "capture") == "environment"
    phone.fill("#id_description", "邻居在村道上堆放建材，车辆无法通行。")
    phone.check("input[name=category][value=neighbours]")
    phone.set_input_files("#id_photos", str(shot))
    phone.fill("#id_name", "王五")
    phone.fill("#id_phone", "13600136000")
    with phone.expect_response("**/report/code/"):
        phone.click("#send-code")
    expect(phone.locator("#code-message")).to_contain_text("验证码已通过短信发送")
    phone.fill("#id_code", last_code())
    with phone.expect_response(lambda r: r.request.method == "POST"):
        phone.click("#submit-report")
    case = Case.objects.get()
    expect(phone.locator("#case-code")).to_have_text(case.code)
    assert case.attachments.count() == 1 and case.channel == "online"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_grid_worker_files_all_quiet_and_the_next_day_an_item_made_a_case(
    phone, county, live_server
):
    from jiefen import clock
    from tests.factories import NOW, PASSWORD

    phone.goto("/login/")
    phone.fill("#id_username", "grid")
    phone.fill("#id_password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/")
    phone.click("#menu-button")  # a phone: the navigation is in the menu
    phone.click("nav >> text=每日上报")
    grid = county.grids[0]
    with phone.expect_response(lambda r: r.request.method == "POST"):
        phone.click(f"#quiet-{grid.pk}")
    expect(phone.locator(f"#today-{grid.pk}")).to_contain_text("无事平安")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    with clock.pinned(NOW + datetime.timedelta(days=1)):
        phone.goto("/grid/daily/")
        phone.click("text=报告情况")
        phone.select_option("#id_kind", "dispute")
        phone.fill("#id_text", "两户因排水沟占用争吵")
        phone.fill("#id_party_name", "刘大")
        with phone.expect_response(lambda r: r.request.method == "POST"):
            phone.click("text=加入今日日报")
        with phone.expect_response(lambda r: r.request.method == "POST"):
            phone.click("text=转为案件")
        expect(phone.locator(".msg-success")).to_contain_text("案件已登记")
    case = Case.objects.get()
    assert case.area == grid and case.parties.get().name == "刘大"
