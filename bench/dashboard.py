"""Dashboard benchmark: N cases over 3 years in a province-sized area tree, the figures
rebuilt from them (`rebuild_stats`), then p50/p95 of GET /stats/ for the province, a county
and a village (a year and a month), of the assessment page (a quarter), of the unit table
alone (`?part=units`, which a province's page fetches after it) and of the first page of
the cases behind a figure (the year's resolved cases).

    .venv/bin/python bench/dashboard.py [--n N] [--requests 30] [--load-only | --reuse]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiefen_bench_stats .venv/bin/python bench/dashboard.py

Default N: 1,000,000 on SQLite (a temporary file), 10,000,000 on PostgreSQL. The tree:
1 province, 12 cities, 120 counties, 1,440 towns, 21,600 villages, 43,200 grids, a center
per area down to the village. Cases, their outcome/follow-up/escalation events and the
missed resolve-by clocks (1 in 12 cases), risk grades (6 %) and 信访 records (2 %) are generated
in SQL. Prints figures; asserts nothing.
At 10,000,000 the load takes a while: `--load-only` once, then `--reuse` for each run.
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHAPE = [("city", 12), ("county", 10), ("town", 12), ("village", 15), ("grid", 2)]
YEARS_SECONDS = 1095 * 86_400
START = datetime.datetime(2023, 11, 24, tzinfo=datetime.UTC)


def build_tree():
    """Areas with explicit ids (so paths are known without a round trip) and centers."""
    from areas.models import Area, Level, Unit, UnitKind

    levels = [Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWN, Level.VILLAGE, Level.GRID]
    next_id = (Area.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    rows: list[Area] = []
    by_level: list[list[Area]] = []
    province = Area(
        id=next_id, code="980000000000", name="压测省", level=levels[0], population=60_000_000
    )
    province.path = f"/{province.id}/"
    rows.append(province)
    by_level.append([province])
    next_id += 1
    for depth, (_name, fanout) in enumerate(SHAPE, start=1):
        layer = []
        for parent in by_level[-1]:
            for k in range(fanout):
                a = Area(
                    id=next_id,
                    code=f"98{next_id:010d}",
                    name=f"{parent.name[-6:]}-{k + 1}",
                    level=levels[depth],
                    parent_id=parent.id,
                    population=max(500, parent.population // fanout),
                )
                a.path = f"{parent.path}{a.id}/"
                layer.append(a)
                next_id += 1
        rows += layer
        by_level.append(layer)
    Area.objects.bulk_create(rows, batch_size=5_000)
    units = Unit.objects.bulk_create(
        [
            Unit(name=f"{a.name}综治中心", kind=UnitKind.CENTER, area_id=a.id)
            for layer in by_level[:-1]
            for a in layer
        ],
        batch_size=5_000,
    )
    center = {u.area_id: u.id for u in units}
    return by_level, center


def loaded_tree():
    """The bench tree of an earlier run (--reuse), level by level, in creation order."""
    from areas.models import Area

    tree = Area.objects.filter(code__startswith="98").order_by("pk")
    return [
        list(tree.filter(level=lvl)) for lvl in sorted(set(tree.values_list("level", flat=True)))
    ]


def timestamp_sql(pg: bool):
    """SQL for START plus a number of seconds (an SQL expression), in the vendor's dialect."""
    base = START.strftime("%Y-%m-%d %H:%M:%S")

    def ts(seconds_sql: str) -> str:
        if pg:
            return f"(TIMESTAMPTZ '{base}+00' + ({seconds_sql}) * INTERVAL '1 second')"
        return f"strftime('%Y-%m-%d %H:%M:%S', '{base}', '+' || ({seconds_sql}) || ' seconds')"

    return ts


def series_sql(n: int, pg: bool) -> str:
    """A FROM item of the numbers 1…n as column i."""
    if pg:
        return f"generate_series(CAST(1 AS BIGINT), {n}) AS s(i)"
    return (
        f"(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) "
        "SELECT i FROM s) AS s"
    )


