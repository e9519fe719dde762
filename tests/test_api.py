"""The REST API: tokens, intake with idempotency keys, masked reads, lists, transitions, errors."""

import json
import threading

import pytest
from django.db import connection
from django.test import Client

from api.idempotency import fingerprint
from api.models import ApiToken, IdempotencyRecord
from cases.audit import verify
from cases.models import Case, CaseAccessLog, TimelineEvent
from tests.factories import PASSWORD, VALID_ID, local_day, new_case

PROBLEM = "application/problem+json"


def token_for(client: Client, username: str) -> str:
    r = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": PASSWORD},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    return r.json()["token"]


class Api:
    """A test client that sends one user's token on every request."""

    def __init__(self, username: str, scheme: str = "Bearer"):
        self.client = Client()
        self.auth = f"{scheme} {token_for(self.client, username)}"

    def get(self, url: str, **params):
        return self.client.get(url, params, HTTP_AUTHORIZATION=self.auth)

    def post(self, url: str, body: dict, **headers):
        return self.client.post(
            url,
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=self.auth,
            headers=headers,
        )


def body(county, **overrides) -> dict:
    data = {
        "title": "劳务费纠纷",
        "description": "工地三名工人称包工头拖欠工资两个月。",
        "area_code": county.grids[0].code,
        "channel": "grid_app",
        "category_code": "0201",
        "people_involved": 3,
        "amount_involved": "12000.50",
        "occurred_at": "2026-11-20T10:00:00",
        "parties": [
            {"name": "王五", "id_number": VALID_ID, "phone": "13800138000"},
            {"name": "赵六", "role": "respondent", "phone": "13900139000"},
        ],
        "missing_materials": ["考勤记录"],
    }
    data.update(overrides)
    return data


def assert_problem(r, status: int) -> dict:
    assert r.status_code == status, r.content
    assert r["Content-Type"] == PROBLEM
    p = r.json()
    assert set(p) == {"type", "title", "status", "detail", "errors"}
    assert p["status"] == status
    return p


# ---------------------------------------------------------------- tokens


def test_token_is_issued_and_only_its_hash_stored(county):
    token = token_for(Client(), "vclerk")
    row = ApiToken.objects.get(user=county.users["vclerk"])
    assert token not in (row.key_hash, row.prefix) and len(row.key_hash) == 64
    assert token.startswith(row.prefix)


