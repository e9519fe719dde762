"""Webhooks (issue 17): a real HTTP receiver on the loopback interface, in a thread of the test,
checks the signature of every delivery, records their order and fails when told to."""

import datetime
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases.services import perform_transition
from jiefen import clock
from jiefen.errors import InvalidInput
from notifications.models import Kind, Notification
from repeats.services import merge_case
from routing.sweep import sweep
from tests.factories import NOW, build_county, court_batch, new_case
from tests.test_docking import Api as DockingApi
from tests.test_docking import settle
from webhooks import tasks
from webhooks.models import DeliveryStatus, Subscriber, SubscriberStatus, WebhookDelivery
from webhooks.safety import check_url
from webhooks.services import BACKOFF, MAX_ATTEMPTS, deliver_due, publish

MINUTE = datetime.timedelta(minutes=1)
SECRET = "s3cret-for-tests"


class Receiver:
    """POSTs to http://127.0.0.1:<port>/hook: each is recorded with whether its signature is
    right; the first `fail` answers are 500 (or every answer while `always_fail`)."""

    def __init__(self, fail: int = 0, always_fail: bool = False):
        self.fail, self.always_fail = fail, always_fail
        self.requests: list[dict] = []  # every request, answered or not
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    failing = receiver.always_fail or receiver.fail > 0
                    receiver.fail -= 1
                    receiver.requests.append(
                        {
                            "body": json.loads(raw),
                            "signed": verify(self.headers["X-Jiefen-Signature"], raw),
                            "topic": self.headers["X-Jiefen-Topic"],
                            "delivery": self.headers["X-Jiefen-Delivery"],
                            "path": self.path,
                            "answered": 500 if failing else 200,
                        }
                    )
                self.send_response(500 if failing else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def delivered(self) -> list[tuple[str, str]]:
        """(case code, topic) of the deliveries answered 200, in the order they came."""
        return [
            (r["body"]["case"]["code"] if r["body"]["case"] else None, r["topic"])
            for r in self.requests
            if r["answered"] == 200
        ]


def verify(header: str, raw: bytes) -> bool:
    """What a receiver does (README "Integrations")."""
    parts = dict(p.split("=", 1) for p in header.split(","))
    expected = hmac.new(SECRET.encode(), f"{parts['t']}.".encode() + raw, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), parts["v1"])


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture
def admin(db):
    return get_user_model().objects.create_superuser("webadmin", password="pw-for-tests-1")


def subscriber(url: str, topics, owner=None, **kw) -> Subscriber:
    return Subscriber.objects.create(
        name="接收端",
        url=url,
        secret=SECRET,
        topics=list(topics),
        owner=owner,
        allow_private_network=True,
        created_at=NOW,
        **kw,
    )


def run_at(at: datetime.datetime):
    """The background's run at `at`: the pinned clock moved there."""
    with clock.pinned(at):
        return deliver_due(clock.now())


def test_retries_with_backoff_keep_the_order_per_case_and_sign_every_delivery(
    county, receiver, admin
):
    receiver.fail = 2
    sub = subscriber(receiver.url, ["case.registered", "case.accepted"], owner=admin)
    a = new_case(county)
    perform_transition(a, "accept", county.users["vclerk"], NOW)
    b = new_case(county)
    assert WebhookDelivery.objects.filter(subscriber=sub).count() == 3

    # A's registration fails, so A's acceptance waits; B's registration fails on its own.
    run = run_at(NOW)
    assert (run.sent, len(run.failed)) == (0, 2)
    a_registered = WebhookDelivery.objects.get(case=a, topic="case.registered")
    assert a_registered.status == DeliveryStatus.FAILED
    assert (a_registered.attempts, a_registered.last_response_code) == (1, 500)
    assert a_registered.next_attempt_at == NOW + BACKOFF[0]
    assert "500" in a_registered.last_error
    assert [r["topic"] for r in receiver.requests] == ["case.registered", "case.registered"]

    # Not before the backoff has passed.
    assert run_at(NOW + BACKOFF[0] - datetime.timedelta(seconds=1)).sent == 0
    assert len(receiver.requests) == 2

    # Then A's registration, B's, and A's acceptance once its registration is through.
    run = run_at(NOW + BACKOFF[0])
    assert run.sent == 3 and run.failed == []
    assert receiver.delivered() == [
        (a.code, "case.registered"),
        (b.code, "case.registered"),
        (a.code, "case.accepted"),
    ]
    assert all(r["signed"] for r in receiver.requests)
    assert all(r["path"] == "/hook" for r in receiver.requests)
    body = receiver.requests[-1]["body"]
    assert set(body) == {"id", "topic", "occurred_at", "case", "data"}
    assert body["case"] == {"code": a.code, "status": "accepted"}
    assert body["data"]["event"] == "accept" and body["data"]["to_status"] == "accepted"
    assert body["id"] == int(receiver.requests[-1]["delivery"])
    assert datetime.datetime.fromisoformat(body["occurred_at"]) == NOW

    a_registered.refresh_from_db()
    assert (a_registered.status, a_registered.attempts) == (DeliveryStatus.SENT, 2)
    assert a_registered.sent_at == NOW + BACKOFF[0] and a_registered.last_error == ""
    sub.refresh_from_db()
    assert sub.consecutive_failures == 0 and sub.status == SubscriberStatus.ACTIVE
    assert run_at(NOW + 60 * MINUTE).sent == 0  # each once

    # The delivery log shows the rows with their response code and attempts.
    client = Client()
    client.force_login(admin)
    page = client.get(f"/webhooks/manage/{sub.pk}/deliveries/").content.decode()
    assert page.count("已送达") >= 3 and SECRET in page and "200" in page


