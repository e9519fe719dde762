"""Connected systems' keys (api.SystemKey): issued and revoked by an administrator on a page
(the plain key shown once, only its hash stored), accepted by the bearer auth as their service
user, and held to their scope (channels, areas) at every intake endpoint."""

import datetime
import json

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from api.models import SystemKey
from api.services import hash_key, issue_system_key, revoke_system_key
from areas.models import Role, Unit
from cases.models import Case, Channel
from docking.models import Referral
from tests.factories import NOW, VALID_ID, user
from tests.test_api import assert_problem, body


def issue(county, *, username="cclerk", channels=("window",), areas=()):
    plain, key = issue_system_key(
        None,
        name="某系统",
        user=county.users[username],
        channels=list(channels),
        areas=list(areas),
        now=NOW,
    )
    return plain, key


def post(plain: str, url: str, data: dict):
    return Client().post(
        url, json.dumps(data), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {plain}"
    )


def admin(county):
    u = get_user_model().objects.create_superuser("root", password="x")
    client = Client()
    client.force_login(u)
    return client


# ---------------------------------------------------------------- the key and the auth


def test_a_key_is_stored_hashed_and_acts_as_its_service_user(county):
    plain, key = issue(county)
    assert plain.startswith("jfk_") and plain not in (key.key_hash, key.prefix)
    assert key.key_hash == hash_key(plain) and plain.startswith(key.prefix)
    r = Client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {plain}")
    assert r.status_code == 200
    key.refresh_from_db()
    assert key.last_used_at == NOW
    # The case the key registers is the service user's, as if the user had sent it.
    r = post(plain, "/api/v1/cases", body(county, channel="window"))
    assert r.status_code == 201, r.content
    assert Case.objects.get(code=r.json()["code"]).reporter == county.users["cclerk"]


def test_last_used_is_written_rarely(county):
    plain, key = issue(county)
    SystemKey.objects.filter(pk=key.pk).update(last_used_at=NOW - datetime.timedelta(minutes=1))
    Client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {plain}")
    key.refresh_from_db()
    assert key.last_used_at == NOW - datetime.timedelta(minutes=1)


