"""Rebuilding the figures from the cases (`manage.py rebuild_stats`) and checking them
against a fresh computation (`manage.py check_stats`)."""

import contextlib
import datetime
import itertools
from collections import Counter
from collections.abc import Callable, Iterable

from django.db import connection, transaction

from cases.models import Case

from . import petition_marks
from .facts import FACT_FIELDS, iter_facts
from .models import COUNTERS, NOW_DAY, CaseFact, DailyCount, Dim, PetitionDaily, PetitionFact
from .recorder import ROLLUPS

BATCH = 20_000


def _dim_sql(dim: str) -> str:
    return {
        Dim.TOTAL: "''",
        Dim.CATEGORY: "category",
        Dim.CHANNEL: "channel",
        Dim.LEVEL: "CAST(level AS VARCHAR(2))",
        Dim.COMPLEXITY: "complexity",
        Dim.UNIT_MONTH: "CAST(owner_unit_id AS VARCHAR(20))",
        Dim.CLOSED: "''",
        Dim.NOW: "''",
        Dim.NOW_CATEGORY: "category",
    }[dim]


def _day_sql(dim: str) -> str:
    """The roll-up row's day: the day of acceptance, the first of its month, or the day of
    closing."""
    if dim == Dim.CLOSED:
        return "closed_on"
    if dim in (Dim.NOW, Dim.NOW_CATEGORY):
        day = f"'{NOW_DAY.isoformat()}'"
        return f"DATE {day}" if connection.vendor == "postgresql" else day
    if dim != Dim.UNIT_MONTH:
        return "accepted_on"
    if connection.vendor == "postgresql":
        return "CAST(date_trunc('month', accepted_on) AS date)"
    return "date(accepted_on, 'start of month')"


def rollup_select(level: int, dim: str) -> str:
    """SQL summing the facts into the roll-up rows of one area level and dimension."""
    sums = ", ".join(f"SUM({c})" for c in COUNTERS)
    day, value = _day_sql(dim), _dim_sql(dim)
    return (
        f"SELECT {day}, l{level}, '{dim}', {value}, {sums} "
        f"FROM {CaseFact._meta.db_table} WHERE l{level} IS NOT NULL AND {day} IS NOT NULL "
        f"GROUP BY {day}, l{level}"
        + ("" if dim in (Dim.TOTAL, Dim.CLOSED, Dim.NOW) else f", {value}")
    )


def rebuild(progress: Callable[[int, int], None] | None = None) -> tuple[int, int]:
    """Recompute every fact from the cases and every roll-up row from the facts;
    `progress(cases done, cases in all)` is told after each chunk (stats.tasks shows it).

    One transaction: readers see the old figures until the new ones are complete. The fact
    table's secondary indexes are dropped while it is filled and built again afterwards,
    which at province scale is several times faster than keeping them up to date row by row.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        total = Case.objects.filter(accepted_at__isnull=False).count()
        report = (lambda done: progress(done, total)) if progress else None
        CaseFact.objects.all().delete()
        DailyCount.objects.all().delete()
        with _fact_indexes_dropped():
            facts = _write_facts(iter_facts(), report)
        cols = ", ".join(["day", "area_id", "dim", "value", *COUNTERS])
        with connection.cursor() as cursor:
            for level, dims in ROLLUPS.items():
                for dim in dims:
                    cursor.execute(
                        f"INSERT INTO {DailyCount._meta.db_table} ({cols}) "
                        + rollup_select(level, dim)
                    )
        petition_marks.rebuild()
        with connection.cursor() as cursor:
            # Fresh planner statistics: the tables' contents were all replaced.
            for model in (CaseFact, DailyCount, PetitionFact, PetitionDaily):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    return facts, DailyCount.objects.count()


@contextlib.contextmanager
def _fact_indexes_dropped():
    schema = connection.schema_editor()  # only to spell CREATE INDEX; not entered
    indexes = CaseFact._meta.indexes
    with connection.cursor() as cursor:
        for index in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(index.name)}")
        yield
        pg = connection.vendor == "postgresql"
        if pg:  # PostgreSQL builds no index over rows whose foreign keys are still unchecked
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for index in indexes:
            cursor.execute(str(index.create_sql(CaseFact, schema)))
        if pg:  # back to Django's default for the rest of the transaction
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _cell(value):
    """A fact's value as COPY and executemany take it (dates as ISO text)."""
    return value.isoformat() if isinstance(value, datetime.date) else value