def test_a_delivery_is_retried_on_the_backoff_schedule_then_given_up(county, receiver, settings):
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 100
    receiver.always_fail = True
    subscriber(receiver.url, ["case.registered"])
    case = new_case(county)
    at = NOW
    for attempt, wait in enumerate(BACKOFF, start=1):
        run_at(at)
        d = WebhookDelivery.objects.get(case=case)
        assert (d.status, d.attempts) == (DeliveryStatus.FAILED, attempt)
        assert d.next_attempt_at == at + wait
        at += wait
    run_at(at)
    d = WebhookDelivery.objects.get(case=case)
    assert (d.status, d.attempts) == (DeliveryStatus.DEAD, MAX_ATTEMPTS)
    assert run_at(at + datetime.timedelta(days=2)).failed == []  # given up: no more tries
    assert len(receiver.requests) == MAX_ATTEMPTS


def test_a_subscriber_that_keeps_failing_is_paused_its_owner_told_and_resumed(
    county, receiver, admin, settings
):
    settings.WEBHOOK_PAUSE_AFTER_FAILURES = 3
    receiver.always_fail = True
    owner = county.users["cclerk"]
    sub = subscriber(receiver.url, ["case.registered"], owner=owner)
    cases = [new_case(county) for _ in range(4)]
    run = run_at(NOW)
    assert run.paused == [sub.pk] and len(receiver.requests) == 3  # the fourth is not tried
    sub.refresh_from_db()
    assert sub.status == SubscriberStatus.PAUSED and sub.paused_at == NOW
    notice = Notification.objects.get(recipient=owner, kind=Kind.WEBHOOK)
    assert sub.name in notice.title and notice.url == f"/webhooks/manage/{sub.pk}/deliveries/"
    # Paused: no new deliveries are written for it, and nothing is sent.
    new_case(county)
    assert WebhookDelivery.objects.filter(subscriber=sub).count() == 4
    assert run_at(NOW + datetime.timedelta(hours=1)).failed == []

    # The administrator resumes it once the receiver works: what waited goes out, in order.
    receiver.always_fail = False
    client = Client()
    client.force_login(admin)
    r = client.post(f"/webhooks/manage/{sub.pk}/status/", {"action": "resume"})
    assert r.status_code == 302
    sub.refresh_from_db()
    assert sub.status == SubscriberStatus.ACTIVE and sub.consecutive_failures == 0
    assert run_at(NOW + 2 * MINUTE).sent == 4
    assert [code for code, _t in receiver.delivered()] == [c.code for c in cases]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hook",
        "http://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data",
        "http://[::1]:8000/hook",
        "http://localhost:8000/hook",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://[::ffff:127.0.0.1]/",
    ],
)
def test_addresses_of_this_machine_or_a_private_network_are_refused(url):
    with pytest.raises(InvalidInput) as refused:
        check_url(url, allow_private_network=False)
    assert "私有网络" in refused.value.field_errors["url"]
    check_url(url, allow_private_network=True)  # an administrator's explicit permission


@pytest.mark.parametrize("url", ["ftp://example.org/x", "file:///etc/passwd", "gopher://x", "/x"])
def test_only_http_addresses_are_accepted(url):
    with pytest.raises(InvalidInput):
        check_url(url, allow_private_network=True)


