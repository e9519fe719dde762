"""Intake benchmark: register N cases through POST /api/v1/cases from several threads.

Without --url it starts its own gunicorn (like `manage.py serve`) on a free port, on a
temporary SQLite database or on DATABASE_URL if set, migrates it and creates a bench user.
It prints figures; it never asserts timings.

    .venv/bin/python bench/intake.py --n 2000 --concurrency 8
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiefen_bench .venv/bin/python bench/intake.py
"""

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BENCH_USER = "bench-intake"
BENCH_PASSWORD = "bench-intake-pw-1"
AREA_CODE = "999901000000"  # a county of its own, so the bench never touches real areas
VALID_ID = "11010519491231002X"  # the GB 11643 standard's own example


# ---------------------------------------------------------------- server


def setup_database() -> None:
    """Run inside a subprocess with Django configured: a county, its center and the bench user."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from areas.models import Area, Level, Membership, Role, Unit, UnitKind

    county, _ = Area.objects.get_or_create(
        code=AREA_CODE, defaults={"name": "压测县", "level": Level.COUNTY}
    )
    center, _ = Unit.objects.get_or_create(
        name="压测县综治中心", area=county, defaults={"kind": UnitKind.CENTER}
    )
    user, created = get_user_model().objects.get_or_create(username=BENCH_USER)
    if created:
        user.set_password(BENCH_PASSWORD)
        user.save()
    Membership.objects.get_or_create(user=user, unit=center, role=Role.CLERK)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict, workers: int, threads: int) -> tuple[subprocess.Popen, str]:
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(
        [python, str(Path(__file__).resolve()), "--setup"], cwd=ROOT, env=env, check=True
    )
    port = free_port()
    proc = subprocess.Popen(
        [
            python,
            "-m",
            "gunicorn",
            "jiefen.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    last = ""
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            r = requests.get(f"{url}/healthz", timeout=5)
            if r.ok:
                return proc, url
            last = f"HTTP {r.status_code} {r.text[:300]}"
        except requests.RequestException as e:
            last = type(e).__name__
        time.sleep(0.2)
    proc.terminate()
    proc.wait(timeout=30)
    raise SystemExit(f"gunicorn did not become healthy within 60 s (last answer: {last})")


# ---------------------------------------------------------------- memory


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _vm_hwm_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class PeakMemory(threading.Thread):
    """Samples VmHWM of a process and its children while the bench runs.

    VmHWM is each process's own peak, but a worker's figure is lost when it exits, so the
    largest value seen per pid is kept and summed at the end.
    """

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peaks: dict[int, int] = {}
        self.stop = threading.Event()

    def sample(self) -> None:
        for pid in [self.pid, *_children(self.pid)]:
            self.peaks[pid] = max(self.peaks.get(pid, 0), _vm_hwm_kib(pid))

    def run(self) -> None:
        while not self.stop.wait(0.5):
            self.sample()

    def total_mib(self) -> float:
        self.sample()
        return sum(self.peaks.values()) / 1024


# ---------------------------------------------------------------- load


def case_body(i: int, area_code: str) -> dict:
    return {
        "title": f"压测纠纷 {i}",
        "description": "楼上住户改造卫生间导致楼下渗水，双方多次争吵。",
        "area_code": area_code,
        "channel": "hotline",
        "category_code": "0201",
        "people_involved": 2,
        "amount_involved": "3000.00",
        "external_ref": f"bench-{i}",
        "parties": [
            {"name": "张三", "id_number": VALID_ID, "phone": "13800138000"},
            {"name": "李四", "role": "respondent", "phone": "13900139000"},
        ],
        "missing_materials": ["身份证复印件"],
    }


def run_load(url: str, token: str, n: int, concurrency: int, area_code: str, keys: bool):
    latencies: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    counter = iter(range(n))

    def worker() -> None:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            headers = {"Idempotency-Key": str(uuid.uuid4())} if keys else {}
            t0 = time.perf_counter()
            try:
                r = session.post(
                    f"{url}/api/v1/cases", json=case_body(i, area_code), headers=headers
                )
                outcome = "ok" if r.status_code == 201 else f"HTTP {r.status_code}"
            except requests.RequestException as e:
                outcome = type(e).__name__
            elapsed = time.perf_counter() - t0
            with lock:
                if outcome == "ok":
                    latencies.append(elapsed)
                else:
                    errors[outcome] = errors.get(outcome, 0) + 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start, latencies, errors


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="cases to register")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--url", help="a running server; without it one is started")
    parser.add_argument("--username", default=BENCH_USER)
    parser.add_argument("--password", default=BENCH_PASSWORD)
    parser.add_argument("--area-code", default=AREA_CODE)
    parser.add_argument("--pid", type=int, help="with --url: gunicorn master pid for memory")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (own server)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument(
        "--no-idempotency-keys", action="store_true", help="send no Idempotency-Key headers"
    )
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiefen.settings")
    if args.setup:
        setup_database()
        return

    proc = None
    tmp = None
    if args.url:
        url, pid = args.url.rstrip("/"), args.pid
        database = "(remote server)"
    else:
        tmp = tempfile.TemporaryDirectory(prefix="jiefen-bench-")
        env = dict(os.environ, JIEFEN_VAR_DIR=tmp.name, LOG_LEVEL="WARNING", DEBUG="0")
        env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # serving refuses the dev key
        env.setdefault("DATABASE_URL", f"sqlite:///{tmp.name}/bench.sqlite3")
        database = env["DATABASE_URL"].split("://")[0]
        proc, url = start_server(env, args.workers, args.threads)
        pid = proc.pid

    memory = PeakMemory(pid) if pid else None
    try:
        r = requests.post(
            f"{url}/api/v1/auth/token",
            json={"username": args.username, "password": args.password},
            timeout=30,
        )
        r.raise_for_status()
        token = r.json()["token"]
        if memory:
            memory.start()
        wall, latencies, errors = run_load(
            url, token, args.n, args.concurrency, args.area_code, not args.no_idempotency_keys
        )
        peak = memory.total_mib() if memory else None
    finally:
        if memory:
            memory.stop.set()
        if proc:
            proc.terminate()
            proc.wait(timeout=30)
        if tmp:
            tmp.cleanup()

    ok = len(latencies)
    server = f"gunicorn {args.workers} workers x {args.threads} threads" if proc else url
    print(f"intake bench: {args.n} requests, concurrency {args.concurrency}")
    print(f"  server           {server}, database {database}")
    print(f"  idempotency keys {'no' if args.no_idempotency_keys else 'yes'}")
    print(f"  wall time        {wall:.1f} s")
    print(f"  cases created    {ok}")
    print(f"  throughput       {ok / wall:.1f} cases/s")
    print(f"  latency p50      {percentile(latencies, 50) * 1000:.1f} ms")
    print(f"  latency p95      {percentile(latencies, 95) * 1000:.1f} ms")
    print(f"  errors           {sum(errors.values())} {json.dumps(errors) if errors else ''}")
    if peak is not None:
        print(f"  server peak mem  {peak:.1f} MiB (sum of VmHWM, {len(memory.peaks)} processes)")
    else:
        print("  server peak mem  unknown (pass --pid with --url)")


if __name__ == "__main__":
    main()
