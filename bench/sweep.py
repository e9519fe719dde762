"""Sweep benchmark: the same number of due items among more and more open cases (default
10,000 / 100,000 / 1,000,000 open; 1,000 due on SQLite, 10,000 on PostgreSQL). Each open case
has one open clock; the due ones are spread evenly and get an overdue notice to the unit's
clerk, with its (logged) message, as in real use. Prints, per size, the sweep's time and
queries and a second sweep's (nothing left to do): the cost should follow the due items,
not the open cases.

    .venv/bin/python bench/sweep.py [--open 10000,100000] [--due 1000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiefen_bench .venv/bin/python bench/sweep.py

Without DATABASE_URL it uses a temporary SQLite file. It prints figures; it asserts nothing.
Cases are kept between runs on PostgreSQL (code BENCH-…) and grown to the next size.
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
    parser.add_argument("--open", default=None, help="comma-separated open-case counts")
    parser.add_argument("--due", type=int, default=None)
    args = parser.parse_args()

    tmp = None
    if "DATABASE_URL" not in os.environ:
        tmp = tempfile.mkdtemp(prefix="jiefen-bench-sweep-")
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiefen.settings")
    os.environ["CELERY_BROKER_URL"] = ""  # the sweep sends its messages itself here
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction

    from areas.models import Area, Level, Membership, Role, Unit, UnitKind
    from cases.models import Case, TimelineEvent
    from clocks.models import Clock, Deadline
    from notifications.models import Delivery, Notification
    from routing.sweep import sweep
    from stats.models import CaseFact

    pg = connection.vendor == "postgresql"
    sizes = [int(s) for s in (args.open or "10000,100000,1000000").split(",")]
    due_count = args.due or (10_000 if pg else 1_000)
    call_command("migrate", verbosity=0)
    county, _ = Area.objects.get_or_create(
        code="999902000000", defaults={"name": "压测县", "level": Level.COUNTY}
    )
    center, _ = Unit.objects.get_or_create(
        name="压测县综治中心", area=county, defaults={"kind": UnitKind.CENTER}
    )
    clerk, _ = get_user_model().objects.get_or_create(username="bench-clerk")
    Membership.objects.get_or_create(user=clerk, unit=center, role=Role.CLERK)
    now = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.UTC)
    future, past = now + datetime.timedelta(days=30), now - datetime.timedelta(hours=1)
    bench_cases = Case.objects.filter(code__startswith="BENCH")

    def grow(n: int) -> float:
        t0 = time.perf_counter()
        have = bench_cases.count()
        for start in range(have, n, 10_000):
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
                    for i in range(start, min(n, start + 10_000))
                ]
            )
            Deadline.objects.bulk_create(
                Deadline(
                    case=c,
                    clock=Clock.RESOLVE,
                    unit=center,
                    level=Level.COUNTY,
                    started_at=now - datetime.timedelta(days=30),
                    warn_at=future - datetime.timedelta(days=6),
                    due_at=future,
                )
                for c in cases
            )
        return time.perf_counter() - t0

    def reset(n: int) -> None:
        """Nothing swept yet; exactly due_count clocks due, spread over the n cases."""
        Delivery.objects.all().delete()
        Notification.objects.filter(recipient=clerk).delete()
        with transaction.atomic(), connection.cursor() as cursor:
            if pg:  # the timeline is append-only (a trigger): off for the bench's cleanup
                cursor.execute("ALTER TABLE cases_timelineevent DISABLE TRIGGER USER")
            TimelineEvent.objects.filter(case__code__startswith="BENCH").delete()
            if pg:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks left
                cursor.execute("ALTER TABLE cases_timelineevent ENABLE TRIGGER USER")
        CaseFact.objects.filter(case__code__startswith="BENCH").delete()
        Deadline.objects.exclude(due_at=future, overdue_at=None, warned_at=None).update(
            due_at=future,
            warn_at=future - datetime.timedelta(days=6),
            overdue_at=None,
            warned_at=None,
            state="open",
            met=None,
            closed_at=None,
        )
        codes = [f"BENCH-{i:08d}" for i in range(0, n, max(1, n // due_count))][:due_count]
        Deadline.objects.filter(case__code__in=codes).update(
            due_at=past, warn_at=past - datetime.timedelta(days=6)
        )
        if pg:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE routing_deadline")

    # The sending (notifications.services.send_later: with Celery, the workers' part) is
    # timed apart as well.
    import routing.sweep as sweep_module

    sending = [0.0]
    send_later = sweep_module.send_later

    def timed_send_later(*a, **kw):
        t0 = time.perf_counter()
        try:
            return send_later(*a, **kw)
        finally:
            sending[0] += time.perf_counter() - t0

    sweep_module.send_later = timed_send_later

    def counted(run):
        count = [0]

        def count_query(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count_query):
            t0 = time.perf_counter()
            result = run()
            return result, time.perf_counter() - t0, count[0]

    # A running scheduler has loaded the URLconf long ago (the notices' links need it).
    from django.urls import reverse

    reverse("healthz")
    print(f"database {connection.vendor}, {due_count:,} due, batches of 500")
    print(
        f"{'open':>10} {'due':>7} {'load s':>7} {'sweep s':>8} {'queries':>8} {'q/item':>6}"
        f" {'again s':>8}  result"
    )
    for n in sorted(sizes):
        load_s = grow(n)
        reset(n)
        due = Deadline.objects.filter(due_at__lte=now, overdue_at=None).count()
        sending[0] = 0.0
        result, sweep_s, queries = counted(lambda: sweep(now))
        send_s = sending[0]
        _, again_s, _ = counted(lambda: sweep(now))
        print(
            f"{n:>10,} {due:>7,} {load_s:>7.1f} {sweep_s:>8.2f} {send_s:>8.2f} {queries:>8,} "
            f"{queries / max(due, 1):>6.2f} {again_s:>8.3f}  {result}",
            flush=True,
        )
    if tmp:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
