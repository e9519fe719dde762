"""研判 agenda benchmark: a county center with N open cases (default 20,000) and P key persons
(default 2,000) on a temporary SQLite database (or DATABASE_URL). Times, best of --runs:
opening a meeting (the agenda built and written), GET of the agenda page (50 items a
page) and of a key person's file with 200 cases. Prints figures; asserts nothing. The intake's cost of the grade rules (+2 queries) is measured by
tests/test_risk.py.

    .venv/bin/python bench/risk_agenda.py [--cases 20000] [--persons 2000] [--runs 5]
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

NOW = datetime.datetime(2026, 11, 25, 2, 0, tzinfo=datetime.UTC)  # a Wednesday, 10:00 local


def load(n_cases: int, n_persons: int):
    from django.contrib.auth import get_user_model

    from areas.models import Area, Level, Membership, Role, Unit, UnitKind
    from cases.models import Case, CaseUnit, Party
    from clocks.models import Clock, Deadline
    from risk.models import RANK, CaseRisk, Grade, KeyPerson, KeyPersonCase, MeetingSchedule

    county = Area.objects.create(code="990100000000", name="压测县", level=Level.COUNTY)
    center = Unit.objects.create(name="压测县综治中心", kind=UnitKind.CENTER, area=county)
    villages = []
    for t in range(10):
        town = Area.objects.create(
            code=f"9901{t + 1:02d}000000", name=f"镇{t + 1}", level=Level.TOWN, parent=county
        )
        Unit.objects.create(name=f"镇{t + 1}综治中心", kind=UnitKind.CENTER, area=town)
        for v in range(20):
            village = Area.objects.create(
                code=f"9901{t + 1:02d}{v + 1:03d}000",
                name=f"镇{t + 1}村{v + 1}",
                level=Level.VILLAGE,
                parent=town,
            )
            unit = Unit.objects.create(
                name=f"{village.name}综治中心", kind=UnitKind.CENTER, area=village
            )
            villages.append((village, unit))
    clerk = get_user_model().objects.create_user("bench-clerk", password="x")
    Membership.objects.create(user=clerk, unit=center, role=Role.CLERK)
    leader = get_user_model().objects.create_user("bench-leader", password="x")
    Membership.objects.create(user=leader, unit=center, role=Role.LEADER)
    MeetingSchedule.objects.create(center=center, name="每周三、周五研判", weekdays="3,5")

    cases = []
    for i in range(n_cases):
        village, unit = villages[i % len(villages)]
        created = NOW - datetime.timedelta(minutes=7 * i + 5)
        cases.append(
            Case(
                code=f"R{i}",
                title=f"压测纠纷{i}",
                description="压测",
                area=village,
                channel="window",
                status="accepted",
                level=Level.VILLAGE,
                owner_unit=unit,
                first_unit=unit,
                created_at=created,
                updated_at=created,
                accepted_at=created,
            )
        )
    Case.objects.bulk_create(cases, batch_size=2_000)
    cases = list(Case.objects.filter(code__startswith="R").order_by("pk"))
    CaseUnit.objects.bulk_create(
        [CaseUnit(case=c, unit=c.owner_unit, relation="owner", since=c.created_at) for c in cases],
        batch_size=2_000,
    )
    # Every 10th person has a second case (repeat); every 20th case is graded, a third red.
    Party.objects.bulk_create(
        [
            Party(case=c, name=f"当事人{i}", id_number=f"9{(i if i % 10 else i + 1):017d}")
            for i, c in enumerate(cases)
        ],
        batch_size=2_000,
    )
    graded = [
        CaseRisk(
            case=c,
            grade=(g := [Grade.RED, Grade.ORANGE, Grade.YELLOW][i % 3]),
            rank=RANK[g],
            source="manual",
            set_at=c.created_at,
        )
        for i, c in enumerate(cases[::20])
    ]
    CaseRisk.objects.bulk_create(graded, batch_size=2_000)
    # A resolve-by clock per case; one in 15 is overdue.
    Deadline.objects.bulk_create(
        [
            Deadline(
                case=c,
                clock=Clock.RESOLVE,
                unit=c.owner_unit,
                level=c.level,
                started_at=c.created_at,
                due_at=NOW - datetime.timedelta(hours=1)
                if i % 15 == 0
                else NOW + datetime.timedelta(days=20),
            )
            for i, c in enumerate(cases)
        ],
        batch_size=2_000,
    )
    persons = KeyPerson.objects.bulk_create(
        [
            KeyPerson(
                name=f"重点人员{i}",
                id_number=f"8{i:017d}",
                area=villages[i % len(villages)][0],
                responsible=clerk,
                visit_days=14,
                visit_due_at=NOW + datetime.timedelta(days=3),
                visit_overdue_at=NOW if i % 7 == 0 else None,
                created_at=NOW - datetime.timedelta(days=30),
            )
            for i in range(n_persons)
        ],
        batch_size=2_000,
    )
    big = KeyPerson.objects.get(name="重点人员1")
    KeyPersonCase.objects.bulk_create(
        [
            KeyPersonCase(person=big, case=c, source="manual", linked_at=NOW)
            for c in cases[: min(200, len(cases))]
        ]
    )
    return center, clerk, big, len(persons)


def best(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--persons", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        tmp = tempfile.mkdtemp(prefix="jiefen-bench-risk-")
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        os.environ["JIEFEN_VAR_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiefen.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from jiefen import clock
    from risk import meetings
    from risk.models import Meeting, MeetingKind

    call_command("migrate", verbosity=0)
    t = time.perf_counter()
    center, clerk, big, n_persons = load(args.cases, args.persons)
    load_s = time.perf_counter() - t
    setup_test_environment()
    client = Client()
    client.force_login(clerk)
    opened = []

    def open_meeting():
        Meeting.objects.filter(center=center).delete()
        opened[:] = [meetings.open_meeting(clerk, center, NOW.date(), MeetingKind.AD_HOC, NOW)]

    with clock.pinned(NOW):
        open_ms = best(open_meeting, args.runs)
        meeting = opened[0]
        items = meeting.items.count()
        page_ms = best(lambda: client.get(f"/risk/meetings/{meeting.pk}/"), args.runs)
        assert client.get(f"/risk/meetings/{meeting.pk}/").status_code == 200
        file_ms = best(lambda: client.get(f"/risk/persons/{big.pk}/"), args.runs)
    print(f"database              {connection.vendor}")
    print(f"open cases            {args.cases:,}; key persons {n_persons:,}; load {load_s:.1f} s")
    print(f"agenda items          {items:,} (+{meeting.persons.count():,} key persons)")
    print(f"open a meeting        {open_ms:.0f} ms (agenda built and written)")
    print(f"agenda page           {page_ms:.0f} ms (first page of 50 items)")
    print(f"key person, 200 cases {file_ms:.0f} ms")


if __name__ == "__main__":
    main()
