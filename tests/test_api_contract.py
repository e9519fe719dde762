"""The OpenAPI document says what the API does (issue 11, item 9): problem bodies, bounds on
pages, dates and lists (item 6), and Schemathesis holds the API to it — every operation,
authenticated, fuzzed from the document against the app in process, including the writes on
a seeded case: no server error, every status code, content type and body as declared."""

import contextlib

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from schemathesis import checks as st_checks
from schemathesis.specs.openapi import checks as oa_checks

from cases.models import Case
from docking.models import Referral
from tests.factories import PASSWORD, new_case
from tests.test_api import PROBLEM, Api, assert_problem
from tests.test_docking import push


@contextlib.contextmanager
def connection_kept_open():
    """Schemathesis calls the WSGI application itself, which closes the database connection at
    each request (close_old_connections); on PostgreSQL that would end the test's transaction.
    Django's test client disconnects it the same way while it runs."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# Each operation fuzzed with 15 examples, the same ones every run.
FUZZ = hypothesis.settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)

OPENAPI = "/api/v1/openapi.json"


@pytest.fixture
def document(db) -> dict:
    return Client().get(OPENAPI).json()


def test_errors_are_declared_as_problem_bodies(document):
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            for status, response in op["responses"].items():
                if int(status) >= 400:
                    assert list(response["content"]) == [PROBLEM], (method, path, status)
    token = document["paths"]["/api/v1/auth/token"]["post"]["responses"]
    assert set(token) == {"200", "400", "401", "422", "429"}  # 429: login throttling


def test_bounds_are_declared(document):
    params = {p["name"]: p for p in document["paths"]["/api/v1/cases"]["get"]["parameters"]}
    assert (params["page"]["schema"]["minimum"], params["page"]["schema"]["maximum"]) == (
        1,
        100_000,
    )
    assert (params["page_size"]["schema"]["minimum"], params["page_size"]["schema"]["maximum"]) == (
        1,
        100,
    )
    date_to = params["date_to"]["schema"]["anyOf"][0]
    assert date_to["format"] == "date" and date_to["pattern"] == r"^\d{4}-\d{2}-\d{2}$"
    assert "2000-01-01" in date_to["description"]
    case_in = document["components"]["schemas"]["CaseIn"]["properties"]
    assert case_in["parties"]["maxItems"] == 50
    assert case_in["title"]["maxLength"] == 100


def test_what_the_document_declares_is_what_the_api_answers(county):
    client = Client()
    bad = client.get("/api/v1/cases", {"date_to": "0"}, HTTP_AUTHORIZATION="Bearer nope")
    assert bad.status_code == 401 and bad["Content-Type"] == PROBLEM
    r = client.post("/api/v1/auth/token", "not json", content_type="application/json")
    assert r.status_code == 400 and r["Content-Type"] == PROBLEM
    r = client.post("/api/v1/auth/token", {"username": "x"}, content_type="application/json")
    assert r.status_code == 422 and r["Content-Type"] == PROBLEM


# ---------------------------------------------------------------- bad input (item 6)


def test_the_api_refuses_a_page_beyond_any_number(county):
    api = Api("tclerk")
    p = assert_problem(api.get("/api/v1/cases", page="999999999999999999999999999999"), 422)
    assert "page" in p["errors"]
    for params in ({"page": 0}, {"page_size": -1}, {"date_to": "0"}, {"date_from": "1700000000"}):
        assert_problem(api.get("/api/v1/cases", **params), 422)
    assert_problem(api.get("/api/v1/court/referrals", batch=2**70), 422)
    assert api.get("/api/v1/cases", page=100_000).json()["results"] == []


def test_the_api_bounds_parties_and_refuses_nul(county):
    api = Api("vclerk")
    body = {
        "title": "t",
        "description": "d",
        "area_code": county.villages[0].code,
        "channel": "window",
        "parties": [{"name": f"当事人{i}"} for i in range(10_000)],
    }
    p = assert_problem(api.post("/api/v1/cases", body), 422)
    assert "parties" in p["errors"]
    body["parties"] = [{"name": "张\x00三"}]
    assert_problem(api.post("/api/v1/cases", body), 422)
    assert not Case.objects.exists()


# ---------------------------------------------------------------- Schemathesis

schema = schemathesis.openapi.from_wsgi(
    OPENAPI,
    get_wsgi_application(),
    config=schemathesis.config.SchemathesisConfig.from_dict(
        {
            "seed": 11,
            "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        }
    ),
)
CHECKS = [
    st_checks.not_a_server_error,
    oa_checks.status_code_conformance,
    oa_checks.content_type_conformance,
    oa_checks.response_headers_conformance,
    oa_checks.response_schema_conformance,
    oa_checks.negative_data_rejection,
]


@pytest.fixture
def seeded(county):
    """A token, a case the user may act on, and a court referral: the fuzzed paths name them,
    so transitions and reads reach real rows, not only 404s."""
    case = new_case(county, "vclerk")
    push(county, "（2026）湘0121民诉前调1号")
    client = Client()

    def bearer(username: str) -> dict:
        r = client.post(
            "/api/v1/auth/token",
            {"username": username, "password": PASSWORD},
            content_type="application/json",
        )
        return {"Authorization": f"Bearer {r.json()['token']}"}

    seed = {
        # The case's own clerk for the case endpoints, the court's liaison for docking.
        "headers": bearer("vclerk"),
        "liaison": bearer("liaison"),
        "code": case.code,
        "ref": Referral.objects.get().external_ref,
        "area_code": county.villages[0].code,
    }
    with connection_kept_open():
        yield seed


@pytest.mark.django_db(transaction=False)
@schema.parametrize()
@FUZZ
def test_the_api_keeps_its_document(case, seeded):
    if "code" in (case.path_parameters or {}):
        case.path_parameters["code"] = seeded["code"]
    if "ref" in (case.path_parameters or {}):
        case.path_parameters["ref"] = seeded["ref"]
    if case.operation.path == "/api/v1/cases" and case.method == "POST":
        if isinstance(case.body, dict):
            # A real area and channel, so that some fuzzed intakes get as far as registering.
            case.body.setdefault("area_code", seeded["area_code"])
            case.body["area_code"] = seeded["area_code"]
            case.body["channel"] = "window"
    docking = "/referrals" in case.operation.path
    headers = seeded["liaison"] if docking else seeded["headers"]
    if not str((case.headers or {}).get("Authorization", "")).startswith("Bearer "):
        # A case generated without a well-formed bearer header (a negative one) keeps what it
        # was given: the API must refuse it (401), not be handed a valid token by the test.
        headers = {}
    case.call_and_validate(headers=headers, checks=CHECKS)


# ---------------------------------------------------------------- Open311 GeoReport v2

OPEN311 = "/open311/v2/openapi.json"
open311_schema = schemathesis.openapi.from_wsgi(
    OPEN311,
    get_wsgi_application(),
    config=schemathesis.config.SchemathesisConfig.from_dict(
        {
            "seed": 11,
            "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        }
    ),
)


@pytest.fixture
def open311_seeded(county):
    """A case to read and a key allowed to file (online, the county), so that fuzzed POSTs
    with a good key reach the intake."""
    from api.services import issue_system_key
    from tests.factories import NOW

    case = new_case(county, "vclerk")
    plain, _key = issue_system_key(
        None,
        name="随手拍",
        user=county.users["cclerk"],
        channels=["online"],
        areas=[],
        now=NOW,
    )
    with connection_kept_open():
        yield {"code": case.code, "key": plain, "area_code": county.villages[0].code}


@pytest.mark.django_db(transaction=False)
@open311_schema.parametrize()
@FUZZ
def test_open311_keeps_its_document(case, open311_seeded):
    if "service_request_id" in (case.path_parameters or {}):
        case.path_parameters["service_request_id"] = open311_seeded["code"]
    if case.method == "POST" and isinstance(case.body, dict) and case.body.get("api_key"):
        # Half of the fuzzed filings carry the real key (and a real place), to reach intake.
        case.body["api_key"] = open311_seeded["key"]
        case.body["address_id"] = open311_seeded["area_code"]
    case.call_and_validate(checks=CHECKS)
