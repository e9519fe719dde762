"""Playwright on Debian's Chromium against pytest-django's live server."""

import os
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.utils import translation

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
# beside one unless told that it is safe (it is: the loop only drives the browser).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
# Every wait below is for an event (a response, a download, an element's state) and ends as
# soon as it happens; the limit only decides how long a broken page takes to fail, so it is
# set for a loaded 2-core machine rendering PDFs with embedded CJK fonts, not for a fast one.
EVENT_TIMEOUT_MS = 60_000
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is not installed: apt-get install chromium fonts-noto-cjk")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        pytest.fail("Playwright is not installed: make setup (pip install -e '.[test]')")

    expect.set_options(timeout=EVENT_TIMEOUT_MS)
    call_command("compile_translations", verbosity=0)
    translation.trans_real._translations = {}
    translation.trans_real._default = None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """new_page(username) → a logged-in page in its own browser context (Chinese, phone-sized;
    `viewport` another size)."""
    contexts = []

    def make(username: str, password: str, viewport=None):
        context = browser.new_context(
            locale="zh-CN",
            viewport=viewport or {"width": 412, "height": 900},
            base_url=live_server.url,
        )
        context.set_default_timeout(EVENT_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.goto("/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield make
    for c in contexts:
        c.close()


def expect(actual):
    """Playwright's expect, imported when a browser test runs: the rest of the suite collects
    and runs where Playwright is not installed, and the browser tests fail with its message."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(actual)


def submit(page, button) -> None:
    """Click a form's button and return once the server has answered its POST.

    Waiting for the response, not for a success message, matters when the page still shows
    the message of the previous submit: the next step would otherwise act on a page that
    htmx is about to replace.
    """
    with page.expect_response(lambda r: r.request.method == "POST"):
        (page.locator(button) if isinstance(button, str) else button).click()


def pick(page, field, typed: str, choice: str) -> None:
    """Type into a searchable picker (jiefen.pickers) and choose a result.

    Waits for the endpoint's answer to the typed text, then for the choice to be shown.
    """
    search = page.locator(field)
    asked = f"q={quote(typed)}"
    with page.expect_response(lambda r: "/pick/" in r.url and asked in r.url):
        search.fill(typed)
    picker = page.locator(".picker", has=search)
    picker.locator(".picker-results .picker-option", has_text=choice).first.click()
    expect(picker.locator(".picker-chosen")).to_contain_text(choice)