def test_the_form_refuses_a_private_address_without_the_permission(county, admin, receiver):
    client = Client()
    client.force_login(admin)
    data = {"name": "内网系统", "url": "http://127.0.0.1:8000/hook", "topics": ["case.closed"]}
    r = client.post("/webhooks/manage/new/", data)
    assert r.status_code == 422
    page = r.content.decode()
    assert "127.0.0.1" in page and "私有网络" in page
    assert not Subscriber.objects.exists()
    # No event chosen is refused too.
    r = client.post("/webhooks/manage/new/", {**data, "topics": [], "allow_private_network": "on"})
    assert r.status_code == 422 and not Subscriber.objects.exists()
    # With the explicit permission it is saved, its secret made and shown.
    r = client.post("/webhooks/manage/new/", {**data, "allow_private_network": "on"})
    sub = Subscriber.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/webhooks/manage/{sub.pk}/deliveries/"
    assert sub.owner == admin and sub.topics == ["case.closed"] and len(sub.secret) == 64
    assert sub.secret in client.get(r["Location"]).content.decode()
    # The list shows it; another administrator's page edits it.
    assert "内网系统" in client.get("/webhooks/manage/").content.decode()
    r = client.post(
        f"/webhooks/manage/{sub.pk}/",
        {**data, "url": receiver.url, "topics": ["case.closed", "case.merged"],
         "allow_private_network": "on", "area": county.towns[0].pk},
    )  # fmt: skip
    assert r.status_code == 302, r.content.decode()
    sub.refresh_from_db()
    assert sub.topics == ["case.closed", "case.merged"] and sub.area == county.towns[0]


def test_the_address_is_checked_again_when_sending(county, receiver):
    """A name that resolves to this machine (its DNS answer changed since it was saved)."""
    sub = subscriber(receiver.url.replace("127.0.0.1", "localhost"), ["case.registered"])
    Subscriber.objects.filter(pk=sub.pk).update(allow_private_network=False)
    new_case(county)
    run = run_at(NOW)
    assert run.sent == 0 and len(run.failed) == 1 and receiver.requests == []
    d = WebhookDelivery.objects.get()
    assert d.status == DeliveryStatus.FAILED and "私有网络" in d.last_error
    assert d.last_response_code is None


def test_redirects_are_not_followed(county, receiver):
    class Redirect(BaseHTTPRequestHandler):
        def do_POST(self):
            self.send_response(302)
            self.send_header("Location", receiver.url)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        subscriber(f"http://127.0.0.1:{server.server_address[1]}/", ["case.registered"])
        new_case(county)
        run_at(NOW)
    finally:
        server.shutdown()
        server.server_close()
    d = WebhookDelivery.objects.get()
    assert d.status == DeliveryStatus.FAILED and d.last_response_code == 302
    assert receiver.requests == []


def test_scope_by_area_subtree_and_by_unit(county, receiver):
    town = subscriber(receiver.url, ["case.registered"], area=county.towns[0])
    unit = subscriber(receiver.url, ["case.registered"], unit=county.center(county.county))
    everything = subscriber(receiver.url, ["case.registered"])
    in_town = new_case(county, area=county.grids[0])
    elsewhere = new_case(county, actor_key="cclerk", area=county.villages[2])

    def cases_of(sub):
        return set(WebhookDelivery.objects.filter(subscriber=sub).values_list("case", flat=True))

    assert elsewhere.owner_unit == county.center(county.county) != in_town.owner_unit
    assert cases_of(town) == {in_town.pk}
    assert cases_of(unit) == {elsewhere.pk}
    assert cases_of(everything) == {in_town.pk, elsewhere.pk}


def test_each_built_in_topic_is_published(county, receiver):
    sub = subscriber(
        receiver.url,
        ["case.registered", "case.accepted", "case.routed", "case.escalated",
         "case.resolved", "case.closed", "case.merged"],
    )  # fmt: skip
    resolved = new_case(county, actor_key="cclerk", area=county.county)
    settle(county, resolved, "resolve", NOW)
    closed = new_case(county, actor_key="cclerk", area=county.county)
    settle(county, closed, "terminate", NOW)
    repeat = new_case(county)
    main = new_case(county)
    merge_case(repeat, main, county.users["vclerk"], "同一纠纷", NOW)
    # The sweep's escalation: a grid case left alone beyond its grid's time.
    from clocks.models import EscalationPolicy, PolicyArea

    PolicyArea.objects.create(
        policy=EscalationPolicy.objects.get(name="巫山时限制"), area=county.county
    )
    escalated = new_case(county, actor_key="grid")
    assert sweep(NOW + datetime.timedelta(days=10)).escalated >= 1

    def topics_of(case):
        return list(
            WebhookDelivery.objects.filter(subscriber=sub, case=case)
            .order_by("pk")
            .values_list("topic", flat=True)
        )

    assert topics_of(resolved) == [
        "case.registered", "case.accepted", "case.routed", "case.resolved",
    ]  # fmt: skip
    assert topics_of(closed)[-1] == "case.closed"
    assert topics_of(repeat) == ["case.registered", "case.merged"]
    assert (
        WebhookDelivery.objects.get(case=repeat, topic="case.merged").body["data"]["main_case"]
        == main.code
    )
    assert "case.escalated" in topics_of(escalated)
    run = run_at(NOW + datetime.timedelta(days=10))
    assert run.failed == [] and run.sent == WebhookDelivery.objects.count()


