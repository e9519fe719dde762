"""Rebuilding the figures from the cases (`manage.py rebuild_stats`) and checking them
against a fresh computation (`manage.py check_stats`)."""

from django.db import connection, transaction

from .facts import FACT_FIELDS, iter_facts
from .models import COUNTERS, CaseFact, DailyCount, Dim
from .recorder import ROLLUP_LEVELS

BATCH = 5_000


def _dim_sql(dim: str) -> str:
    return {
        Dim.TOTAL: "''",
        Dim.CATEGORY: "category",
        Dim.CHANNEL: "channel",
        Dim.LEVEL: "CAST(level AS VARCHAR(2))",
    }[dim]


def rollup_select(level: int, dim: str) -> str:
    """SQL summing the facts into the roll-up rows of one area level and dimension."""
    sums = ", ".join(f"SUM({c})" for c in COUNTERS)
    value = _dim_sql(dim)
    return (
        f"SELECT accepted_on, l{level}, '{dim}', {value}, {sums} "
        f"FROM {CaseFact._meta.db_table} WHERE l{level} IS NOT NULL "
        f"GROUP BY accepted_on, l{level}" + ("" if dim == Dim.TOTAL else f", {value}")
    )


def rebuild() -> tuple[int, int]:
    """Recompute every fact from the cases and every roll-up row from the facts."""
    with transaction.atomic():
        CaseFact.objects.all().delete()
        DailyCount.objects.all().delete()
        buffer: list[CaseFact] = []
        facts = 0
        for case_id, fact in iter_facts():
            buffer.append(CaseFact(case_id=case_id, **fact))
            if len(buffer) >= BATCH:
                CaseFact.objects.bulk_create(buffer)
                facts += len(buffer)
                buffer = []
        CaseFact.objects.bulk_create(buffer)
        facts += len(buffer)
        cols = ", ".join(["day", "area_id", "dim", "value", *COUNTERS])
        with connection.cursor() as cursor:
            for level in ROLLUP_LEVELS:
                for dim in Dim.values:
                    cursor.execute(
                        f"INSERT INTO {DailyCount._meta.db_table} ({cols}) "
                        + rollup_select(level, dim)
                    )
    return facts, DailyCount.objects.count()


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
        for level in ROLLUP_LEVELS:
            for dim in Dim.values:
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
    return out[:limit] if limit else out
