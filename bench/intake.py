"""Intake benchmark: register N cases through POST /api/v1/cases from several threads.

Without --url it starts its own gunicorn (like `manage.py serve`) on a free port, on a
temporary SQLite database or on DATABASE_URL if set, migrates it and creates a bench user.
It prints figures; it never asserts timings.

With --peer it also runs the peer, django-helpdesk's ticket creation (bench/peer.py: installed
from PyPI into var/peer-helpdesk, SQLite with our options, the same gunicorn config), and an
empty Django view on the peer's server, in interleaved rounds, and prints the three rates and
both ratios (the issue 16 goal: intake >= 3x the peer and >= 20 % of the empty view).

    .venv/bin/python bench/intake.py --n 2000 --concurrency 8
    .venv/bin/python bench/intake.py --peer --n 600 --concurrency 4 --rounds 3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiefen_bench .venv/bin/python \\
        bench/intake.py --areas 4 --concurrency 4
"""

import argparse
import datetime
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
# With --areas K: K counties of their own (999901…, 999902…), a client thread's cases go to one.
AREA_CODES = [f"9999{k:02d}000000" for k in range(1, 100)]


def id_number(i: int) -> str:
    """A valid resident ID number (GB 11643 check digit) of its own for each i < 10,000,000."""
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=i // 1000)
    body = f"110105{birth:%Y%m%d}{i % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


# ---------------------------------------------------------------- server