def load_cases(n: int, villages, grids, center) -> None:
    """Insert the cases, events and clocks with INSERT … SELECT over a number series."""
    from django.db import connection

    from cases.models import Category

    pg = connection.vendor == "postgresql"
    cats = list(Category.objects.exclude(parent=None).values_list("pk", flat=True)[:15])
    v0, nv, g0, ng = villages[0].id, len(villages), grids[0].id, len(grids)
    gpv = ng // nv
    # Villages and their centers were created in the same order, so ids are contiguous.
    u0 = center[v0]
    assert center[villages[-1].id] == u0 + nv - 1
    ts, series = timestamp_sql(pg), series_sql(n, pg)
    h = "((i * 2654435761) % 1000003)"
    sec = f"((i * 7919) % {YEARS_SECONDS})"
    r = "(i % 100)"
    village_idx = f"(CASE WHEN i % 3 = 0 THEN {h} % {nv} ELSE ({h} % {ng}) / {gpv} END)"
    area = f"(CASE WHEN i % 3 = 0 THEN {v0} + {h} % {nv} ELSE {g0} + {h} % {ng} END)"
    cat = "CASE i % 15 " + " ".join(f"WHEN {k} THEN {c}" for k, c in enumerate(cats)) + " END"
    channel = (
        "CASE i % 10 WHEN 0 THEN 'court' WHEN 1 THEN 'window' WHEN 2 THEN 'hotline' "
        "WHEN 3 THEN 'online' WHEN 4 THEN 'police' ELSE 'grid_app' END"
    )
    status = (
        f"CASE WHEN {r} < 70 THEN 'resolved' WHEN {r} < 78 THEN 'transferred' "
        f"WHEN {r} < 85 THEN 'terminated' WHEN {r} < 90 THEN 'stabilised' ELSE 'in_handling' END"
    )
    transfer = f"CASE WHEN {r} >= 70 AND {r} < 73 THEN 'litigation' " + (
        f"WHEN {r} >= 73 AND {r} < 78 THEN 'arbitration' ELSE '' END"
    )
    closed_sec = f"({sec} + 86400 * (1 + i % 29))"
    closed = f"CASE WHEN {r} < 85 THEN {ts(closed_sec)} ELSE NULL END"
    code = "'B' || CAST(i AS VARCHAR(12))" if pg else "'B' || i"
    with connection.cursor() as c:
        c.execute(
            "INSERT INTO cases_case (id, code, title, description, category_id, scale, "
            "people_involved, area_id, address, channel, external_ref, status, level, "
            "owner_unit_id, first_unit_id, triage_class, transfer_channel, outcome_note, "
            "location, complexity, created_at, updated_at, accepted_at, closed_at) "
            f"SELECT 50000000 + i, {code}, '压测', '压测', {cat}, '01', 1, {area}, '', "
            f"{channel}, '', {status}, 5, {u0} + {village_idx}, {u0} + {village_idx}, 'minor', "
            f"{transfer}, '', '', '', {ts(sec)}, {ts(sec)}, {ts(sec + ' + 600')}, {closed} "
            f"FROM {series}"
        )
        jsonb = "::jsonb" if pg else ""
        outcome = (
            f"CASE WHEN {r} < 70 THEN 'resolve' WHEN {r} < 78 THEN 'transfer' "
            f"WHEN {r} < 85 THEN 'terminate' ELSE 'stabilise' END"
        )
        # Generated rows carry no hash chain (verify_audit reports them): each kind gets its
        # own placeholder link, so the (case, prev_hash) uniqueness holds.
        event = (
            "INSERT INTO cases_timelineevent (case_id, at, kind, from_status, to_status, note, "
            "data, prev_hash, hash) SELECT 50000000 + i, {at}, {kind}, '', '', '', {data}{jsonb}, "
            "'bench:' || {kind}, '' FROM {series} WHERE {where}"
        )
        c.execute(
            event.format(
                at=ts(closed_sec),
                kind=outcome,
                data="'{}'",
                jsonb=jsonb,
                series=series,
                where=f"{r} < 90",
            )
        )
        satisfaction = (
            """CASE WHEN i % 7 = 0 THEN '{"satisfaction": "unsatisfied"}' """
            """WHEN i % 3 = 0 THEN '{"satisfaction": "basic"}' """
            """ELSE '{"satisfaction": "satisfied"}' END"""
        )
        c.execute(
            event.format(
                at=ts(closed_sec + " + 86400"),
                kind="'follow_up'",
                data=f"({satisfaction})",
                jsonb=jsonb,
                series=series,
                where=f"{r} < 60",
            )
        )
        c.execute(
            event.format(
                at=ts(sec + " + 3600"),
                kind="'escalated'",
                data="'{}'",
                jsonb=jsonb,
                series=series,
                where="i % 20 = 0",
            )
        )
        no_pause = "INTERVAL '0'" if pg else "0"  # paused_for: never paused
        c.execute(
            "INSERT INTO routing_deadline (case_id, clock, unit_id, level, started_at, due_at, "
            "state, overdue_at, closed_at, met, paused_for) "
            f"SELECT 50000000 + i, 'resolve', {u0} + {village_idx}, 5, {ts(sec)}, "
            f"{ts(sec + ' + 2592000')}, 'missed', {ts(sec + ' + 2592000')}, {closed}, "
            f"{'FALSE' if pg else '0'}, {no_pause} "
            f"FROM {series} WHERE i % 12 = 0"
        )
    load_prevention(n)  # and ANALYZE on PostgreSQL


