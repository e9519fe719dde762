"""Soak: N concurrent intake clients and two sweeps for M minutes against one server, then
counts what a bad day would break.

Each client registers cases through POST /api/v1/cases with an Idempotency-Key, and re-sends
one request in ten with the same key (a retry after a lost answer) while two sweep processes
race over the same due items (their clock 2 days ahead, so every new case's 24-hour accept
limit is overdue). At the end: one more sweep, then

- cases created = distinct 201 answers (a retry returns the first answer, never a second case),
- no duplicate timeline event (one `registered` per case, one `deadline_missed` per missed
  clock), notice (per recipient and key) or delivery (per notice and channel), none unsent,
- `manage.py check_stats` and `manage.py verify_audit` clean.

Loopback only and bounded (at most 200 clients, 60 minutes). Without --url it starts gunicorn
(like `manage.py serve`) on DATABASE_URL (or a temporary SQLite file). It prints figures and
exits 1 if a count is wrong; it asserts no timing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiefen_soak \\
        .venv/bin/python bench/soak.py --clients 50 --minutes 10
"""

import argparse
import datetime
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake import (  # noqa: E402  (bench/ is not a package)
    AREA_CODE,
    BENCH_PASSWORD,
    BENCH_USER,
    case_body,
    percentile,
    start_server,
)

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MAX_CLIENTS, MAX_MINUTES = 200, 60
SWEEP_AHEAD = datetime.timedelta(days=2)


def django_setup():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiefen.settings")
    import django

    django.setup()


def sweeper(seconds: float) -> None:
    """One sweep process: sweep(now + 2 days) over and over until the time is up."""
    django_setup()
    from django.db import close_old_connections

    from jiefen import clock
    from routing.sweep import sweep

    end = time.monotonic() + seconds
    runs = overdue = 0
    while time.monotonic() < end:
        result = sweep(clock.now() + SWEEP_AHEAD)
        runs, overdue = runs + 1, overdue + result.overdue
        close_old_connections()
        time.sleep(0.5)  # a sweep every half second each: they keep meeting on the same items
    print(f"sweeper {os.getpid()}: {runs} sweeps, {overdue} overdue items handled")