def _write_facts(
    facts: Iterable[tuple[int, dict]], report: Callable[[int], None] | None = None
) -> int:
    """Insert (case id, fact) rows in bulk: COPY on PostgreSQL, batched INSERTs elsewhere.
    Plain tuples, not model instances: building 10 million instances would dominate."""
    cols = ["case_id", *FACT_FIELDS]
    table = CaseFact._meta.db_table
    rows = ((case_id, *(_cell(fact[f]) for f in FACT_FIELDS)) for case_id, fact in facts)
    insert = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})"
    written = 0
    with connection.cursor() as cursor:
        # A chunk is read completely before it is written: the COPY holds the connection,
        # and reading the next cases needs it.
        while batch := list(itertools.islice(rows, BATCH)):
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
            else:
                cursor.executemany(insert, batch)
            written += len(batch)
            if report:
                report(written)
    return written


def differences(limit: int = 50) -> list[str]:
    """Where the stored figures differ from a fresh computation; empty when consistent."""
    out: list[str] = []
    stored_ids = set(CaseFact.objects.values_list("case_id", flat=True))
    batch: dict[int, dict] = {}

    def compare(batch: dict[int, dict]) -> None:
        stored = {
            row["case_id"]: row
            for row in CaseFact.objects.filter(case_id__in=list(batch)).values(
                "case_id", *FACT_FIELDS
            )
        }
        for case_id, fact in batch.items():
            row = stored.get(case_id)
            if row is None:
                out.append(f"case {case_id}: fact missing")
                continue
            for k, v in fact.items():
                if row[k] != v:
                    out.append(f"case {case_id}: {k} stored {row[k]!r}, computed {v!r}")

    for case_id, fact in iter_facts():
        stored_ids.discard(case_id)
        batch[case_id] = fact
        if len(batch) >= BATCH:
            compare(batch)
            batch = {}
    compare(batch)
    out += [f"case {i}: fact of a case that was never accepted" for i in sorted(stored_ids)]

    expected: dict[tuple, tuple] = {}
    with connection.cursor() as cursor:
        for level, dims in ROLLUPS.items():
            for dim in dims:
                cursor.execute(rollup_select(level, dim))
                for day, area_id, d, value, *counts in cursor.fetchall():
                    expected[(str(day), area_id, d, value)] = tuple(int(c) for c in counts)
    actual = {
        (str(r[0]), r[1], r[2], r[3]): tuple(r[4:])
        for r in DailyCount.objects.values_list("day", "area_id", "dim", "value", *COUNTERS)
        if any(r[4:])
    }
    for key in sorted(set(expected) | set(actual)):
        if expected.get(key) != actual.get(key):
            out.append(f"roll-up {key}: stored {actual.get(key)}, computed {expected.get(key)}")
    out += petition_differences()
    return out[:limit] if limit else out


def petition_differences() -> list[str]:
    """The petitions' stored marks and daily sums against a fresh computation."""
    out = []
    stored = petition_marks.stored(PetitionFact.objects.all())
    expected_daily: Counter = Counter()
    for pk, (path, marks) in petition_marks.computed_all():
        if stored.pop(pk, None) != (path, marks):
            out.append(f"petition {pk}: marks stored differ from computed {marks}")
        petition_marks.add_marks(expected_daily, path, marks, 1)
    out += [f"petition {pk}: marks of a petition that does not exist" for pk in stored]
    actual = {
        (r.area_id, r.mark, r.day.isoformat()): r.n for r in PetitionDaily.objects.exclude(n=0)
    }
    for key in sorted(set(expected_daily) | set(actual)):
        if expected_daily.get(key) != actual.get(key):
            out.append(
                f"petition daily {key}: stored {actual.get(key)}, computed {expected_daily.get(key)}"
            )
    return out
