"""kill -9 of a sweep inside its claim loop, then a rerun: every due item is processed exactly
once (PostgreSQL: `make test-postgres`; the sweep runs as its own process against the test
database, so this test is collected on PostgreSQL only and never reported as skipped).

The sweep is stopped by JIEFEN_SWEEP_PAUSE_AFTER (routing.sweep._pause_for_kill_test) once
that many items are committed, holding its next batch claimed and handled but not committed; it
signals through a file, and the test kills it with SIGKILL there."""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count

from cases.models import TimelineEvent
from clocks.models import Deadline
from notifications.models import Delivery, Notification
from routing.sweep import sweep
from tests.factories import NOW, build_county, new_case

ROOT = Path(__file__).resolve().parent.parent
ON_POSTGRES = connection.vendor == "postgresql"
pytestmark = pytest.mark.threaded


def wait_for(path: Path, process: subprocess.Popen, timeout: float = 120) -> None:
    """Until the sweep says it is paused (or it ended, which fails the test)."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, process.stderr.read()
        assert time.monotonic() < deadline, "the sweep never reached its pause"
        time.sleep(0.05)


def killed_sweep_then_rerun(tmp_path):
    county = build_county()
    cases = [new_case(county) for _ in range(25)]
    at = NOW + datetime.timedelta(days=2)
    due = Deadline.objects.filter(overdue_at__isnull=True, due_at__lte=at).count()
    assert due == len(cases)
    params = connection.settings_dict
    url = (
        f"postgres://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
        f"/{params['NAME']}"
    )
    ready = tmp_path / "paused"
    process = subprocess.Popen(
        [sys.executable, "manage.py", "sweep", "--now", at.isoformat()],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": url,
            # Batches of 10: the first commits, the second is claimed and written, uncommitted.
            "JIEFEN_SWEEP_BATCH": "10",
            "JIEFEN_SWEEP_PAUSE_AFTER": "10",
            "JIEFEN_SWEEP_PAUSE_FILE": str(ready),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(ready, process)
        # Inside the loop: ten items committed, the next ten claimed and written, uncommitted.
        assert TimelineEvent.objects.filter(kind="deadline_missed").count() == 10
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        process.stdout.close()
        process.stderr.close()
    assert process.returncode == -signal.SIGKILL
    rerun = sweep(at)
    assert rerun.overdue == len(cases) - 10
    # Every due item exactly once: one event per case, one notice per recipient and case, one
    # delivery per notice, all sent; no row left claimed and unprocessed.
    per_case = (
        TimelineEvent.objects.filter(kind="deadline_missed").values("case").annotate(n=Count("pk"))
    )
    assert sorted(row["n"] for row in per_case) == [1] * len(cases)
    notices = Notification.objects.values("recipient", "key").annotate(n=Count("pk"))
    assert notices and all(row["n"] == 1 for row in notices)
    deliveries = Delivery.objects.values("notification").annotate(n=Count("pk"))
    assert all(row["n"] == 1 for row in deliveries)
    assert not Delivery.objects.filter(sent_at__isnull=True).exists()
    assert not Deadline.objects.filter(overdue_at__isnull=True, due_at__lte=at).exists()
    assert sweep(at).overdue == 0


if ON_POSTGRES:
    test_a_killed_sweep_is_rerun_without_duplicates = pytest.mark.django_db(transaction=True)(
        killed_sweep_then_rerun
    )
