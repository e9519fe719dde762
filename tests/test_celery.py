"""The province profile against a real Redis and real Celery processes (not eager mode):
beat triggers the sweep, the sweep escalates a due case, and the workers send its
deliveries, each exactly once with two workers racing for them.

Self-contained: the fixture starts its own /usr/bin/redis-server on a free port, one
`celery beat` and two `celery worker` processes against the test database (committed data:
a transactional test), and stops them all. Run apart with the other `threaded` tests (a file
database on SQLite; `make test-postgres` on PostgreSQL)."""

import datetime
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from cases.models import TimelineEvent
from clocks.models import Deadline, DeadlineState, EscalationPolicy, PolicyArea
from notifications.models import Delivery, Kind, Notification
from tests.factories import NOW, build_county, new_case
from tests.test_webhooks import Receiver, subscriber
from webhooks.models import DeliveryStatus, WebhookDelivery

ROOT = Path(__file__).resolve().parent.parent
REDIS = "/usr/bin/redis-server"
pytestmark = pytest.mark.threaded


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    return (
        f"postgres://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
        f"/{params['NAME']}"
    )


def wait_until(check, processes, timeout: float = 120, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        for p in processes:
            assert p.poll() is None, f"{p.args} ended: {p.returncode}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


@pytest.fixture
def redis_url(tmp_path):
    port = free_port()
    server = subprocess.Popen(
        [
            REDIS,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        import redis

        client = redis.Redis(host="127.0.0.1", port=port)

        def up():
            try:
                return client.ping()
            except redis.exceptions.ConnectionError:
                return False

        wait_until(up, [server], timeout=30, what="redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def celery_cluster(redis_url, tmp_path):
    """Beat ticking every second and two workers, on the test database; yields the file
    their sender writes each sent message to."""
    sent = tmp_path / "sent.txt"
    sent.touch()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": redis_url,
        "SWEEP_INTERVAL_SECONDS": "1",
        "NOTIFY_SENDERS": "tests.celery_senders.FileSender",
        "JIEFEN_TEST_SENT_FILE": str(sent),
    }
    celery = [sys.executable, "-m", "celery", "-A", "jiefen"]
    quiet = ["-l", "warning", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    logs = [open(tmp_path / f"{name}.log", "w") for name in ("beat", "w1", "w2")]
    processes = [
        subprocess.Popen(
            [*celery, "beat", "-l", "warning", "-s", str(tmp_path / "beat-schedule")],
            cwd=ROOT,
            env=env,
            stdout=logs[0],
            stderr=subprocess.STDOUT,
        ),
        *(
            subprocess.Popen(
                [*celery, "worker", "-P", "solo", "-n", f"{name}@jiefen-test", *quiet],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            for name, log in (("w1", logs[1]), ("w2", logs[2]))
        ),
    ]
    try:
        yield sent, processes
    finally:
        for p in processes:
            p.terminate()
        for p in processes:
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for log in logs:
            log.close()


@pytest.mark.django_db(transaction=True)
def test_beat_sweeps_a_due_case_up_and_workers_send_each_message_once(celery_cluster):
    sent_file, processes = celery_cluster
    # A webhook receiver in this process, told of each escalation by the workers.
    receiver = Receiver()
    hook = subscriber(receiver.url, ["case.escalated"])
    county = build_county()
    PolicyArea.objects.create(
        policy=EscalationPolicy.objects.get(name="巫山时限制"), area=county.county
    )
    cases = [new_case(county, actor_key="grid") for _ in range(5)]
    # The grid level's time ran out long ago, by the workers' own clock as well.
    long_ago = NOW - datetime.timedelta(days=3650)
    Deadline.objects.filter(case__in=cases, state=DeadlineState.OPEN).update(
        due_at=long_ago, warn_at=long_ago
    )

    def settled():
        return (
            TimelineEvent.objects.filter(case__in=cases, kind="escalated").count() == len(cases)
            and Delivery.objects.exists()
            and not Delivery.objects.filter(sent_at__isnull=True).exists()
            and WebhookDelivery.objects.filter(status=DeliveryStatus.SENT).count() == len(cases)
        )

    try:
        wait_until(settled, processes, what="the escalations and their deliveries")
        time.sleep(3)  # a few more ticks of beat: nothing more may happen
    finally:
        receiver.stop()
    # Each escalation was pushed once, signed, by a worker (webhooks.tasks).
    assert WebhookDelivery.objects.filter(subscriber=hook).count() == len(cases)
    assert len(receiver.requests) == len(cases)
    assert all(r["signed"] and r["topic"] == "case.escalated" for r in receiver.requests)
    assert {r["body"]["case"]["code"] for r in receiver.requests} == {c.code for c in cases}
    for case in cases:
        assert case.timeline.filter(kind="escalated").count() == 1
    # The village clerk is told of each escalation once, and each message went out once.
    escalated = Notification.objects.filter(kind=Kind.ESCALATED, recipient__username="vclerk")
    assert escalated.count() == len(cases)
    lines = sent_file.read_text().splitlines()
    deliveries = Delivery.objects.all()
    assert len(lines) == deliveries.count() == Notification.objects.count()
    assert sorted(lines) == sorted(f"{d.address}\t{d.subject}" for d in deliveries)
    assert all(d.attempts == 1 for d in deliveries)
