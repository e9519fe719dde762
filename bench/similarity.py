"""Similarity proposals at scale: how long `propose_repeats` (并单 proposals, shown on a new
case's page right after intake) takes on PostgreSQL with a million cases, and whether the
text search stays within the town's newest cases (an index range, not a scan).

It builds the data itself in its own database (default jiefen_bench_similarity): one county
with 100 towns of 10 villages, N cases with the demo's dispute wording (names, places, sums
and organisations vary, as in real reports) spread over two years, each with an applicant
and a respondent. The rows are COPYed in; nothing else writes them. Then it registers a few
new reports through the ordinary intake (some repeating an earlier case, some new), times
the proposals for each and prints the figures and the query plan. It never asserts timings.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiefen_bench_similarity \\
        .venv/bin/python bench/similarity.py --n 1000000 [--towns 800]
    (--keep reuses the cases of an earlier run)
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiefen.settings")
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/jiefen_bench_similarity"
# A province's million cases over two years are spread over thousands of towns; the default,
# 100 towns of 10 villages, is far denser than that (10,000 cases a town), so the figure errs
# on the slow side; --towns 800 (1,250 cases a town) is closer to a province, still denser.
TOWNS = 100


def setup() -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        sys.exit("This benchmark measures PostgreSQL: set DATABASE_URL to a PostgreSQL database.")
    import subprocess

    name = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
    exists = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc",
         f"SELECT 1 FROM pg_database WHERE datname='{name}'"],
        capture_output=True, text=True, check=False,
    ).stdout.strip()  # fmt: skip
    if exists != "1":
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], check=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def county(towns: int = TOWNS):
    from django.contrib.auth import get_user_model

    from areas.models import Area, Level, Membership, Role, Unit, UnitKind

    top, _ = Area.objects.get_or_create(
        code="999901000000", defaults={"name": "压测县", "level": Level.COUNTY}
    )
    center, _ = Unit.objects.get_or_create(
        name="压测县综治中心", area=top, defaults={"kind": UnitKind.CENTER}
    )
    villages = []
    for t in range(towns):
        town, _ = Area.objects.get_or_create(
            code=f"999901{100 + t:03d}000",
            defaults={"name": f"压测镇{t + 1}", "level": Level.TOWN, "parent": top},
        )
        for v in range(10):
            village, _ = Area.objects.get_or_create(
                code=f"999901{100 + t:03d}{200 + v:03d}",
                defaults={
                    "name": f"压测{t + 1}镇{v + 1}村",
                    "level": Level.VILLAGE,
                    "parent": town,
                },
            )
            villages.append(village)
    user, _ = get_user_model().objects.get_or_create(username="bench-similarity")
    Membership.objects.get_or_create(user=user, unit=center, role=Role.CLERK)
    return user, center, villages


def report_text(rng: random.Random, village) -> tuple[str, str, str, str]:
    """(category, title, description, respondent) in the demo's wording."""
    from demo.people import SURNAMES, person_name
    from demo.scenarios import ORGANISATIONS, ROADS, SCENARIOS

    sc = rng.choice(SCENARIOS)
    org = rng.choice(ORGANISATIONS[sc.respondent]) if sc.respondent != "person" else ""
    amount = rng.randrange(*sc.amount) // 100 * 100 if sc.amount else 0
    values = {
        "a": person_name(rng),
        "b": person_name(rng),
        "n": rng.randint(*sc.people),
        "org": org,
        "place": village.name,
        "amount": amount,
        "amount2": amount * 8 // 10,
        "days": rng.choice([15, 20, 30]),
        "mu": rng.randint(2, 12),
        "months": rng.randint(4, 20),
        "m": round(rng.uniform(0.3, 1.5), 1),
        "year": rng.randint(2018, 2025),
        "years": rng.randint(2, 9),
        "old": rng.choice(SURNAMES) + "某",
        "road": rng.choice(ROADS),
    }
    title = rng.choice(sc.titles).format_map(values)[:100]
    return sc.category, title, sc.description.format_map(values), org or values["b"]


