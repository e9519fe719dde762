"""Login throttling (django-axes): 50 wrong passwords, then the right one, is refused on the
login page and on POST /api/v1/auth/token, per user name and per client address, until the
lockout window has passed; every attempt is recorded."""

import datetime

from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth import SESSION_KEY

from tests.factories import PASSWORD

WRONG = "not-the-password"


def post_login(client, username, password, addr="10.1.1.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=addr)


def post_token(client, username, password, addr="10.1.1.1"):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=addr,
    )


def let_lockout_pass(minutes: int = 16) -> None:
    """Axes counts by the wall clock: move the recorded failures back past the window."""
    earlier = datetime.timedelta(minutes=minutes)
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= earlier
        attempt.save(update_fields=["attempt_time"])


def test_fifty_wrong_then_right_on_the_login_page_is_refused(client, county, settings):
    for _ in range(50):
        response = post_login(client, "vclerk", WRONG)
    assert response.status_code == 429
    response = post_login(client, "vclerk", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录失败次数过多" in page and "15 分钟" in page
    assert response["Retry-After"] == "900"
    assert SESSION_KEY not in client.session
    # Every failure is on record, with the address and the user name.
    assert AccessFailureLog.objects.filter(username="vclerk", ip_address="10.1.1.1").count() >= 5
    let_lockout_pass()
    response = post_login(client, "vclerk", PASSWORD)
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == county.users["vclerk"].pk


def test_the_limit_holds_below_it(client, county):
    for _ in range(4):
        assert post_login(client, "vclerk", WRONG).status_code == 200
    assert post_login(client, "vclerk", PASSWORD).status_code == 302


def test_a_user_name_is_locked_from_every_address(client, county):
    for i in range(5):
        post_login(client, "vclerk", WRONG, addr=f"10.2.0.{i}")
    assert post_login(client, "vclerk", PASSWORD, addr="10.9.9.9").status_code == 429


def test_an_address_is_locked_for_every_user_name(client, county):
    for name in ["a1", "a2", "a3", "a4", "a5"]:
        post_login(client, name, WRONG, addr="10.3.3.3")
    assert post_login(client, "cclerk", PASSWORD, addr="10.3.3.3").status_code == 429
    # Another address is not affected.
    assert post_login(client, "cclerk", PASSWORD, addr="10.3.3.4").status_code == 302


def test_fifty_wrong_then_right_on_the_api_is_a_429_problem(client, county):
    for _ in range(50):
        response = post_token(client, "vclerk", WRONG)
    assert response.status_code == 429
    response = post_token(client, "vclerk", PASSWORD)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert response["Retry-After"] == "900"
    body = response.json()
    assert body["status"] == 429
    assert body["type"] == "urn:jiefen:problem:too_many_attempts"
    assert "登录失败次数过多" in body["detail"]
    assert "token" not in body
    let_lockout_pass()
    response = post_token(client, "vclerk", PASSWORD)
    assert response.status_code == 200 and response.json()["token"]


def test_the_page_and_the_api_share_the_count(client, county):
    for _ in range(3):
        post_login(client, "vclerk", WRONG)
    for _ in range(2):
        post_token(client, "vclerk", WRONG)
    assert post_token(client, "vclerk", PASSWORD).status_code == 429
