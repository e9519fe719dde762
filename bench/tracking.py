"""Public tracking page benchmark: GET /c/<code> (what every scan of a case's QR code hits),
logged out, on a temporary SQLite database (or DATABASE_URL) with N cases (default 200,000)
of one county's 200 villages, each with its parties and a timeline of 6 to 9 events (about
1.5 million rows). Prints the server time per request through the in-process client
(median, p95, max; and the process's CPU time, which a shared machine's waiting for a
core does not inflate) over R requests to random cases, and the queries per request. Asserts
nothing; the issue's target is under 50 ms at the server and at most 3 queries.

    .venv/bin/python bench/tracking.py [--cases 200000] [--requests 500]
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOW = datetime.datetime(2026, 11, 25, 2, 0, tzinfo=datetime.UTC)  # a Wednesday, 10:00 local
# A case's life: (kind, from, to) steps; a case stops after a random number of them.
LIFE = [
    ("registered", "", "registered"),
    ("accept", "registered", "accepted"),
    ("attachment_added", "", ""),
    ("route", "accepted", "routed"),
    ("start", "routed", "in_progress"),
    ("session_held", "", ""),
    ("resolve", "in_progress", "resolved"),
    ("follow_up", "", ""),
    ("close", "resolved", "closed"),
]


def load(n_cases: int) -> list[str]:
    from areas.models import Area, Level, Unit, UnitKind
    from cases.models import Case, Party, TimelineEvent

    county = Area.objects.create(code="990200000000", name="压测县", level=Level.COUNTY)
    villages = []
    for t in range(10):
        town = Area.objects.create(
            code=f"9902{t + 1:02d}000000", name=f"镇{t + 1}", level=Level.TOWN, parent=county
        )
        for v in range(20):
            village = Area.objects.create(
                code=f"9902{t + 1:02d}{v + 1:03d}000",
                name=f"镇{t + 1}村{v + 1}",
                level=Level.VILLAGE,
                parent=town,
            )
            unit = Unit.objects.create(
                name=f"{village.name}人民调解委员会", kind=UnitKind.CENTER, area=village
            )
            villages.append((village, unit))
    rng = random.Random(14)
    codes = []
    batch = 5_000
    for start in range(0, n_cases, batch):
        rows, lengths = [], []
        for i in range(start, min(start + batch, n_cases)):
            village, unit = villages[i % len(villages)]
            created = NOW - datetime.timedelta(minutes=11 * i + 5)
            steps = rng.randint(6, 9)
            lengths.append(steps)
            status = [to for _k, _f, to in LIFE[:steps] if to][-1]
            rows.append(
                Case(
                    code=f"T{i:08d}",
                    title=f"压测纠纷{i}",
                    description="邻里之间因排水沟占用发生争执，要求调解。",
                    area=village,
                    channel="window",
                    status=status,
                    level=Level.VILLAGE,
                    owner_unit=unit,
                    first_unit=unit,
                    created_at=created,
                    updated_at=created,
                    closed_at=created + datetime.timedelta(days=9) if status == "closed" else None,
                )
            )
        made = Case.objects.bulk_create(rows, batch_size=batch)
        if not all(c.pk for c in made):
            made = list(Case.objects.filter(code__in=[c.code for c in rows]).order_by("pk"))
        Party.objects.bulk_create(
            [
                Party(case=c, name=n, phone=f"139{c.pk % 10**8:08d}", role=r)
                for c in made
                for n, r in (("张三", "applicant"), ("李四", "respondent"))
            ],
            batch_size=batch,
        )
        events = []
        for c, steps in zip(made, lengths, strict=True):
            for j, (kind, frm, to) in enumerate(LIFE[:steps]):
                events.append(
                    TimelineEvent(
                        case=c,
                        at=c.created_at + datetime.timedelta(hours=20 * j),
                        kind=kind,
                        from_status=frm,
                        to_status=to,
                        note="调解员记录：双方同意再约时间。",
                        # Stand-ins for the hash chain (cases.audit), unique per case.
                        prev_hash=f"{j:064d}" if j else "",
                        hash=f"{j + 1:064d}",
                    )
                )
        TimelineEvent.objects.bulk_create(events, batch_size=batch)
        codes.extend(c.code for c in made)
    return codes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        tmp = tempfile.mkdtemp(prefix="jiefen-bench-tracking-")
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        os.environ["JIEFEN_VAR_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiefen.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import setup_test_environment

    from cases.models import TimelineEvent
    from jiefen import clock

    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    codes = load(args.cases)
    load_s = time.perf_counter() - t
    setup_test_environment()
    client = Client()
    rng = random.Random(7)
    times, cpu, queries = [], [], []
    with clock.pinned(NOW):
        for code in rng.sample(codes, min(200, len(codes))):  # warm the caches
            client.get(f"/c/{code}")
        connection.force_debug_cursor = True
        for _ in range(args.requests):
            code = rng.choice(codes)
            reset_queries()
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(f"/c/{code}")
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            queries.append(len(connection.queries))
            if response.status_code != 200:
                raise SystemExit(f"/c/{code} answered {response.status_code}")
    times.sort()
    cpu.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    cpu95 = cpu[max(0, int(len(cpu) * 0.95) - 1)]
    print(f"database          {connection.vendor}")
    print(
        f"cases             {len(codes):,}; timeline events {TimelineEvent.objects.count():,};"
        f" load {load_s:.0f} s"
    )
    print(f"requests          {len(times)} to random cases, logged out")
    print(f"GET /c/<code>     median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms,")
    print(f"                  max {times[-1]:.1f} ms; queries per request {max(queries)}")
    # On a shared machine the wall clock includes waiting for a core; the CPU time does not.
    print(f"  CPU time        median {statistics.median(cpu):.1f} ms, p95 {cpu95:.1f} ms")
    print(f"load average      {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"Cache-Control     {response['Cache-Control']}")


if __name__ == "__main__":
    main()