def test_a_revoked_key_is_refused_at_once(county):
    plain, key = issue(county)
    assert Client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 200
    revoke_system_key(get_user_model().objects.create_superuser("root", password="x"), key, NOW)
    assert_problem(Client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {plain}"), 401)
    assert_problem(post(plain, "/api/v1/cases", body(county, channel="window")), 401)
    assert not Case.objects.exists()


def test_an_unknown_key_and_an_inactive_service_user_are_refused(county):
    plain, _key = issue(county)
    assert_problem(Client().get("/api/v1/cases", HTTP_AUTHORIZATION="Bearer jfk_nope"), 401)
    county.users["cclerk"].is_active = False
    county.users["cclerk"].save()
    assert_problem(Client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {plain}"), 401)


def test_issuing_needs_a_name_a_channel_and_a_service_user_with_a_unit(county):
    lonely = get_user_model().objects.create_user("lonely", password="x")
    with pytest.raises(Exception) as refused:
        issue_system_key(None, name=" ", user=lonely, channels=[], areas=[], now=NOW)
    assert set(refused.value.field_errors) == {"name", "user", "channels"}
    assert not SystemKey.objects.exists()


# ---------------------------------------------------------------- scope at intake


def test_post_cases_is_held_to_the_keys_channels(county):
    plain, _key = issue(county, channels=["window"])
    p = assert_problem(post(plain, "/api/v1/cases", body(county, channel="grid_app")), 403)
    assert list(p["errors"]) == ["channel"]
    assert not Case.objects.exists()
    assert post(plain, "/api/v1/cases", body(county, channel="window")).status_code == 201


def test_post_cases_is_held_to_the_keys_areas(county):
    plain, _key = issue(county, areas=[county.towns[0]])
    outside = body(county, channel="window", area_code=county.villages[2].code)
    p = assert_problem(post(plain, "/api/v1/cases", outside), 403)
    assert list(p["errors"]) == ["area_code"]
    assert not Case.objects.exists()
    # Below the allowed town: accepted (a subtree).
    inside = body(county, channel="window", area_code=county.grids[1].code)
    assert post(plain, "/api/v1/cases", inside).status_code == 201


def test_a_users_own_token_has_no_key_scope(county):
    from tests.test_api import Api

    assert Api("cclerk").post("/api/v1/cases", body(county, channel="upper")).status_code == 201


def test_docking_pushes_are_held_to_the_key_scope(county):
    plain, _key = issue(county, username="liaison", channels=["court"], areas=[county.towns[0]])
    item = {
        "external_ref": "（2026）湘0121民诉前调9号",
        "title": "买卖合同纠纷",
        "description": "货款未付。",
        "category_code": "0201",
        "parties": [{"name": "张三", "id_number": VALID_ID}],
    }
    # The second item's area is outside the key's town: the whole batch is refused.
    other = {**item, "external_ref": "10号", "area_code": county.villages[2].code}
    batch = {"items": [{**item, "area_code": county.villages[0].code}, other]}
    p = assert_problem(post(plain, "/api/v1/court/referrals", batch), 403)
    assert list(p["errors"]) == ["items[1].area_code"]
    # Blank area: the court's own (the county), outside the town too.
    p = assert_problem(post(plain, "/api/v1/court/referrals", {"items": [item]}), 403)
    assert list(p["errors"]) == ["items[0].area_code"]
    assert not Referral.objects.exists() and not Case.objects.exists()
    r = post(plain, "/api/v1/court/referrals", {"items": [batch["items"][0]]})
    assert r.status_code == 200 and r.json()["created"] == 1
    # A key of the court channel cannot push on the police one.
    station = Unit.objects.create(name="派出所", kind="police", area=county.towns[0])
    user("police", station, Role.HANDLER)
    plain2, _ = issue_system_key(
        None, name="警务", user=county.users["liaison"], channels=["court"], areas=[], now=NOW
    )
    p = assert_problem(post(plain2, "/api/v1/police/referrals", {"items": [item]}), 403)
    assert list(p["errors"]) == ["channel"]


# ---------------------------------------------------------------- the pages


def test_an_administrator_issues_a_key_and_sees_it_once(county):
    client = admin(county)
    assert client.get("/manage/keys/").status_code == 200
    r = client.post(
        "/manage/keys/new/",
        {
            "name": "12345 热线平台",
            "user": county.users["cclerk"].pk,
            "channels": ["hotline", "online"],
            "areas": [county.towns[0].pk],
        },
    )
    assert r.status_code == 200, r.content.decode()
    key = SystemKey.objects.get()
    plain = r.context["plain"]
    assert plain in r.content.decode() and key.key_hash == hash_key(plain)
    assert r["Cache-Control"] == "no-store"
    assert sorted(key.channels) == [Channel.HOTLINE, Channel.ONLINE]
    assert list(key.areas.all()) == [county.towns[0]]
    listing = client.get("/manage/keys/").content.decode()
    assert "12345 热线平台" in listing and plain not in listing and key.prefix in listing
    client.post(f"/manage/keys/{key.pk}/revoke/")
    key.refresh_from_db()
    assert key.revoked_at == NOW


def test_the_form_names_what_is_missing_and_writes_nothing(county):
    r = admin(county).post("/manage/keys/new/", {"name": "", "channels": []})
    assert r.status_code == 422
    assert {"name", "user", "channels"} <= set(r.context["form"].errors)
    assert not SystemKey.objects.exists()


def test_the_key_pages_are_for_administrators_only(county):
    _plain, key = issue(county)
    client = Client()
    client.force_login(county.users["cclerk"])
    assert client.get("/manage/keys/").status_code == 404
    assert client.post("/manage/keys/new/", {"name": "x"}).status_code == 404
    assert client.post(f"/manage/keys/{key.pk}/revoke/").status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None and SystemKey.objects.count() == 1