def load_prevention(n: int) -> None:
    """Risk grades and 信访 records for the first n bench cases; `--add-prevention` adds them
    to a database loaded before the bench generated them."""
    from django.db import connection

    pg = connection.vendor == "postgresql"
    ts, series = timestamp_sql(pg), series_sql(n, pg)
    sec = f"((i * 7919) % {YEARS_SECONDS})"
    closed_sec = f"({sec} + 86400 * (1 + i % 29))"
    r = "(i % 100)"
    jsonb = "::jsonb" if pg else ""
    with connection.cursor() as c:
        # Risk grades on 6 % of the cases (yellow, orange, red 3:2:1, as judged at intake)
        # and a 信访 record on 2 %, with their own dates: the prevention and 信访 sections of
        # the dashboard count them.
        grade = "CASE i % 6 WHEN 0 THEN 'red' WHEN 1 THEN 'orange' WHEN 2 THEN 'orange' ELSE 'yellow' END"
        rank = "CASE i % 6 WHEN 0 THEN 3 WHEN 1 THEN 2 WHEN 2 THEN 2 ELSE 1 END"
        c.execute(
            "INSERT INTO risk_caserisk (case_id, grade, rank, source, reason, rules, set_at) "
            f"SELECT 50000000 + i, {grade}, {rank}, 'rule', '', '[]'{jsonb}, {ts(sec)} "
            f"FROM {series} WHERE i % 100 IN (3, 11, 29, 47, 61, 83)"
        )
        stage = (
            f"CASE WHEN {r} < 70 THEN 'replied' WHEN {r} < 85 THEN 'redirected' ELSE 'handling' END"
        )
        c.execute(
            "INSERT INTO petitions_petition (case_id, form, stage, registered_at, decision, "
            "decided_at, accepted_at, extended_days, extension_reason, replied_at) "
            f"SELECT 50000000 + i, 'visit', {stage}, {ts(sec)}, "
            f"CASE WHEN {r} >= 70 AND {r} < 85 THEN 'redirect' ELSE 'accept' END, "
            f"{ts(sec + ' + 86400')}, {ts(sec + ' + 86400')}, 0, '', "
            f"CASE WHEN {r} < 70 THEN {ts(closed_sec)} ELSE NULL END "
            f"FROM {series} WHERE i % 50 = 7"
        )
        if pg:
            c.execute("ANALYZE")