def setup_database(areas: int) -> None:
    """Run inside a subprocess with Django configured: counties, their centers and the bench
    user, a clerk of each."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from areas.models import Area, Level, Membership, Role, Unit, UnitKind

    user, created = get_user_model().objects.get_or_create(username=BENCH_USER)
    if created:
        user.set_password(BENCH_PASSWORD)
        user.save()
    for k, code in enumerate(AREA_CODES[:areas], start=1):
        county, _ = Area.objects.get_or_create(
            code=code, defaults={"name": f"压测县{k}", "level": Level.COUNTY}
        )
        center, _ = Unit.objects.get_or_create(
            name=f"压测县{k}综治中心", area=county, defaults={"kind": UnitKind.CENTER}
        )
        Membership.objects.get_or_create(user=user, unit=center, role=Role.CLERK)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict, workers: int, threads: int, areas: int) -> tuple[subprocess.Popen, str]:
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(
        [python, str(Path(__file__).resolve()), "--setup", "--areas", str(areas)],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return start_gunicorn(python, "jiefen.wsgi:application", ROOT, env, workers, threads)


def start_gunicorn(
    python, app: str, cwd: Path, env: dict, workers: int, threads: int, health: str = "/healthz"
) -> tuple[subprocess.Popen, str]:
    """gunicorn as `manage.py serve` runs it: `workers` processes of `threads` threads."""
    port = free_port()
    proc = subprocess.Popen(
        [
            str(python),
            "-m",
            "gunicorn",
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        cwd=cwd,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    last = ""
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            r = requests.get(f"{url}{health}", timeout=5)
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
        # Parties of their own per case: the same two people on every case would make each
        # intake's repeat check (risk rules) read all the cases before it.
        "parties": [
            {"name": "张三", "id_number": id_number(i), "phone": f"138{i % 10**8:08d}"},
            {"name": "李四", "role": "respondent", "phone": f"139{i % 10**8:08d}"},
        ],
        "missing_materials": ["身份证复印件"],
    }


class Load:
    """What one kind of request is: a method and path, headers, a body per request number and
    the status that counts as done."""

    def __init__(self, name, method, url, headers, body=None, ok=201, keys=False):
        self.name, self.method, self.url, self.headers = name, method, url, headers
        self.body, self.ok, self.keys = body, ok, keys


def run_load(load: Load, n: int, concurrency: int, start_at: int = 0):
    latencies: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    counter = iter(range(start_at, start_at + n))

    def worker(k: int) -> None:
        session = requests.Session()
        session.headers.update(load.headers)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            headers = {"Idempotency-Key": str(uuid.uuid4())} if load.keys else {}
            t0 = time.perf_counter()
            try:
                body = load.body(i, k) if load.body else None
                r = session.request(load.method, load.url, json=body, headers=headers)
                outcome = "ok" if r.status_code == load.ok else f"HTTP {r.status_code}"
            except requests.RequestException as e:
                outcome = type(e).__name__
            elapsed = time.perf_counter() - t0
            with lock:
                if outcome == "ok":
                    latencies.append(elapsed)
                else:
                    errors[outcome] = errors.get(outcome, 0) + 1

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(concurrency)]
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


def jiefen_load(url: str, token: str, area_codes: list[str], keys: bool) -> Load:
    return Load(
        "jiefen intake",
        "POST",
        f"{url}/api/v1/cases",
        {"Authorization": f"Bearer {token}"},
        lambda i, k: case_body(i, area_codes[k % len(area_codes)]),
        keys=keys,
    )


def token_for(url: str, username: str, password: str) -> str:
    r = requests.post(
        f"{url}/api/v1/auth/token", json={"username": username, "password": password}, timeout=30
    )
    r.raise_for_status()
    return r.json()["token"]


def jiefen_env(tmp: str) -> dict:
    env = dict(os.environ, JIEFEN_VAR_DIR=tmp, LOG_LEVEL="WARNING", DEBUG="0")
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(50))  # serving refuses the dev key
    env.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    return env


def stop(proc: subprocess.Popen | None) -> None:
    if proc:
        proc.terminate()
        proc.wait(timeout=30)


def run_peer(args) -> None:
    """Jiefen's intake, the peer's ticket creation and an empty view, round after round."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import peer

    from jiefen.settings import DATABASES  # noqa: F401  (the options the peer copies)

    conn_max_age = int(DATABASES["default"].get("CONN_MAX_AGE") or 0)
    procs: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="jiefen-bench-") as tmp:
        try:
            env = jiefen_env(tmp)
            if not env["DATABASE_URL"].startswith("sqlite"):
                raise SystemExit("--peer compares on SQLite; unset DATABASE_URL")
            proc, url = start_server(env, args.workers, args.threads, args.areas)
            procs.append(proc)
            peer_env, peer_token, queue = peer.prepare(Path(tmp), conn_max_age)
            peer_proc, peer_url = start_gunicorn(
                peer.python(),
                "peer.wsgi:application",
                peer.PROJECT,
                peer_env,
                args.workers,
                args.threads,
                health="/empty",
            )
            procs.append(peer_proc)
            loads = [
                jiefen_load(
                    url,
                    token_for(url, args.username, args.password),
                    AREA_CODES[: args.areas],
                    not args.no_idempotency_keys,
                ),
                Load(
                    "helpdesk ticket",
                    "POST",
                    f"{peer_url}/helpdesk/api/tickets/",
                    {"Authorization": f"Token {peer_token}"},
                    lambda i, k: peer.ticket_body(i, queue),
                ),
                Load("empty view", "GET", f"{peer_url}/empty", {}, ok=200),
            ]
            sizes = [args.n, args.n, args.n * args.empty_factor]
            # A short warm-up of each (imports, first connections), not counted.
            for load in loads:
                run_load(load, 4 * args.concurrency, args.concurrency, start_at=10**6)
            rates: dict[str, list[float]] = {load.name: [] for load in loads}
            p50: dict[str, list[float]] = {load.name: [] for load in loads}
            errors: dict[str, int] = {}
            for r in range(args.rounds):
                for load, n in zip(loads, sizes, strict=True):
                    wall, latencies, errs = run_load(load, n, args.concurrency, r * n)
                    rates[load.name].append(len(latencies) / wall)
                    p50[load.name].append(percentile(latencies, 50))
                    for k, v in errs.items():
                        errors[f"{load.name}: {k}"] = errors.get(f"{load.name}: {k}", 0) + v
                    print(f"  round {r + 1}  {load.name:<16} {len(latencies) / wall:7.1f} /s")
        finally:
            for p in procs:
                stop(p)

    med = {name: statistics.median(v) for name, v in rates.items()}
    ours, theirs, empty = med["jiefen intake"], med["helpdesk ticket"], med["empty view"]
    print(f"intake vs peer: {args.rounds} interleaved rounds, concurrency {args.concurrency}")
    print(
        f"  servers          gunicorn {args.workers} workers x {args.threads} threads each, "
        f"SQLite WAL, synchronous=NORMAL, IMMEDIATE, CONN_MAX_AGE={conn_max_age}"
    )
    print(f"  requests/round   {sizes[0]} cases, {sizes[1]} tickets, {sizes[2]} empty views")
    for name in rates:
        print(
            f"  {name:<16} {med[name]:7.1f} /s median "
            f"(rounds {', '.join(f'{v:.1f}' for v in rates[name])}), "
            f"p50 {statistics.median(p50[name]) * 1000:.1f} ms"
        )
    print(f"  intake / peer    {ours / theirs:.2f}x   (goal >= 3x)")
    print(f"  intake / empty   {ours / empty * 100:.1f} %   (goal >= 20 %)")
    print(f"  errors           {sum(errors.values())} {json.dumps(errors) if errors else ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="cases to register (per round)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--url", help="a running server; without it one is started")
    parser.add_argument("--username", default=BENCH_USER)
    parser.add_argument("--password", default=BENCH_PASSWORD)
    parser.add_argument("--area-code", help="with --url: the area to register in")
    parser.add_argument(
        "--areas", type=int, default=1, help="counties, one per client thread in turn"
    )
    parser.add_argument("--pid", type=int, help="with --url: gunicorn master pid for memory")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (own server)")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument(
        "--no-idempotency-keys", action="store_true", help="send no Idempotency-Key headers"
    )
    parser.add_argument(
        "--peer", action="store_true", help="also run django-helpdesk and an empty view"
    )
    parser.add_argument("--rounds", type=int, default=3, help="with --peer: interleaved rounds")
    parser.add_argument(
        "--empty-factor", type=int, default=5, help="with --peer: empty views per case"
    )
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiefen.settings")
    if args.setup:
        setup_database(args.areas)
        return
    if args.peer:
        run_peer(args)
        return

    proc = None
    tmp = None
    area_codes = [args.area_code] if args.area_code else AREA_CODES[: args.areas]
    if args.url:
        url, pid = args.url.rstrip("/"), args.pid
        database = "(remote server)"
    else:
        tmp = tempfile.TemporaryDirectory(prefix="jiefen-bench-")
        env = jiefen_env(tmp.name)
        database = env["DATABASE_URL"].split("://")[0]
        proc, url = start_server(env, args.workers, args.threads, args.areas)
        pid = proc.pid

    memory = PeakMemory(pid) if pid else None
    try:
        token = token_for(url, args.username, args.password)
        if memory:
            memory.start()
        wall, latencies, errors = run_load(
            jiefen_load(url, token, area_codes, not args.no_idempotency_keys),
            args.n,
            args.concurrency,
        )
        peak = memory.total_mib() if memory else None
    finally:
        if memory:
            memory.stop.set()
        stop(proc)
        if tmp:
            tmp.cleanup()

    ok = len(latencies)
    server = f"gunicorn {args.workers} workers x {args.threads} threads" if proc else url
    print(f"intake bench: {args.n} requests, concurrency {args.concurrency}")
    print(f"  server           {server}, database {database}, {len(area_codes)} area(s)")
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