def test_wrong_password_gets_401_problem(county):
    r = Client().post(
        "/api/v1/auth/token",
        {"username": "vclerk", "password": "wrong"},
        content_type="application/json",
    )
    assert_problem(r, 401)
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("header", [None, "Bearer nonsense", "Basic dmNsZXJrOnB3"])
def test_missing_or_bad_token_gets_401_problem(county, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    r = Client().get("/api/v1/cases", **extra)
    assert_problem(r, 401)
    assert r["WWW-Authenticate"].startswith("Bearer")


def test_token_scheme_is_accepted_too(county):
    assert Api("vclerk", scheme="Token").get("/api/v1/cases").status_code == 200


def test_inactive_user_token_stops_working(county):
    api = Api("vclerk")
    county.users["vclerk"].is_active = False
    county.users["vclerk"].save()
    assert_problem(api.get("/api/v1/cases"), 401)


# ---------------------------------------------------------------- intake


def test_create_case_returns_201_with_code(county):
    r = Api("grid").post("/api/v1/cases", body(county))
    assert r.status_code == 201, r.content
    data = r.json()
    case = Case.objects.get(code=data["code"])
    assert data["status"] == "registered"
    assert data["area"] == {"code": county.grids[0].code, "name": county.grids[0].name}
    assert data["url"].endswith(f"/api/v1/cases/{case.code}")
    assert case.parties.count() == 2 and case.missing_materials.count() == 1
    assert case.reporter == county.users["grid"]
    # A time without an offset is local time.
    assert case.occurred_at.isoformat() == "2026-11-20T02:00:00+00:00"


def test_one_intake_takes_at_most_twenty_queries_and_makes_a_complete_case(
    county, django_assert_max_num_queries
):
    """Issue 16: the intake path's query count is held here so it cannot silently grow. The
    twenty: the token, the idempotency key, the area, the category, the membership and the
    escalation policy (read before the write transaction); the case number, the case, its
    parties, missing materials, units, timeline event and accept-by clock; the risk rules and
    the parties' earlier cases; the idempotency record; and the test's two savepoints each
    for the key's transaction and the registration's."""
    api = Api("vclerk")
    api.post("/api/v1/cases", body(county), **{"Idempotency-Key": "warm-up"})
    with django_assert_max_num_queries(20):
        r = api.post("/api/v1/cases", body(county), **{"Idempotency-Key": "counted"})
    assert r.status_code == 201, r.content
    case = Case.objects.get(code=r.json()["code"])
    assert case.parties.count() == 2 and case.missing_materials.count() == 1
    event = TimelineEvent.objects.get(case=case)
    assert event.kind == "registered" and event.prev_hash == "" and len(event.hash) == 64
    assert case.deadlines.filter(clock="accept", state="open").exists()
    assert not verify().broken


def test_service_validation_errors_are_problems_with_field_names(county):
    bad_id = VALID_ID[:-1] + "1"
    r = Api("grid").post(
        "/api/v1/cases",
        body(county, title="", parties=[{"name": "王五", "id_number": bad_id}]),
    )
    p = assert_problem(r, 422)
    assert set(p["errors"]) == {"title", "parties[0].id_number"}
    assert p["type"].endswith("invalid_input")
    assert not Case.objects.exists()


def test_schema_validation_errors_are_problems_with_field_names(county):
    data = body(county, people_involved="many")
    del data["title"]
    data["parties"][1]["name"] = 7
    p = assert_problem(Api("grid").post("/api/v1/cases", data), 422)
    assert {"title", "people_involved", "parties[1].name"} <= set(p["errors"])


def test_registering_outside_own_area_is_refused(county):
    r = Api("grid").post("/api/v1/cases", body(county, area_code=county.grids[1].code))
    p = assert_problem(r, 403)
    assert "area_code" in p["errors"]


def test_idempotent_retry_returns_the_first_result(county):
    api = Api("grid")
    first = api.post("/api/v1/cases", body(county), **{"Idempotency-Key": "k-1"})
    again = api.post("/api/v1/cases", body(county), **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1
    assert IdempotencyRecord.objects.get().key == "k-1"


def test_idempotency_key_is_per_user(county):
    Api("grid").post("/api/v1/cases", body(county), **{"Idempotency-Key": "k-1"})
    r = Api("vclerk").post("/api/v1/cases", body(county), **{"Idempotency-Key": "k-1"})
    assert r.status_code == 201
    assert Case.objects.count() == 2


def test_same_key_with_different_body_is_refused(county):
    api = Api("grid")
    api.post("/api/v1/cases", body(county), **{"Idempotency-Key": "k-1"})
    r = api.post("/api/v1/cases", body(county, title="另一件事"), **{"Idempotency-Key": "k-1"})
    p = assert_problem(r, 422)
    assert "Idempotency-Key" in p["errors"]
    assert Case.objects.count() == 1


def test_refused_request_does_not_burn_its_key(county):
    api = Api("grid")
    bad = api.post("/api/v1/cases", body(county, title=""), **{"Idempotency-Key": "k-1"})
    assert bad.status_code == 422
    good = api.post("/api/v1/cases", body(county), **{"Idempotency-Key": "k-1"})
    assert good.status_code == 201


def test_fingerprint_ignores_key_order_and_whitespace():
    assert fingerprint(b'{"a": 1, "b": [1, 2]}') == fingerprint(b'{"b":[1,2],"a":1}')
    assert fingerprint(b'{"a": 1}') != fingerprint(b'{"a": 2}')


def test_concurrent_duplicate_returns_the_stored_result(county, monkeypatch):
    """Two requests with one key pass the lookup together; the loser's insert hits the unique
    constraint, its case rolls back, and it answers with the winner's result."""
    from api import idempotency

    api = Api("grid")
    winner = api.post("/api/v1/cases", body(county), **{"Idempotency-Key": "k-1"})
    stored = idempotency._stored
    calls = []

    def first_lookup_misses(user, key):
        calls.append(key)
        return None if len(calls) == 1 else stored(user, key)

    monkeypatch.setattr(idempotency, "_stored", first_lookup_misses)
    loser = api.post("/api/v1/cases", body(county), **{"Idempotency-Key": "k-1"})
    assert len(calls) == 2
    assert loser.status_code == 201
    assert loser.json() == winner.json()
    assert Case.objects.count() == 1


@pytest.mark.threaded
@pytest.mark.django_db(transaction=True)
def test_racing_requests_with_one_key_create_one_case(county):
    """Real concurrency: requests with one key sent at the same moment from several threads."""
    api = Api("grid")
    barrier = threading.Barrier(4)
    results = []

    def send():
        try:
            barrier.wait()
            r = api.post("/api/v1/cases", body(county), **{"Idempotency-Key": "race"})
            results.append((r.status_code, r.json()["code"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 4
    assert {status for status, _ in results} == {201}
    assert len({code for _, code in results}) == 1
    assert Case.objects.count() == 1


# ---------------------------------------------------------------- detail


def test_detail_is_masked_for_grid_worker_and_not_logged(county):
    case = new_case(county, "grid")
    r = Api("grid").get(f"/api/v1/cases/{case.code}")
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["full_record"] is False
    assert data["parties"][0]["id_number"] == "1101**********002X"
    assert data["parties"][0]["phone"] == "138****8000"
    assert not CaseAccessLog.objects.exists()


def test_detail_is_full_for_clerk_and_the_read_is_logged(county):
    case = new_case(county, "grid")
    r = Api("vclerk").get(f"/api/v1/cases/{case.code}")
    data = r.json()
    assert data["full_record"] is True
    assert data["parties"][0]["id_number"] == VALID_ID
    assert data["parties"][1]["phone"] == "13900139000"
    log = CaseAccessLog.objects.get()
    assert (log.case, log.user, log.channel) == (case, county.users["vclerk"], "api")


def test_detail_has_area_unit_materials_timeline_and_actions(county):
    case = new_case(county, "vclerk", missing_materials=["身份证复印件"])
    data = Api("vclerk").get(f"/api/v1/cases/{case.code}").json()
    assert data["area"]["code"] == county.grids[0].code
    assert data["category"]["code"] == "0201"
    assert data["channel"] == "grid_app"
    assert data["handling_unit"]["name"] == county.center(county.villages[0]).name
    assert data["missing_materials"] == [{"name": "身份证复印件", "provided_at": None}]
    event = data["timeline"][0]
    assert event["kind"] == "registered" and event["to_status"] == "registered"
    assert event["actor"] == "vclerk" and event["unit"] == county.center(county.villages[0]).name
    assert "accept" in data["actions"]


def test_case_outside_scope_is_404_in_detail_and_absent_from_list(county):
    case = new_case(county, "vclerk")
    api = Api("vclerk_sibling")
    p = assert_problem(api.get(f"/api/v1/cases/{case.code}"), 404)
    assert case.code not in p["detail"]
    assert_problem(api.get("/api/v1/cases/NO-SUCH-CODE"), 404)
    listed = api.get("/api/v1/cases").json()
    assert listed["count"] == 0 and listed["results"] == []


def test_unknown_endpoint_is_a_404_problem(county):
    assert_problem(Api("vclerk").get("/api/v1/nothing/here"), 404)


# ---------------------------------------------------------------- list


def test_list_is_masked_filtered_and_paginated(county):
    for i in range(5):
        new_case(county, "vclerk", title=f"纠纷{i}")
    new_case(county, "tclerk", area=county.grids[1], title="另一村", channel="hotline")
    api = Api("tclerk")  # the town sees both villages

    page1 = api.get("/api/v1/cases", page_size=2).json()
    assert page1["count"] == 6 and len(page1["results"]) == 2
    assert page1["previous"] is None and "page=2" in page1["next"]
    assert page1["results"][0]["parties"][0]["id_number"] == "1101**********002X"
    page3 = api.get("/api/v1/cases", page_size=2, page=3).json()
    assert page3["next"] is None and "page=2" in page3["previous"]
    codes = {c["code"] for p in (page1, page3) for c in p["results"]}
    assert len(codes) == 4

    assert api.get("/api/v1/cases", channel="hotline").json()["count"] == 1
    assert api.get("/api/v1/cases", area=county.villages[1].code).json()["count"] == 1
    assert api.get("/api/v1/cases", q="纠纷3").json()["count"] == 1
    assert api.get("/api/v1/cases", status="accepted").json()["count"] == 0
    assert api.get("/api/v1/cases", category="02").json()["count"] == 6
    assert api.get("/api/v1/cases", date_from=local_day(), date_to=local_day()).json()["count"] == 6
    assert api.get("/api/v1/cases", date_from=local_day(1)).json()["count"] == 0


def test_list_rejects_bad_filters_as_problems(county):
    api = Api("tclerk")
    # Bounds the OpenAPI document declares are checked first (tests/test_api_contract.py).
    p = assert_problem(api.get("/api/v1/cases", page_size=101, status="nope"), 422)
    assert set(p["errors"]) == {"page_size"}
    p = assert_problem(api.get("/api/v1/cases", status="nope", area="x"), 422)
    assert set(p["errors"]) == {"status", "area"}
    p = assert_problem(api.get("/api/v1/cases", date_from="yesterday"), 422)
    assert "date_from" in p["errors"]


# ---------------------------------------------------------------- transitions


def test_legal_transitions_accept_then_route(county):
    case = new_case(county, "vclerk")
    api = Api("vclerk")
    url = f"/api/v1/cases/{case.code}/transitions"
    r = api.post(url, {"action": "accept", "note": "受理"})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "accepted"
    committee = county.units["committee"]
    r = api.post(url, {"action": "route", "unit_id": committee.pk})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "routed"
    assert r.json()["handling_unit"] == {"id": committee.pk, "name": committee.name}
    case.refresh_from_db()
    assert case.status == "routed" and case.owner_unit == committee


def test_illegal_transition_is_409_and_changes_nothing(county):
    case = new_case(county, "vclerk")
    events = TimelineEvent.objects.count()
    r = Api("vclerk").post(f"/api/v1/cases/{case.code}/transitions", {"action": "archive"})
    p = assert_problem(r, 409)
    assert "action" in p["errors"]
    case.refresh_from_db()
    assert case.status == "registered" and TimelineEvent.objects.count() == events


def test_transition_not_allowed_is_403_for_a_visible_case(county):
    case = new_case(county, "grid")
    r = Api("grid").post(f"/api/v1/cases/{case.code}/transitions", {"action": "accept"})
    assert_problem(r, 403)


def test_transition_on_invisible_case_is_404(county):
    case = new_case(county, "vclerk")
    r = Api("vclerk_sibling").post(f"/api/v1/cases/{case.code}/transitions", {"action": "accept"})
    assert_problem(r, 404)


def test_transition_missing_params_is_422(county):
    case = new_case(county, "vclerk")
    api = Api("vclerk")
    url = f"/api/v1/cases/{case.code}/transitions"
    api.post(url, {"action": "accept"})
    p = assert_problem(api.post(url, {"action": "route"}), 422)
    assert "unit_id" in p["errors"]


# ---------------------------------------------------------------- documents


def test_openapi_lists_the_paths(client, db):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    doc = json.loads(r.content)
    assert {
        "/api/v1/auth/token",
        "/api/v1/cases",
        "/api/v1/cases/{code}",
        "/api/v1/cases/{code}/transitions",
    } <= set(doc["paths"])
    assert doc["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


def test_docs_page_uses_no_cdn(client, db):
    r = client.get("/api/v1/docs")
    assert r.status_code == 200
    html = r.content.decode()
    assert "cdn" not in html and "http" not in html
    assert client.get("/api/v1/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/api/v1/docs/assets/../settings.py").status_code == 404


def test_parties_take_ethnic_group_and_occupation(county):
    parties = [
        {"name": "王五", "id_number": VALID_ID, "ethnicity": "03", "occupation": "厨师"},
        {"name": "赵六", "role": "respondent"},
    ]
    r = Api("grid").post("/api/v1/cases", body(county, parties=parties))
    assert r.status_code == 201, r.content
    detail = Api("vclerk").get(f"/api/v1/cases/{r.json()['code']}").json()
    assert [(p["ethnicity"], p["occupation"]) for p in detail["parties"]] == [
        ("03", "厨师"),
        ("", ""),
    ]
    schema = Api("grid").get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert {"ethnicity", "occupation"} <= set(schema["PartyIn"]["properties"])
    assert not {"ethnicity", "occupation"} & set(schema["PartyIn"].get("required", []))


def test_unknown_ethnic_code_is_a_problem_on_its_field(county):
    parties = [{"name": "王五", "ethnicity": "99"}]
    p = assert_problem(Api("grid").post("/api/v1/cases", body(county, parties=parties)), 422)
    assert set(p["errors"]) == {"parties[0].ethnicity"}
    assert not Case.objects.exists()
