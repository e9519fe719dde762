"""Offline (issue 14, item 8) on a phone (390×844): a grid worker without signal fills the
intake form and the daily report; the drafts stay on the phone and are sent once when the
connection comes back — one case, one report, even when the page sends a draft again."""

import pytest

from cases.models import Case
from portal.models import DailyReport, DailyReportItem
from tests.browser.conftest import EVENT_TIMEOUT_MS, expect
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESEND = """async (key) => {
  const form = document.getElementById("intake");
  const data = new FormData(form);
  data.set("idempotency_key", key);
  data.set("title", "院墙纠纷");
  data.set("description", "两户因院墙位置争执");
  data.set("parties-0-name", "王五");
  const r = await fetch(form.action || location.pathname, {method: "POST", body: data});
  return r.redirected;
}"""


@pytest.fixture
def grid_phone(browser, live_server, county):
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, base_url=live_server.url
    )
    context.set_default_timeout(EVENT_TIMEOUT_MS)
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", "grid")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    yield context, page
    context.close()


def test_an_offline_intake_draft_is_sent_once_when_the_phone_is_back_online(grid_phone, county):
    context, page = grid_phone
    page.goto("/cases/new/")
    # The page registers the service worker; once it controls the page, the page and its
    # static files are kept, so the phone opens the form again without signal.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    context.set_offline(True)
    page.goto("/cases/new/")
    expect(page.locator("#id_idempotency_key")).not_to_have_value("")
    page.fill("#id_title", "院墙纠纷")
    page.fill("#id_description", "两户因院墙位置争执")
    page.fill("#id_parties-0-name", "王五")
    page.click("#intake button[type=submit]")
    status = page.locator("#offline-status")
    expect(status).to_have_text("已保存草稿，联网后自动发送")
    assert not Case.objects.exists()
    assert page.input_value("#id_title") == ""  # the form is free for the next one

    with page.expect_response(lambda r: r.request.method == "POST"):
        context.set_offline(False)
    expect(status).to_have_text("已发送")
    case = Case.objects.get()
    assert case.title == "院墙纠纷" and case.parties.get().name == "王五"
    # The page sends the same draft again: still one case.
    key = case.external_ref.removeprefix("intake:")
    assert page.evaluate(RESEND, key) is True
    assert Case.objects.count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_an_offline_daily_report_is_sent_once(grid_phone, county):
    context, page = grid_phone
    grid = county.grids[0]
    page.goto("/grid/daily/")
    context.set_offline(True)
    page.click(f"#grid-{grid.pk} summary")
    page.select_option(f"#grid-{grid.pk} select[name=kind]", "hazard")
    page.fill(f"#grid-{grid.pk} textarea[name=text]", "河堤有裂缝")
    page.click(f"#grid-{grid.pk} button[value=item]")
    expect(page.locator("#offline-status")).to_have_text("已保存草稿，联网后自动发送")
    assert not DailyReport.objects.exists()
    with page.expect_response(lambda r: r.request.method == "POST"):
        context.set_offline(False)
    expect(page.locator("#offline-status")).to_have_text("已发送")
    assert DailyReportItem.objects.get().text == "河堤有裂缝"