def final_checks(expected_codes_file: str) -> int:
    """After the load: the counts. Returns the number of problems."""
    django_setup()
    import io

    from django.core.management import CommandError, call_command
    from django.db.models import Count, Q

    from cases.models import Case, TimelineEvent
    from clocks.models import Clock, Deadline
    from jiefen import clock
    from notifications.models import Delivery, Notification
    from routing.sweep import sweep

    sweep(clock.now() + SWEEP_AHEAD)
    codes = set(Path(expected_codes_file).read_text().split())
    bench = Case.objects.filter(area__code=AREA_CODE)
    problems = []

    def check(label: str, ok: bool, detail: str) -> None:
        print(f"  {'ok ' if ok else 'BAD'} {label}: {detail}")
        if not ok:
            problems.append(label)

    created = set(bench.values_list("code", flat=True))
    check(
        "cases created = 201 answers",
        created == codes,
        f"{len(created)} cases, {len(codes)} distinct codes answered 201",
    )
    dup_registered = (
        TimelineEvent.objects.filter(case__in=bench, kind="registered")
        .values("case")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    missed = Deadline.objects.filter(case__in=bench, overdue_at__isnull=False).exclude(
        clock=Clock.ESCALATE
    )
    missed_events = TimelineEvent.objects.filter(case__in=bench, kind="deadline_missed")
    dup_missed = (
        missed_events.values("case", "data__clock", "data__due_at")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    check(
        "no duplicate timeline event",
        dup_registered == 0 and dup_missed == 0 and missed_events.count() == missed.count(),
        f"{TimelineEvent.objects.filter(case__in=bench).count()} events; "
        f"{missed.count()} missed clocks, {missed_events.count()} deadline_missed events; "
        f"duplicates: registered {dup_registered}, deadline_missed {dup_missed}",
    )
    dup_notices = (
        Notification.objects.values("recipient", "key").annotate(n=Count("pk")).filter(n__gt=1)
    ).count()
    check(
        "no duplicate notice",
        dup_notices == 0,
        f"{Notification.objects.count()} notices, {dup_notices} duplicated",
    )
    dup_deliveries = (
        Delivery.objects.values("notification", "channel").annotate(n=Count("pk")).filter(n__gt=1)
    ).count()
    unsent = Delivery.objects.filter(Q(sent_at__isnull=True)).count()
    check(
        "no duplicate or unsent delivery",
        dup_deliveries == 0 and unsent == 0,
        f"{Delivery.objects.count()} deliveries, {dup_deliveries} duplicated, {unsent} unsent",
    )
    for command in ("check_stats", "verify_audit"):
        out = io.StringIO()
        try:
            call_command(command, stdout=out)
            check(command, True, out.getvalue().strip().splitlines()[-1])
        except CommandError as e:
            check(command, False, str(e)[:300])
    return len(problems)


class Load:
    def __init__(self, url: str, token: str, clients: int, seconds: float):
        self.url, self.token, self.clients, self.seconds = url, token, clients, seconds
        self.lock = threading.Lock()
        self.codes: set[str] = set()
        self.first_201 = self.retries = self.retry_mismatch = 0
        self.errors: dict[str, int] = {}
        self.latencies: list[float] = []
        self.counter = 0

    def client(self, n: int) -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.token}"
        end = time.monotonic() + self.seconds
        while time.monotonic() < end:
            with self.lock:
                self.counter += 1
                i = self.counter
            key = str(uuid.uuid4())
            body = case_body(i, AREA_CODE)
            body["external_ref"] = f"soak-{i}"
            t0 = time.perf_counter()
            code = self.post(session, body, key)
            elapsed = time.perf_counter() - t0
            if code is None:
                continue
            with self.lock:
                self.first_201 += 1
                self.codes.add(code)
                self.latencies.append(elapsed)
            if i % 10 == 0:  # a retry with the same key: the same case, not a new one
                again = self.post(session, body, key)
                with self.lock:
                    self.retries += 1
                    self.retry_mismatch += again != code

    def post(self, session, body, key) -> str | None:
        try:
            r = session.post(
                f"{self.url}/api/v1/cases", json=body, headers={"Idempotency-Key": key}, timeout=120
            )
        except requests.RequestException as e:
            outcome = type(e).__name__
        else:
            if r.status_code == 201:
                return r.json()["code"]
            outcome = f"HTTP {r.status_code}"
        with self.lock:
            self.errors[outcome] = self.errors.get(outcome, 0) + 1
        return None

    def run(self) -> float:
        threads = [threading.Thread(target=self.client, args=(n,)) for n in range(self.clients)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--url", help="a running server on this machine; without it one is started")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--sweeper", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--check", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sweeper is not None:
        return sweeper(args.sweeper)
    if args.check:
        sys.exit(1 if final_checks(args.check) else 0)
    if not 1 <= args.clients <= MAX_CLIENTS or not 0 < args.minutes <= MAX_MINUTES:
        sys.exit(f"soak: 1..{MAX_CLIENTS} clients and at most {MAX_MINUTES} minutes")

    tmp = tempfile.TemporaryDirectory(prefix="jiefen-soak-")
    env = dict(os.environ, JIEFEN_VAR_DIR=tmp.name, LOG_LEVEL="WARNING", DEBUG="0")
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp.name}/soak.sqlite3")
    proc = None
    if args.url:
        if urlparse(args.url).hostname not in LOOPBACK:
            sys.exit("soak: only a server on this machine (127.0.0.1, localhost, ::1)")
        url = args.url.rstrip("/")
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "intake.py"), "--setup"], env=env, check=True
        )
    else:
        proc, url = start_server(env, args.workers, args.threads)
    seconds = args.minutes * 60
    me = str(Path(__file__).resolve())
    try:
        r = requests.post(
            f"{url}/api/v1/auth/token",
            json={"username": BENCH_USER, "password": BENCH_PASSWORD},
            timeout=30,
        )
        r.raise_for_status()
        sweeps = [
            subprocess.Popen([sys.executable, me, "--sweeper", str(seconds)], cwd=ROOT, env=env)
            for _ in range(2)
        ]
        load = Load(url, r.json()["token"], args.clients, seconds)
        wall = load.run()
        for s in sweeps:
            s.wait()
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=30)
    database = env["DATABASE_URL"].split("://")[0]
    print(f"soak: {args.clients} clients + 2 sweeps for {args.minutes:g} min, database {database}")
    print(f"  wall time        {wall:.0f} s")
    print(
        f"  201 answers      {load.first_201} ({load.first_201 / wall:.1f}/s), distinct codes {len(load.codes)}"
    )
    print(f"  retries          {load.retries}, answered with another case: {load.retry_mismatch}")
    print(
        f"  latency p50/p95  {percentile(load.latencies, 50) * 1000:.0f} / {percentile(load.latencies, 95) * 1000:.0f} ms"
    )
    print(f"  errors           {sum(load.errors.values())} {load.errors or ''}")
    codes_file = Path(tmp.name) / "codes.txt"
    codes_file.write_text("\n".join(sorted(load.codes)))
    print("checks:")
    result = subprocess.run([sys.executable, me, "--check", str(codes_file)], cwd=ROOT, env=env)
    tmp.cleanup()
    failed = result.returncode or load.retry_mismatch or load.first_201 != len(load.codes)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
