"""Menus show only what the user may open: for every demo role, each link of the main menu,
of the administration menu and of a page's tabs answers, in Chinese, without an error."""

import io
import re
from html import unescape

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


def walk(client, username: str) -> tuple[dict[str, str], list, set[str]]:
    """Every page reachable through menus and tabs alone, from the work queue, as this role:
    the HTML of each page reached, the links that did not answer 200, and every URL tried."""
    assert client.login(username=username, password=PASSWORD)
    pages, broken, seen, todo = {}, [], set(), ["/"]
    while todo:
        url = todo.pop()
        if url in seen or url.startswith(NOT_PAGES) or url.endswith(DOWNLOADS):
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200:
            broken.append((username, url, response.status_code))
        elif response["Content-Type"].startswith("text/html"):  # not an Excel or PDF
            html = response.content.decode()
            pages[url] = html
            todo += nav_links(html) - seen
    return pages, broken, seen


def test_every_menu_link_opens_for_the_role_that_sees_it(client, demo):
    broken, reached = [], {}
    for username in ROLES:
        _pages, role_broken, reached[username] = walk(client, username)
        broken += role_broken
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


# What a zh-hans user reads: text between tags and the attributes shown as tooltips or read out.
# Data that is not words of the interface (a username, a link) is marked translate="no".
HIDDEN = re.compile(
    r"<(script|style|template)\b.*?</\1>|<!--.*?-->|<(\w+)\b[^>]*\btranslate=\"no\"[^>]*>.*?</\2>",
    re.S | re.I,
)
SHOWN_ATTRIBUTE = re.compile(r'\s(?:title|placeholder|aria-label)="([^"]*)"', re.I)
TAG = re.compile(r"<[^>]*>")
WORD = re.compile(r"[A-Za-z]{3,}")
URL = re.compile(r"https?://\S+")
# Latin that is legitimately Latin on a Chinese page; everything else is translated.
ALLOWED = {
    "English",  # the language selector names each language in that language
    "Excel", "PDF", "Word",  # file formats, named so on Chinese government sites too
    "CSV", "xlsx",  # the file formats an upload takes, as the file picker shows them
}  # fmt: skip
# Pages the menus do not link to directly: followed, one of each URL shape, from the pages
# reached, for the administrator, the clerks and a mediator.
DEEPER = ("/manage/", "/routing/manage/", "/cases/", "/mediation/cases/")
SHAPE = re.compile(r"\d+")
CASE_PAGE = re.compile(r"^/cases/([^/]+)/$")


def visible_text(html: str) -> str:
    html = HIDDEN.sub(" ", html)
    shown = " ".join(SHOWN_ATTRIBUTE.findall(html))
    return unescape(TAG.sub(" ", html) + " " + shown)


def english(html: str) -> set[str]:
    text = URL.sub(" ", visible_text(html))  # an address (the QR code's link) is not words
    return {w for w in WORD.findall(text) if w not in ALLOWED}


def deeper_pages(client, pages: dict[str, str]) -> dict[str, str]:
    """Pages linked from the pages reached (a case, the intake form, a mediation page, an
    area, a unit, a rule…), one of each URL shape."""
    shapes = {SHAPE.sub("N", url) for url in pages}
    found = {}
    for html in list(pages.values()):
        for url in HREF.findall(html):
            shape = SHAPE.sub("N", url)
            if not url.startswith(DEEPER) or url.endswith(DOWNLOADS) or shape in shapes:
                continue
            shapes.add(shape)
            response = client.get(url)
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                found[url] = response.content.decode()
    return found


def test_no_english_left_in_the_chinese_pages(client, demo):
    found: dict[str, list[str]] = {}
    mediation_pages: set[str] = set()
    for username in ROLES:
        pages, _broken, _seen = walk(client, username)
        if username in ("admin", "county_clerk", "town_clerk", "mediator"):
            pages |= deeper_pages(client, pages)
        if username == "admin":
            assert {"/manage/units/new/", "/routing/manage/rules/new/"} <= set(pages)
            assert any(re.fullmatch(r"/manage/areas/\d+/", url) for url in pages)
        if username == "county_clerk":
            assert "/cases/new/" in pages
            assert any(re.fullmatch(r"/cases/[^/]+/", url) for url in pages), "a case page"
        # The mediation panel on a page of its own, for every case the role reached.
        for code in {m for url in list(pages) for m in CASE_PAGE.findall(url)} - {"new"}:
            response = client.get(f"/mediation/cases/{code}/")
            assert response.status_code == 200, (username, code)
            pages[f"/mediation/cases/{code}/"] = response.content.decode()
        mediation_pages |= {url for url in pages if url.startswith("/mediation/cases/")}
        for url, html in sorted(pages.items()):
            for word in sorted(english(html)):
                found.setdefault(word, []).append(f"{username} {url}")
    assert mediation_pages, "a mediation page"
    report = "\n".join(f"{word}: {', '.join(where)}" for word, where in sorted(found.items()))
    assert found == {}, "English words left on the Chinese pages:\n" + report


def test_the_check_reads_what_a_user_reads():
    html = (
        '<p title="Open">案件 <b>Excel</b></p><script>var x = "hidden";</script>'
        '<a translate="no">county_clerk</a><option>Other</option><i data-x="ignored"></i>'
        '<figure title="http://testserver/c/abc"></figure>'
    )
    assert english(html) == {"Open", "Other"}


PROJECT_APPS = (
    "api", "areas", "cases", "clocks", "coordination", "docking", "documents", "mediation",
    "notifications", "risk", "routing", "stats",
)  # fmt: skip


def test_every_model_has_a_chinese_name():
    """The Django admin (not walked) names models by their verbose names."""
    from django.apps import apps
    from django.utils import translation

    with translation.override("zh-hans"):
        english_names = [
            f"{model._meta.label}: {name}"
            for model in apps.get_models()
            if model._meta.app_label in PROJECT_APPS
            for name in (str(model._meta.verbose_name), str(model._meta.verbose_name_plural))
            if not re.search(r"[\u4e00-\u9fff]", name)
        ]
    assert english_names == []
