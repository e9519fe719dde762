"""Menus show only what the user may open: for every demo role, each link of the main menu,
of the administration menu and of a page's tabs answers, in Chinese, without an error."""

import io
import re

import pytest
from django.core.management import call_command

from demo.county import PASSWORD
from tests.factories import NOW

ROLES = [
    "admin", "grid", "village_clerk", "town_clerk", "county_clerk", "leader", "mediator",
    "handler", "court",
]  # fmt: skip
NAV = re.compile(r"<nav[^>]*>(.*?)</nav>", re.S)
HREF = re.compile(r'href="(/[^"#?]*)')
NOT_PAGES = ("/logout/", "/i18n/", "/static/", "/media/", "/admin/")
DOWNLOADS = (".xlsx", ".pdf", ".docx")  # tested where they are made


def nav_links(html: str) -> set[str]:
    return {h for block in NAV.findall(html) for h in HREF.findall(block)} - {"/"} | {"/"}


@pytest.fixture
def demo(db):
    call_command(
        "seed_demo", "--cases", "40", "--seed", "3", "--now", NOW.isoformat(), stdout=io.StringIO()
    )


def test_every_menu_link_opens_for_the_role_that_sees_it(client, demo):
    broken, reached = [], {}
    for username in ROLES:
        assert client.login(username=username, password=PASSWORD)
        seen, todo = set(), ["/"]
        # Every page reachable through menus and tabs alone, from the work queue.
        while todo:
            url = todo.pop()
            if url in seen or url.startswith(NOT_PAGES) or url.endswith(DOWNLOADS):
                continue
            seen.add(url)
            response = client.get(url)
            if response.status_code != 200:
                broken.append((username, url, response.status_code))
            elif response["Content-Type"].startswith("text/html"):  # not an Excel or PDF
                todo += nav_links(response.content.decode()) - seen
        reached[username] = seen
    assert broken == [], "links shown to a role that cannot open them"
    # The walk went where each role works.
    assert "/routing/manage/rules/" in reached["admin"] and "/manage/units/" in reached["admin"]
    assert "/docking/" in reached["court"] and "/docking/upload/" in reached["court"]
    assert "/stats/" in reached["leader"] and "/mediation/" in reached["mediator"]
    assert not any(url.startswith(("/manage/", "/routing/manage/")) for url in reached["grid"])

    # /routing/manage/ (named in the README) is the index of its three pages.
    assert client.login(username="admin", password=PASSWORD)
    html = client.get("/routing/manage/").content.decode()
    for section in ("分流规则", "逐级上报", "工作日"):
        assert section in html, section
    assert "启用 7 条，共 7 条" in html  # the demo county's 三事分流 rules
    assert client.login(username="county_clerk", password=PASSWORD)
    assert client.get("/routing/manage/").status_code == 404  # administrators only