def timed_get(client, url: str, repeat: int) -> tuple[float, float, int]:
    client.get(url)  # warm the caches once, as a leader's second visit would
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, response.status_code
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], len(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=None)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument(
        "--reuse", action="store_true", help="use the bench cases already in this database"
    )
    parser.add_argument(
        "--add-prevention",
        action="store_true",
        help="with --reuse: add the risk grades and 信访 records to an older bench load",
    )
    parser.add_argument(
        "--skip-rebuild",
        action="store_true",
        help="with --reuse: the figures were rebuilt by an earlier run of the same code",
    )
    parser.add_argument(
        "--load-only", action="store_true", help="load the cases and stop (then run --reuse)"
    )
    args = parser.parse_args()
    if args.reuse and "DATABASE_URL" not in os.environ:
        sys.exit("--reuse needs DATABASE_URL naming the database loaded before.")

    tmp = None
    if "DATABASE_URL" not in os.environ:
        tmp = tempfile.mkdtemp(prefix="jiefen-bench-dashboard-")
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiefen.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from areas.models import Membership, Role, Unit, UnitKind
    from cases.models import Case

    n = args.n or (1_000_000 if connection.vendor == "sqlite" else 10_000_000)
    call_command("migrate", verbosity=0)
    loaded = Case.objects.filter(code="B1").exists()
    if loaded and not args.reuse:
        sys.exit("This database already holds bench cases; use a fresh one, or --reuse.")
    if args.reuse:
        if not loaded:
            sys.exit("--reuse: this database holds no bench cases.")
        by_level = loaded_tree()
        n = Case.objects.filter(code__startswith="B").count()
        if args.add_prevention:
            load_prevention(n)
        load_s = None
    else:
        t0 = time.perf_counter()
        by_level, center = build_tree()
        load_cases(n, by_level[4], by_level[5], center)
        load_s = time.perf_counter() - t0
        if args.load_only:
            print(f"loaded {n:,} cases in {load_s:.1f} s")
            return

    rebuild_s = None
    if not (args.reuse and args.skip_rebuild):
        t1 = time.perf_counter()
        call_command("rebuild_stats", stdout=open(os.devnull, "w"))
        rebuild_s = time.perf_counter() - t1

    setup_test_environment()
    # The province's leader, as in production: a scoped user, not a superuser (whose
    # visibility rules would be trivially fast).
    user, _ = get_user_model().objects.get_or_create(username="bench-province-leader")
    Membership.objects.get_or_create(
        user=user,
        unit=Unit.objects.get(area=by_level[0][0], kind=UnitKind.CENTER),
        role=Role.LEADER,
    )
    client = Client()
    client.force_login(user)
    print(f"database            {connection.vendor}")
    print(f"cases               {n:,} over 3 years")
    print(f"areas               {sum(len(x) for x in by_level):,}")
    if load_s is not None:
        print(f"load time           {load_s:.1f} s")
    if rebuild_s is not None:
        print(f"rebuild_stats       {rebuild_s:.1f} s")
    for label, area in (
        ("province", by_level[0][0]),
        ("county", by_level[2][37]),
        ("village", by_level[4][4321]),
    ):
        # A full year (or month) inside the 3-year span, compared with the one before; and
        # the assessment page for a quarter (its default period).
        for page, period, start in (
            ("dashboard", "year", "2025-07-01"),
            ("dashboard", "month", "2026-06-01"),
            ("assessment", "qtr", "2026-04-01"),
            # The unit table alone: a province's and a city's pages fetch it after the page.
            ("units", "year", "2025-07-01"),
            ("units", "month", "2026-06-01"),
            # The cases behind a figure (the year's resolved cases), first page.
            ("cases", "year", "2025-07-01"),
        ):
            path = {"assessment": "/stats/assessment/", "cases": "/stats/cases/"}.get(
                page, "/stats/"
            )
            url = f"{path}?area={area.id}&period=custom&start={start}&end=2026-06-30"
            if page == "units":
                url += "&part=units"
            if page == "cases":
                url += "&indicator=resolved"
            p50, p95, k = timed_get(client, url, args.requests)
            print(
                f"{page:<10} {label:<9} {period:<5} p50 {p50:6.0f} ms   p95 {p95:6.0f} ms"
                f"   ({k} requests)"
            )
    if tmp:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
