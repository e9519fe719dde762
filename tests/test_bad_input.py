"""Bad input is answered, never a server error: each query parameter of a page is read by a
form (400 and a Chinese page saying which value), each of the API by its schema (a problem
body), and lists are bounded (issue 11, item 6)."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from cases.errors import InvalidInput
from cases.models import Case
from cases.services import MAX_PARTIES, PartyInput, register_case
from tests.factories import NOW, case_input
from tests.test_case_views import intake_data


@pytest.fixture(scope="module", autouse=True)
def chinese_catalog():
    call_command("compile_translations", verbosity=0)
    translation.trans_real._translations = {}
    translation.trans_real._default = None


def as_user(county, key) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(county.users[key])
    return client


def assert_bad_request(r, *words):
    assert r.status_code == 400, (r.status_code, r.content[:300])
    page = r.content.decode()
    assert "请求有误" in page
    for word in words:
        assert word in page, word


@pytest.mark.parametrize(
    "url, words",
    [
        ("/stats/?period=custom&start=2026-02-30&end=2026-03-01", ["起"]),
        ("/stats/?period=custom&start=0001-01-01&end=9999-12-31", ["2000-01-01"]),
        ("/stats/report.pdf?month=9999-12", ["2000-01-01"]),
        ("/stats/report.pdf?month=2026-13", ["YYYY-MM"]),
        ("/stats/?period=custom&start=2026-11-30&end=2026-11-01", ["结束日期早于开始日期"]),
        ("/stats/?period=week", ["统计期间"]),
        ("/stats/?area=99999999999999999999999", []),
        ("/stats/cases/?indicator=accepted&unit=x", []),
        ("/stats/cases/?indicator=accepted&value=a%00b", []),
    ],
)
def test_statistics_pages_answer_a_bad_query_with_400(county, url, words):
    assert_bad_request(as_user(county, "leader").get(url), *words)


def test_the_mediator_directory_answers_a_bad_query_with_400(county):
    client = as_user(county, "cclerk")
    assert_bad_request(client.get("/mediation/mediators/", {"pool": "abc"}), "人才库")
    assert_bad_request(client.get("/mediation/mediators/", {"kind": "nope"}))
    assert_bad_request(client.get("/mediation/mediators/", {"q": "a\x00b"}))
    assert client.get("/mediation/mediators/", {"pool": "", "kind": ""}).status_code == 200


def test_administration_pages_answer_a_bad_query_with_400(county, admin_client):
    admin_client.raise_request_exception = False
    assert_bad_request(admin_client.get("/manage/areas/new/", {"parent": "abc"}))
    assert_bad_request(admin_client.get("/manage/units/new/", {"area": "1e99"}))
    assert_bad_request(admin_client.get("/manage/areas/", {"q": "x\x00"}))
    assert_bad_request(admin_client.get("/mediation/manage/", {"q": "x" * 101}))
    r = admin_client.get("/manage/areas/new/", {"parent": county.towns[0].pk})
    assert r.status_code == 200 and county.towns[0].code in r.content.decode()


def test_the_services_bound_what_any_channel_sends(county):
    """The web form, the API and the imports all end in register_case."""
    grid = county.grids[0]
    many = [PartyInput(name=f"当事人{i}") for i in range(MAX_PARTIES + 1)]
    with pytest.raises(InvalidInput) as e:
        register_case(county.users["vclerk"], case_input(grid, parties=many), NOW)
    assert e.value.field_errors["parties"] == "一个案件最多 50 名当事人。"
    long_name = [PartyInput(name="名" * 81)]
    with pytest.raises(InvalidInput) as e:
        register_case(
            county.users["vclerk"],
            case_input(grid, parties=long_name, address="址" * 201, people_involved=10**10),
            NOW,
        )
    assert set(e.value.field_errors) == {"parties[0].name", "address", "people_involved"}
    assert not Case.objects.exists()


def test_the_intake_form_refuses_more_party_rows_than_it_offers(county):
    client = as_user(county, "grid")
    data = intake_data(county, **{"parties-TOTAL_FORMS": str(MAX_PARTIES + 1)})
    for i in range(MAX_PARTIES + 1):
        data.update({f"parties-{i}-name": f"当事人{i}", f"parties-{i}-role": "applicant"})
        data[f"parties-{i}-kind"] = "person"
    r = client.post("/cases/new/", data)
    assert r.status_code == 200
    assert not Case.objects.exists()


# Query parameters of the pages (every name a page's forms use, and the ones read from links),
# and values that have each made a page fail: a number past any id, a NUL, a date whose
# time-zone arithmetic overflows, an impossible date.
PARAMS = [
    "page", "q", "area", "period", "start", "end", "month", "batch", "pool", "kind", "unit",
    "parent", "id", "year", "from", "tab", "part", "units_page", "indicator", "reporter", "dim",
    "value", "status", "category", "channel", "date_from", "date_to", "outcome", "unread",
    "check", "case", "inline", "thumb", "profession", "own",
]  # fmt: skip
HOSTILE = ["9" * 30, "a\x00b", "0001-01-01", "2026-02-30"]


def test_no_page_fails_on_a_hostile_query_string(db):
    """Every page the menus lead to (as an administrator, a leader and a court liaison), with
    every parameter set to each hostile value: an answer, never a server error."""
    from tests.test_navigation import walk

    call_command(
        "seed_demo", "--cases", "20", "--seed", "3", "--now", NOW.isoformat(), stdout=io.StringIO()
    )
    client = Client(raise_request_exception=False)
    failed = []
    for role in ("admin", "leader", "court"):
        pages, _broken, _seen = walk(client, role)
        for url, html in pages.items():
            names = (set(PARAMS) | set(re.findall(r'name="([\w-]+)"', html))) - {
                "csrfmiddlewaretoken"
            }
            for value in HOSTILE:
                status = client.get(url, dict.fromkeys(names, value)).status_code
                if status >= 500:
                    failed.append((role, url, value, status))
    assert failed == []