def build(n: int, user, center, villages, now: datetime.datetime) -> None:
    """N cases and 2N parties, COPYed in; the indexes are there already (as in production)."""
    from django.db import connection

    from cases.models import Case, Category, Party

    rng = random.Random(1)
    categories = dict(Category.objects.values_list("code", "pk"))
    template = Case(
        title="", description="", area=villages[0], channel="window", level=3,
        owner_unit=center, first_unit=center, created_at=now, updated_at=now,
    )  # fmt: skip
    case_fields = [f for f in Case._meta.concrete_fields if f.attname != "id"]
    party_fields = [f for f in Party._meta.concrete_fields if f.attname != "id"]
    start = now - datetime.timedelta(days=730)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM cases_case")
        (first_id,) = cursor.fetchone()
    t0 = time.perf_counter()
    # The trigram index is built once after the load (faster than row by row).
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS repeats_case_text_trgm")
    batch = 50_000
    for lo in range(0, n, batch):
        cases, parties = [], []
        for i in range(lo, min(n, lo + batch)):
            village = rng.choice(villages)
            category, title, description, respondent = report_text(rng, village)
            created = start + datetime.timedelta(seconds=rng.uniform(0, 730 * 86_400))
            row = {f.attname: getattr(template, f.attname) for f in case_fields}
            row.update(
                code=f"BENCH-{i:08d}", title=title, description=description,
                category_id=categories.get(category), area_id=village.pk,
                created_at=created, updated_at=created, status="accepted",
                accepted_at=created, reporter_id=None,
            )  # fmt: skip
            cases.append([row[f.attname] for f in case_fields])
            case_id = first_id + i + 1
            for role, name in (("applicant", f"申请人{i}"), ("respondent", respondent)):
                prow = {f.attname: getattr(Party(), f.attname) for f in party_fields}
                prow.update(
                    case_id=case_id, role=role, name=name,
                    phone=f"139{i:08d}" if role == "applicant" else "",
                )  # fmt: skip
                parties.append([prow[f.attname] for f in party_fields])
        with connection.cursor() as cursor:
            raw = cursor.cursor
            cols = ", ".join(f.column for f in case_fields)
            with raw.copy(f"COPY cases_case ({cols}) FROM STDIN") as copy:
                for r in cases:
                    copy.write_row(r)
            cols = ", ".join(f.column for f in party_fields)
            with raw.copy(f"COPY cases_party ({cols}) FROM STDIN") as copy:
                for r in parties:
                    copy.write_row(r)
        print(f"  {min(n, lo + batch):>9,} cases  {time.perf_counter() - t0:6.0f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('cases_case', 'id'), MAX(id)) FROM cases_case"
        )
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('cases_party', 'id'), MAX(id)) FROM cases_party"
        )
        cursor.execute("ANALYZE cases_case")
        cursor.execute("ANALYZE cases_party")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--reports", type=int, default=20, help="new reports to time")
    parser.add_argument("--keep", action="store_true", help="reuse the cases already there")
    parser.add_argument(
        "--towns", type=int, default=TOWNS, choices=range(1, 900), metavar="1..899",
        help="towns of 10 villages the cases are spread over (a database of its own per value)",
    )  # fmt: skip
    args = parser.parse_args()
    setup()

    from django.db import connection

    from cases.models import Case
    from cases.services import CaseInput, PartyInput, register_case
    from jiefen import clock
    from repeats.models import RepeatRule
    from repeats.proposals import (
        CANDIDATES,
        SIMILAR_SQL,
        TEXT_MATCHES,
        case_text,
        propose_repeats,
        similar_cases,
    )

    now = clock.now()
    user, center, villages = county(args.towns)
    have = Case.objects.filter(code__startswith="BENCH-").count()
    if not args.keep or have < args.n:
        if have:
            sys.exit(f"{have:,} bench cases exist: use --keep, or drop the database first.")
        print(f"building {args.n:,} cases …", flush=True)
        build(args.n, user, center, villages, now)
    total = Case.objects.count()
    rng = random.Random(2)
    timings, text_timings, found = [], [], []
    window = datetime.timedelta(days=RepeatRule.current().window_days)
    sample = list(Case.objects.filter(code__startswith="BENCH-").order_by("?")[: args.reports // 2])
    for i in range(args.reports):
        village = rng.choice(villages)
        if i % 2 == 0 and sample:  # a repeat: an earlier case's text, reported again
            earlier = sample.pop()
            title, description = earlier.title, "再次反映：" + earlier.description
            category = earlier.category.code if earlier.category else ""
            village = earlier.area
        else:
            category, title, description, _ = report_text(rng, village)
        case = register_case(
            user,
            CaseInput(
                title=title, description=description, area_code=village.code,
                channel="hotline", category_code=category,
                parties=[PartyInput(name=f"来电人{i}", phone=f"137{i:08d}")],
            ),
            now,
        )  # fmt: skip
        t = time.perf_counter()
        proposals = propose_repeats(user, case, now)
        timings.append((time.perf_counter() - t) * 1000)
        found.append(len(proposals))
        t = time.perf_counter()
        similar_cases(case, now - window, now + window, 0.3)
        text_timings.append((time.perf_counter() - t) * 1000)
    town = case.area.parent
    areas = [town.pk, *town.children.values_list("pk", flat=True)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"EXPLAIN {SIMILAR_SQL}",
            [case_text(case), areas, now - window, now, case.pk, CANDIDATES, 0.3, TEXT_MATCHES],
        )
        plan = "\n".join("    " + r[0] for r in cursor.fetchall())
    timings.sort()
    print(f"cases in the database: {total:,}")
    print(
        f"proposals per new report, {len(timings)} reports: median "
        f"{statistics.median(timings):.1f} ms, p95 {timings[int(len(timings) * 0.95) - 1]:.1f} ms, "
        f"max {timings[-1]:.1f} ms"
    )
    text_timings.sort()
    print(
        f"of which the similar-text search: median {statistics.median(text_timings):.1f} ms, "
        f"max {text_timings[-1]:.1f} ms"
    )
    print(f"proposals found: repeats {found[0::2]}, new reports {found[1::2]}")
    print("text search plan:\n" + plan)


if __name__ == "__main__":
    main()
