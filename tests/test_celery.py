"""The province profile against a real Redis and real Celery processes (not eager mode):
beat triggers the sweep, the sweep escalates a due case, and the workers send its
deliveries, each exactly once with two workers racing for them.

Self-contained: the fixture starts its own /usr/bin/redis-server on a free port, one
`celery beat` and two `celery worker` processes against the test database (committed data:
a transactional test), and stops them all. Run apart with the other `threaded` tests (a file
database on SQLite; `make test-postgres` on PostgreSQL)."""

import contextlib
import datetime
import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from openpyxl import load_workbook

from cases.models import TimelineEvent
from clocks.models import Deadline, DeadlineState, EscalationPolicy, PolicyArea
from jiefen.models import Export
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


@contextlib.contextmanager
def celery_processes(redis_url, tmp_path, beat: bool):
    """Two workers (and beat ticking every second, with `beat`) on the test database; yields
    the file their sender writes each sent message to, and the processes."""
    sent = tmp_path / "sent.txt"
    sent.touch()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": redis_url,
        "SWEEP_INTERVAL_SECONDS": "1",
        "NOTIFY_SENDERS": "tests.celery_senders.FileSender",
        "JIEFEN_TEST_SENT_FILE": str(sent),
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    celery = [sys.executable, "-m", "celery", "-A", "jiefen"]
    quiet = ["-l", "warning", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    names = ["beat", "w1", "w2"] if beat else ["w1", "w2"]
    logs = {name: open(tmp_path / f"{name}.log", "w") for name in names}
    processes = [
        subprocess.Popen(
            [*celery, "beat", "-l", "warning", "-s", str(tmp_path / "beat-schedule")]
            if name == "beat"
            else [*celery, "worker", "-P", "solo", "-n", f"{name}@jiefen-test", *quiet],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for name, log in logs.items()
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
        for log in logs.values():
            log.close()


@pytest.fixture
def celery_cluster(redis_url, tmp_path):
    """Beat ticking every second and two workers, on the test database."""
    with celery_processes(redis_url, tmp_path, beat=True) as running:
        yield running


@pytest.fixture
def celery_workers(redis_url, tmp_path):
    """Two workers and no beat (whose sweeps run by the workers' own clock, not the suite's)."""
    with celery_processes(redis_url, tmp_path, beat=False) as running:
        yield running


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


@pytest.mark.django_db(transaction=True)
def test_a_big_export_runs_as_a_task_with_progress_and_only_its_user_downloads_it(
    celery_workers, redis_url, settings, tmp_path, client
):
    """The page starts the task, a worker builds the workbook with its progress in Redis and
    stores it under MEDIA_ROOT; the status page then links it, for its user only."""
    from jiefen.celery import app  # the web process's side of the province profile

    _sent, processes = celery_workers
    settings.CELERY_BROKER_URL = settings.CELERY_RESULT_BACKEND = redis_url
    app.conf.update(broker_url=redis_url, result_backend=redis_url)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EXPORT_ASYNC_ROWS = 3
    county = build_county()
    mine = [new_case(county) for _ in range(5)]
    theirs = new_case(county, "vclerk_sibling", area=county.villages[1])
    client.force_login(county.users["vclerk"])

    response = client.get("/cases/export/")
    assert response.status_code == 302
    page_url = response["Location"]
    export = Export.objects.get()
    assert page_url == f"/exports/{export.pk}/"
    assert "/exports/" in client.get(page_url).content.decode()

    def done():
        return "文件已生成" in client.get(page_url, HTTP_HX_REQUEST="true").content.decode()

    wait_until(done, processes, what="the export task")
    part = client.get(page_url, HTTP_HX_REQUEST="true").content.decode()
    assert "已写入 5 / 5 行" in part and "every 2s" not in part  # done: no more polling
    # Redis held the task's progress and result; the record has the file.
    assert app.AsyncResult(str(export.pk)).result == {"done": 5, "total": 5}
    download = client.get(f"{page_url}download/")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0]
    codes = [r[0] for r in list(sheet.iter_rows(values_only=True))[1:]]
    assert sorted(codes) == sorted(c.code for c in mine) and theirs.code not in codes

    client.force_login(county.users["vclerk_sibling"])
    assert client.get(page_url).status_code == 404
    assert client.get(f"{page_url}download/").status_code == 404
