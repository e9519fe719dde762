"""Open311 GeoReport v2 under /open311/v2/: one test per endpoint against the specification's
field list, the POST with good, revoked and out-of-scope keys and missing fields (the error
names the field, nothing is written), and the GET filters."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from api.services import issue_system_key, revoke_system_key
from areas.models import Area
from cases.models import Case, Category, Party, TimelineEvent
from cases.services import perform_transition
from cases.workflow import Status
from jiefen.localtime import LOCAL_TZ
from portal.plain import plain_status
from tests.factories import NOW, VALID_ID, new_case

BASE = "/open311/v2"
SERVICE_FIELDS = {
    "service_code", "service_name", "description", "metadata", "type", "keywords", "group",
}  # fmt: skip
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
    "media_url",
}  # fmt: skip


@pytest.fixture
def key(county):
    """A FixMyStreet-like tool's key: channel online, the first town; acting as the county
    center's clerk."""
    plain, _row = issue_system_key(
        None,
        name="随手拍",
        user=county.users["cclerk"],
        channels=["online"],
        areas=[county.towns[0]],
        now=NOW,
    )
    return plain


def report(key: str, county, **overrides) -> dict:
    data = {
        "api_key": key,
        "service_code": "0201",
        "description": "楼上漏水到我家，协商不成。联系电话13800138000。",
        "address_id": county.villages[0].code,
        "lat": "28.19431",
        "long": "113.08214",
        "first_name": "三",
        "last_name": "张",
        "phone": "13800138000",
        "email": "zhang@example.com",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post(data: dict):
    return Client().post(f"{BASE}/requests.json", data)


def assert_error(r, status: int, field: str) -> str:
    assert r.status_code == status, r.content.decode()
    assert r["Content-Type"] == "application/json"
    body = r.json()
    assert isinstance(body, list) and len(body) == 1 and set(body[0]) == {"code", "description"}
    assert body[0]["code"] == status
    assert body[0]["description"].startswith(f"{field}: "), body[0]["description"]
    return body[0]["description"]


def nothing_written(before: int):
    assert Case.objects.count() == before
    assert not Party.objects.filter(name="张三", case__channel="online").exists()


# ---------------------------------------------------------------- discovery and services


def test_discovery_names_the_v2_endpoint_in_json(county):
    r = Client().get(f"{BASE}/discovery.json")
    assert r.status_code == 200
    data = r.json()
    assert set(data) == {"changeset", "contact", "key_service", "endpoints"}
    [endpoint] = data["endpoints"]
    assert set(endpoint) == {"specification", "url", "changeset", "type", "formats"}
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    assert endpoint["formats"] == ["application/json"]


def test_services_are_the_active_categories_grouped_by_major(county):
    Category.objects.filter(code="0202").update(is_active=False)
    r = Client().get(f"{BASE}/services.json")
    assert r.status_code == 200
    assert r["Cache-Control"] == "public, max-age=60"
    services = {s["service_code"]: s for s in r.json()}
    assert all(set(s) == SERVICE_FIELDS for s in services.values())
    minor = Category.objects.get(code="0201")
    assert services["0201"] == {
        "service_code": "0201",
        "service_name": minor.name,
        "description": f"{minor.parent.name} · {minor.name}",
        "metadata": False,
        "type": "realtime",
        "keywords": services["0201"]["keywords"],
        "group": minor.parent.name,
    }
    assert minor.parent.name in services["0201"]["keywords"].split(",")
    assert services["02"]["group"] == minor.parent.name
    assert "0202" not in services
    assert len(services) == Category.objects.filter(is_active=True).count()


def test_a_service_definition_has_no_attributes(county):
    r = Client().get(f"{BASE}/services/0201.json")
    assert r.status_code == 200
    assert r.json() == {"service_code": "0201", "attributes": []}
    assert_error(Client().get(f"{BASE}/services/9999.json"), 404, "service_code")


# ---------------------------------------------------------------- POST requests


def test_post_registers_a_case_through_intake(county, key):
    r = post(report(key, county))
    assert r.status_code == 200, r.content.decode()
    [created] = r.json()
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    assert created["account_id"] is None
    case = Case.objects.get(code=created["service_request_id"])
    assert case.channel == "online"
    assert case.area == county.villages[0]
    # Received by the center of the place, registered by the key's service user.
    assert case.owner_unit == county.center(county.villages[0])
    assert case.reporter == county.users["cclerk"]
    assert case.category.code == "0201"
    assert case.location == "28.19431,113.08214"
    [party] = case.parties.all()
    assert (party.name, party.phone) == ("张三", "13800138000")
    assert case.code in created["service_notice"]
    assert f"/c/{case.code}" in created["service_notice"]
    event = TimelineEvent.objects.get(case=case)
    assert event.kind == "registered" and "随手拍" in event.note
    assert (event.data["system"], event.data["interface"]) == ("随手拍", "open311")


def test_post_finds_the_area_named_in_the_address(county, key):
    village = county.villages[1]
    r = post(report(key, county, address_id="", address_string=f"{village.name}三组12号"))
    assert r.status_code == 200, r.content.decode()
    case = Case.objects.get(code=r.json()[0]["service_request_id"])
    assert case.area == village and case.address == f"{village.name}三组12号"


def test_an_unplaceable_address_is_refused_unless_the_key_has_one_area(county, key):
    anywhere, _row = issue_system_key(
        None, name="全县", user=county.users["cclerk"], channels=["online"], areas=[], now=NOW
    )
    before = Case.objects.count()
    assert_error(
        post(report(anywhere, county, address_id="", address_string="火星")), 400, "address_id"
    )
    assert_error(post(report(anywhere, county, address_id="")), 400, "address_id")
    nothing_written(before)
    # The tool's key covers one town: an address naming none of its areas goes to the town.
    r = post(report(key, county, address_id="", address_string="火星"))
    assert Case.objects.get(code=r.json()[0]["service_request_id"]).area == county.towns[0]


def test_post_with_a_revoked_key_is_refused(county, key):
    from api.models import SystemKey

    root = get_user_model().objects.create_superuser("root", password="x")
    revoke_system_key(root, SystemKey.objects.get(), NOW)
    before = Case.objects.count()
    assert_error(post(report(key, county)), 403, "api_key")
    assert_error(post(report("", county)), 403, "api_key")
    nothing_written(before)


def test_post_outside_the_keys_area_or_channel_is_refused(county, key):
    before = Case.objects.count()
    outside = county.villages[2].code  # the second town's
    assert_error(post(report(key, county, address_id=outside)), 403, "address_id")
    nothing_written(before)
    hotline_only, _row = issue_system_key(
        None, name="热线", user=county.users["cclerk"], channels=["hotline"], areas=[], now=NOW
    )
    assert_error(post(report(hotline_only, county)), 403, "api_key")
    nothing_written(before)


@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        ({"service_code": None}, 400, "service_code"),
        ({"service_code": "9999"}, 400, "service_code"),
        ({"description": ""}, 400, "description"),
        ({"first_name": "", "last_name": ""}, 400, "first_name"),
        ({"phone": "1380013"}, 400, "phone"),
        ({"address_id": "999999999999"}, 400, "address_id"),
        ({"service_code": "0" * 50}, 400, "service_code"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(county, key, overrides, status, field):
    before = Case.objects.count()
    assert_error(post(report(key, county, **overrides)), status, field)
    nothing_written(before)


# ---------------------------------------------------------------- GET requests


def test_a_request_by_its_code_shows_public_fields_only(county, key):
    code = post(report(key, county)).json()[0]["service_request_id"]
    r = Client().get(f"{BASE}/requests/{code}.json")
    assert r.status_code == 200
    assert r["Cache-Control"] == "public, max-age=60"
    [item] = r.json()
    assert set(item) == REQUEST_FIELDS
    text = r.content.decode()
    for secret in ("张三", "13800138000", "zhang@example.com", "漏水", VALID_ID):
        assert secret not in text
    case = Case.objects.get(code=code)
    assert item["service_request_id"] == code
    assert item["status"] == "open"
    assert item["status_notes"] == str(plain_status(Status.REGISTERED))
    assert item["service_code"] == "0201" and item["service_name"] == case.category.name
    assert item["description"] is None and item["media_url"] is None
    assert item["address"] == county.villages[0].name
    assert item["address_id"] == county.villages[0].code
    assert (item["lat"], item["long"]) == (28.19431, 113.08214)
    assert item["agency_responsible"] == case.owner_unit.name
    assert item["requested_datetime"] == case.created_at.astimezone(LOCAL_TZ).isoformat()
    assert item["requested_datetime"].endswith("+08:00")
    assert item["expected_datetime"] is None or item["expected_datetime"].endswith("+08:00")
    assert_error(Client().get(f"{BASE}/requests/NOPE-1.json"), 404, "service_request_id")


def test_the_request_list_filters(county, key):
    open_case = new_case(county, "vclerk")
    old = new_case(county, "vclerk", now=NOW - datetime.timedelta(days=120))
    closed = new_case(county, "vclerk", category_code="0601")
    perform_transition(closed, "reject", county.users["vclerk"], NOW, note="不属于受理范围")
    client = Client()

    def codes(**params) -> list[str]:
        r = client.get(f"{BASE}/requests.json", params)
        assert r.status_code == 200, r.content.decode()
        assert all(set(i) == REQUEST_FIELDS for i in r.json())
        return [i["service_request_id"] for i in r.json()]

    # Default: the last 90 days, newest first.
    assert set(codes()) == {open_case.code, closed.code}
    assert old.code not in codes()
    assert codes(start_date="2026-01-01T00:00:00+08:00") == [
        c.code for c in Case.objects.order_by("-created_at", "-pk")
    ]
    assert codes(status="open") == [open_case.code]
    assert codes(status="closed") == [closed.code]
    assert set(codes(status="open,closed")) == {open_case.code, closed.code}
    assert codes(service_code="06") == [closed.code]
    assert codes(service_code="0601") == [closed.code]
    assert codes(service_request_id=f"{old.code},{closed.code}") == sorted(
        [old.code, closed.code], key=lambda c: -Case.objects.get(code=c).created_at.timestamp()
    )
    end = (NOW - datetime.timedelta(days=100)).isoformat()
    assert codes(end_date=end) == [old.code]
    closed_item = client.get(f"{BASE}/requests/{closed.code}.json").json()[0]
    assert closed_item["status"] == "closed" and closed_item["expected_datetime"] is None
    assert_error(client.get(f"{BASE}/requests.json", {"status": "pending"}), 400, "status")
    assert_error(
        client.get(f"{BASE}/requests.json", {"start_date": "yesterday"}), 400, "start_date"
    )
    assert_error(
        client.get(
            f"{BASE}/requests.json",
            {"start_date": "2026-11-01T00:00:00Z", "end_date": "2026-10-01T00:00:00Z"},
        ),
        400,
        "start_date",
    )


def test_the_public_endpoints_are_read_only(county, key):
    code = post(report(key, county)).json()[0]["service_request_id"]
    before = (Case.objects.count(), TimelineEvent.objects.count())
    client = Client()
    for url in ("discovery.json", "services.json", "services/0201.json", "requests.json",
                f"requests/{code}.json"):  # fmt: skip
        assert client.get(f"{BASE}/{url}").status_code == 200
        assert client.post(f"{BASE}/{url}", {}).status_code in {403, 405}
    assert (Case.objects.count(), TimelineEvent.objects.count()) == before


def test_an_unknown_path_answers_in_the_error_format(county):
    r = Client().get(f"{BASE}/tokens.json")
    assert r.status_code == 404 and r.json()[0]["code"] == 404


def test_the_document_covers_the_endpoints_and_is_linked_from_the_api_docs(county):
    doc = Client().get(f"{BASE}/openapi.json").json()
    assert set(doc["paths"]) == {
        f"{BASE}/discovery.json",
        f"{BASE}/services.json",
        f"{BASE}/services/{{service_code}}.json",
        f"{BASE}/requests.json",
        f"{BASE}/requests/{{service_request_id}}.json",
    }
    post_responses = doc["paths"][f"{BASE}/requests.json"]["post"]["responses"]
    assert {"200", "400", "403", "404"} <= set(post_responses)
    main = Client().get("/api/v1/openapi.json").json()
    assert "/open311/v2/docs" in main["info"]["description"]
    assert Client().get(f"{BASE}/docs").status_code == 200


def test_the_demo_has_a_working_key(db):
    import io

    from django.core.management import call_command

    from api.demo import DEMO_KEY
    from areas.models import Level

    call_command(
        "seed_demo", "--cases", "20", "--seed", "3", "--now", NOW.isoformat(), stdout=io.StringIO()
    )
    village = Area.objects.filter(level=Level.VILLAGE).order_by("code").first()
    r = post(
        {
            "api_key": DEMO_KEY,
            "service_code": "0201",
            "description": "邻居装修噪音扰民。",
            "address_id": village.code,
            "first_name": "三",
            "last_name": "张",
        }
    )
    assert r.status_code == 200, r.content.decode()
    case = Case.objects.get(code=r.json()[0]["service_request_id"])
    assert case.channel == "online" and case.area == village
