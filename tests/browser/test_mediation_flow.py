"""A mediator records a failed session and then an agreement, and downloads the 调解协议书.

Each session is recorded once it has been held: the test moves the pinned clock (which the
live server's threads read too) to the afternoon of the session's day before recording.
"""

import datetime
import subprocess

import pytest

from cases.services import perform_transition
from documents.models import Block, DocumentTemplate
from documents.seed import load_templates
from jiefen import clock
from mediation.models import Mediator, MediatorKind
from tests.browser.conftest import ARTIFACTS, expect, pick, submit
from tests.factories import NOW, PASSWORD, local_day, new_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def schedule(page, when: str, place: str) -> None:
    page.click("#mediation details:has(form[action$='/sessions/']) summary")
    page.fill("#id_schedule-starts_at", when)
    page.fill("#id_schedule-place", place)
    submit(page, "#mediation form[action$='/sessions/'] button[type=submit]")
    expect(page.locator(".msg-success")).to_be_visible()


def days_later(page, days: int) -> None:
    """The clock moves on to the afternoon `days` days after NOW; the page is loaded again."""
    clock.pin(NOW + datetime.timedelta(days=days))  # the pinned_clock fixture restores it
    page.reload()


def open_record_form(page):
    page.click("#mediation details:has(.record-form) summary")
    return page.locator("#mediation .record-form")


def test_mediator_records_two_sessions_and_downloads_the_agreement(new_page, county):
    load_templates(DocumentTemplate, Block)  # the transactional flush removed the seeded ones
    now = clock.now()
    clerk, mediator_user = county.users["vclerk"], county.users["mediator"]
    case = new_case(county, area=county.villages[0], now=now)
    case = perform_transition(case, "accept", clerk, now)
    case = perform_transition(case, "route", clerk, now, unit_id=county.units["committee"].pk)
    case = perform_transition(case, "start", mediator_user, now)
    profile = Mediator.objects.create(
        name="王调解", kind=MediatorKind.PEOPLE, unit=county.units["committee"], user=mediator_user
    )
    profile.areas.set([county.villages[0]])

    page = new_page("mediator", PASSWORD)
    page.goto(f"/cases/{case.code}/")
    # The proposal offers the committee's own mediator; the searchable picker finds them by
    # two characters of the name, and the mediator takes the case on.
    page.click("#mediation details:has(form[action$='/assign/']) summary")
    expect(page.locator("#mediation .picker-suggest")).to_contain_text("王调解")
    pick(page, "#id_assign-mediators", "王调", "王调解")
    submit(page, "#mediation form[action$='/assign/'] button[type=submit]")
    expect(page.locator("#mediators")).to_contain_text("王调解")

    # First session, tomorrow morning: it cannot be recorded before it has been held.
    schedule(page, f"{local_day(1)}T09:00", "镇1村1调解室")
    expect(page.locator("#mediation .record-form")).to_have_count(0)
    expect(page.locator("#sessions")).to_contain_text(f"自 {local_day(1)} 09:00 起可记录")
    # Tomorrow afternoon: no agreement; the record says why and the routes left.
    days_later(page, 1)
    form = open_record_form(page)
    form.locator("select[name$='-result']").select_option("failed")
    form.locator("textarea[name$='-facts']").fill("双方对渗水原因各执一词。")
    form.locator("textarea[name$='-note']").fill("未达成一致，告知可向法院起诉。")
    submit(page, form.locator("button[type=submit]"))
    expect(page.locator(".msg-success")).to_be_visible()
    expect(page.locator("#sessions")).to_contain_text("双方对渗水原因各执一词")
    expect(page.locator(".timeline")).to_contain_text("未达成一致")

    # Second session, planned for day 3; the parties came on day 2 at 15:00 instead: the
    # mediator moves the session to when it took place, then records a written agreement.
    schedule(page, f"{local_day(3)}T09:00", "村委会会议室")
    days_later(page, 2)
    expect(page.locator("#mediation .record-form")).to_have_count(0)
    page.click("#mediation details:has(.reschedule-form) summary")
    moved = page.locator("#mediation .reschedule-form")
    moved.locator("input[name$='-starts_at']").fill(f"{local_day(2)}T15:00")
    submit(page, moved.locator("button[type=submit]"))
    expect(page.locator(".msg-success")).to_be_visible()
    expect(page.locator(".timeline")).to_contain_text(f"{local_day(2)} 15:00 · 村委会会议室")
    form = open_record_form(page)
    form.locator("select[name$='-result']").select_option("agreement")
    form.locator("textarea[name$='-facts']").fill("经现场查看，渗水系楼上防水层破损所致。")
    form.locator("select[name$='-form']").select_option("written")
    form.locator("textarea[name$='-agreement_facts']").fill("楼上卫生间防水层破损导致楼下渗水。")
    form.locator("textarea[name$='-content']").fill("李四于十日内修复防水层并赔偿张三三千元。")
    form.locator("input[name$='-performance_method']").fill("银行转账")
    submit(page, form.locator("button[type=submit]"))
    expect(page.locator(".msg-success")).to_be_visible()
    expect(page.locator("#case-status")).to_have_text("已化解")
    agreement = page.locator("#mediation .agreement")
    expect(agreement).to_contain_text("人调字第1号")
    expect(agreement).to_contain_text("李四于十日内修复防水层并赔偿张三三千元。")
    expect(agreement).to_contain_text(local_day(2))  # effective on the day it was reached
    link = page.locator("#documents li", has_text="人民调解协议书").locator("a", has_text="PDF")
    expect(link).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "mediation-panel.png"), full_page=True)

    with page.expect_download() as info:
        link.click()
    path = ARTIFACTS / "agreement-download.pdf"
    info.value.save_as(path)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "人民调解协议书" in text and case.code in text and "银行转账" in text
