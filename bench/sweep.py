"""Sweep benchmark: N open cases (default 100,000 on SQLite, 1,000,000 on PostgreSQL) with
one open clock each, 1 % of them due (and past their reminder time); one sweep with its
overdue notices to the unit's clerk; prints its time and queries.

    .venv/bin/python bench/sweep.py [--n N] [--due-fraction 0.01]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiefen_bench .venv/bin/python bench/sweep.py

Without DATABASE_URL it uses a temporary SQLite file. It prints figures; it asserts nothing.
"""

import argparse
import datetime
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=None)
    parser.add_argument("--due-fraction", type=float, default=0.01)
    parser.add_argument(
        "--keep",
        action="store_true",
        help="reuse the cases of an earlier run with the same --n (reopens their clocks)",
    )
    args = parser.parse_args()

    tmp = None
    if "DATABASE_URL" not in os.environ:
        tmp = tempfile.mkdtemp(prefix="jiefen-bench-sweep-")
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiefen.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction

    from areas.models import Area, Level, Membership, Role, Unit, UnitKind
    from cases.models import Case
    from clocks.models import Clock, Deadline
    from routing.sweep import sweep

    n = args.n or (100_000 if connection.vendor == "sqlite" else 1_000_000)
    call_command("migrate", verbosity=0)
    from cases.models import TimelineEvent
    from notifications.models import Delivery

    keep = args.keep and Case.objects.filter(code__startswith="BENCH").count() == n
    Delivery.objects.all().delete()
    # The bench's own rows go between runs; on PostgreSQL the timeline is append-only (a
    # trigger), so the bench switches it off for its cleanup, in one transaction.
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE cases_timelineevent DISABLE TRIGGER USER")
        TimelineEvent.objects.filter(case__code__startswith="BENCH").delete()
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE cases_timelineevent ENABLE TRIGGER USER")
    if keep:
        Deadline.objects.filter(overdue_at__isnull=False).update(
            overdue_at=None, warned_at=None, state="open", met=None, closed_at=None
        )
        Deadline.objects.filter(warned_at__isnull=False).update(warned_at=None)
    else:
        Deadline.objects.all().delete()
        Case.objects.filter(code__startswith="BENCH").delete()
    county, _ = Area.objects.get_or_create(
        code="999902000000", defaults={"name": "压测县", "level": Level.COUNTY}
    )
    center, _ = Unit.objects.get_or_create(
        name="压测县综治中心", area=county, defaults={"kind": UnitKind.CENTER}
    )

    # One clerk: every overdue clock makes a notice and a (logged) message, as in real use.
    clerk, _ = get_user_model().objects.get_or_create(username="bench-clerk")
    Membership.objects.get_or_create(user=clerk, unit=center, role=Role.CLERK)
    clerk.notifications.all().delete()

    now = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
    due_every = max(1, round(1 / args.due_fraction))
    started = time.perf_counter()
    batch = 10_000
    for start in range(0, 0 if keep else n, batch):
        cases = Case.objects.bulk_create(
            [
                Case(
                    code=f"BENCH-{i:08d}",
                    title="压测",
                    description="压测",
                    area=county,
                    channel="window",
                    level=Level.COUNTY,
                    owner_unit=center,
                    first_unit=center,
                    created_at=now,
                    updated_at=now,
                )
                for i in range(start, min(n, start + batch))
            ]
        )
        Deadline.objects.bulk_create(
            [
                Deadline(
                    case=c,
                    clock=Clock.RESOLVE,
                    unit=center,
                    level=Level.COUNTY,
                    started_at=now - datetime.timedelta(days=30),
                    warn_at=due - datetime.timedelta(days=6),
                    due_at=due,
                )
                for j, c in enumerate(cases)
                for due in [
                    now + datetime.timedelta(hours=-1 if (start + j) % due_every == 0 else 24 * 30)
                ]
            ]
        )
    load_s = time.perf_counter() - started
    due = Deadline.objects.filter(due_at__lte=now).count()

    def counted(run):
        count = [0]

        def count_query(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count_query):
            t0 = time.perf_counter()
            result = run()
            return result, time.perf_counter() - t0, count[0]

    result, sweep_s, queries = counted(lambda: sweep(now))
    second, again_s, again_queries = counted(lambda: sweep(now))

    print(f"database            {connection.vendor}")
    print(f"open cases          {n:,}")
    print(f"due items           {due:,}")
    print(f"load time           {load_s:.1f} s" + (" (kept from an earlier run)" if keep else ""))
    print(
        f"sweep               {sweep_s:.2f} s, {queries:,} queries, "
        f"{result} ({queries / max(due, 1):.1f} queries per item)"
    )
    print(f"second sweep        {again_s:.3f} s, {again_queries} queries, {second}")
    if tmp:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
