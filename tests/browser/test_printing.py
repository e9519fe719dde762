"""打印: the case page, the work queue and the dashboard on paper (print media, A4)."""

import re
import subprocess

import pytest

from cases.services import perform_transition
from jiefen import clock
from tests.browser.conftest import ARTIFACTS, expect
from tests.factories import PASSWORD, new_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What paper never shows: navigation, forms, buttons and the action panels.
SCREEN_ONLY = ["nav.mainnav", "nav", "form", "button", "details", "#actions"]


def assert_print_layout(page, visible: list[str]) -> None:
    """With print media: nothing of SCREEN_ONLY is displayed, everything of `visible` is,
    and no table runs past the page's width (cut off on paper)."""
    page.emulate_media(media="print")
    for selector in SCREEN_ONLY:
        for element in page.locator(selector).all():
            expect(element).to_be_hidden()
    for selector in visible:
        expect(page.locator(selector).first).to_be_visible()
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll("table")]
            .filter(t => t.offsetParent !== null)
            .filter(t => t.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .map(t => t.id || t.className)"""
    )
    assert overflowing == []


def test_the_case_page_on_paper(new_page, county):
    case = new_case(county)
    case = perform_transition(case, "accept", county.users["vclerk"], clock.now())
    page = new_page("vclerk", PASSWORD)
    page.goto(f"/cases/{case.code}/")
    # On screen: the button, the forms and the action panels are there.
    expect(page.locator("button.print-button")).to_have_text("打印")
    expect(page.locator("#actions")).to_be_visible()

    assert_print_layout(page, ["p.code", ".qr svg", "#parties", ".timeline"])
    expect(page.locator("p.code")).to_contain_text(case.code)
    expect(page.locator("#parties")).to_contain_text("张三")
    expect(page.locator(".timeline")).to_contain_text("已受理")

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "print-case.png"), full_page=True)
    # page.pdf prints as Chromium does (headless only); the page size is the @page rule's.
    pdf = ARTIFACTS / "print-case.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    width, height = map(
        float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info.stdout).groups()
    )
    assert (round(width), round(height)) == (595, 842), info.stdout


def test_the_work_queue_on_paper(new_page, county):
    case = new_case(county)
    page = new_page("vclerk", PASSWORD)
    expect(page.locator("#queue")).to_contain_text(case.code)
    expect(page.locator("button.print-button")).to_be_visible()
    assert_print_layout(page, ["h1", "#queue"])
    expect(page.locator("#queue")).to_contain_text(case.code)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "print-queue.png"), full_page=True)


def test_the_dashboard_on_paper(new_page, county):
    now = clock.now()  # this month, the dashboard's default period
    case = new_case(county, area=county.villages[0], now=now)
    perform_transition(case, "accept", county.users["vclerk"], now)
    page = new_page("leader", PASSWORD)
    page.goto("/stats/")
    expect(page.locator("[data-indicator=accepted] .kpi-value")).to_have_text("1")
    expect(page.locator("button.print-button")).to_be_visible()
    assert_print_layout(page, ["#dash-title", "#indicators", "#subareas table", ".chart"])
    expect(page.locator(".toolbar")).to_be_hidden()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "print-dashboard.png"), full_page=True)