def test_resend_makes_a_new_delivery_with_the_same_content(county, receiver, admin):
    sub = subscriber(receiver.url, ["case.registered"])
    new_case(county)
    run_at(NOW)
    first = WebhookDelivery.objects.get()
    client = Client()
    client.force_login(admin)
    r = client.post(f"/webhooks/manage/{sub.pk}/deliveries/{first.pk}/resend/")
    assert r.status_code == 302
    again = WebhookDelivery.objects.exclude(pk=first.pk).get()
    assert again.status == DeliveryStatus.PENDING and again.body == first.body
    assert run_at(NOW + MINUTE).sent == 1
    one, two = receiver.requests
    assert one["body"]["data"] == two["body"]["data"] and two["body"]["id"] == again.pk
    # A delivery of another subscriber is not found under this one.
    other = subscriber(receiver.url, ["case.closed"])
    assert (
        client.post(f"/webhooks/manage/{other.pk}/deliveries/{first.pk}/resend/").status_code == 404
    )


def test_a_court_is_pushed_its_referrals_outcome(county, receiver):
    court = county.units["court"]
    sub = subscriber(receiver.url, ["referral.outcome"], unit=court)
    case = court_batch(county, 1, area=county.county)[0]
    settle(county, case, "resolve", NOW)
    run_at(NOW)
    (request,) = receiver.requests
    assert request["signed"] and request["topic"] == "referral.outcome"
    data = request["body"]["data"]
    assert data["external_ref"] == case.referral.external_ref
    assert data["outcome"] == "mediated" and data["referring_unit"] == court.name
    assert data["case_code"] == case.code and data["outcome_at"]
    # Reopened: the court is told it is in progress again.
    perform_transition(case, "reopen", county.users["cclerk"], NOW, note="反弹")
    run_at(NOW + MINUTE)
    assert receiver.requests[-1]["body"]["data"]["outcome"] == "in_progress"
    assert WebhookDelivery.objects.filter(subscriber=sub).count() == 2
    # Polling the outcomes (GET) marks nothing reported; only the POST does.
    api = DockingApi("liaison")
    assert api.get("/api/v1/court/referrals").status_code == 200
    assert api.get(f"/api/v1/court/referrals/{case.referral.external_ref}").status_code == 200
    case.referral.refresh_from_db()
    assert case.referral.reported_at is None


def test_publishing_a_topic_nobody_wants_costs_no_query(county):
    case = new_case(county)
    publish("case.closed", case, {}, NOW)  # the process learns who wants what
    with CaptureQueriesContext(connection) as queries:
        assert publish("case.closed", case, {}, NOW) == 0
    assert len(queries) == 0
    # A subscriber saved in this process is seen at once.
    sub = subscriber("http://127.0.0.1:9/", ["case.closed"])
    assert publish("case.closed", case, {"x": 1}, NOW) == 1
    assert WebhookDelivery.objects.get(subscriber=sub).body["data"] == {"x": 1}
    with CaptureQueriesContext(connection) as queries:
        assert publish("case.accepted", case, {}, NOW) == 0
    assert len(queries) == 0


def test_the_celery_task_sends_and_a_publish_queues_it_after_commit(
    county, receiver, settings, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.deliver_webhooks, "delay", lambda: queued.append(1))
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    subscriber(receiver.url, ["case.registered"])
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            new_case(county)
        assert queued == []  # not before the commit
    assert queued == [1]
    assert tasks.deliver_webhooks() == 1  # the worker's task: the same deliver_due
    assert receiver.delivered()[0][1] == "case.registered"


@pytest.mark.threaded
@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_one_delivery_twice(receiver):
    county = build_county()
    subscriber(receiver.url, ["case.registered"])
    for _ in range(6):
        new_case(county, area=county.villages[0])
    results = []

    def work():
        try:
            results.append(deliver_due(NOW).sent)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(results) == 6
    assert len(receiver.requests) == 6
    assert len({r["delivery"] for r in receiver.requests}) == 6


def test_the_django_admin_applies_the_same_rule(admin):
    sub = Subscriber(name="x", url="http://10.0.0.1/", topics=["case.closed"], created_at=NOW)
    with pytest.raises(ValidationError) as refused:
        sub.full_clean()
    assert "私有网络" in refused.value.message_dict["url"][0]
    sub.allow_private_network = True
    sub.full_clean()
