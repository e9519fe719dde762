"""Keeps the figures current: called by cases.services.append_event for every timeline event,
inside the transaction of the change, so a figure never disagrees with the cases.

Each event recomputes its case's fact; the difference to the stored fact is added to the
daily roll-up rows of the case's large ancestor areas (one upsert statement). Bulk work in
one transaction may defer that to its end (`deferred()`): each case is then refreshed once."""

import datetime
from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connection, transaction

from areas.models import Area, path_ids
from petitions.models import Petition

from .facts import facts_of
from .models import COUNTERS, NOW_DAY, SUM_ANNOTATIONS, CaseFact, DailyCount, Dim
from .petition_marks import refresh_petitions

# Which areas keep daily roll-up rows, and for which dimensions: a province, a city, a
# county for every breakdown and its units by month (its unit table lists every unit that
# owns a case of it, tens of thousands in a province); a town for its total only, so that a
# county's table of towns is summed from a few rows per town and day. Villages and grids,
# and a town's breakdowns and units, are summed from their facts, which are few per area.
# Dim.NOW rows (a town's total too) count the cases as they stand, whatever the day.
ROLLUPS: dict[int, tuple[str, ...]] = {
    1: tuple(Dim.values),
    2: tuple(Dim.values),
    3: tuple(Dim.values),
    4: (Dim.TOTAL, Dim.NOW),
}


def has_rollup(level: int, dim: str = Dim.TOTAL) -> bool:
    return dim in ROLLUPS.get(level, ())


def rollup_keys(fact: dict) -> list[tuple[datetime.date, int, str, str]]:
    """The (day, area, dim, value) rows a fact is counted in."""
    day = fact["accepted_on"]
    key_of = {
        Dim.TOTAL: (day, ""),
        Dim.CATEGORY: (day, fact["category"]),
        Dim.CHANNEL: (day, fact["channel"]),
        Dim.LEVEL: (day, str(fact["level"])),
        Dim.COMPLEXITY: (day, fact["complexity"]),
        Dim.UNIT_MONTH: (day.replace(day=1), str(fact["owner_unit_id"])),
        Dim.CLOSED: (fact["closed_on"], ""),
        Dim.NOW: (NOW_DAY, ""),
        Dim.NOW_CATEGORY: (NOW_DAY, fact["category"]),
    }
    keys = []
    for level, dims in ROLLUPS.items():
        area_id = fact[f"l{level}"]
        if area_id is None:
            continue
        for dim in dims:
            row_day, value = key_of[dim]
            if row_day is None:  # Dim.CLOSED of a case not closed
                continue
            keys.append((row_day, area_id, str(dim), value))
    return keys


def new_deltas() -> dict[tuple, list[int]]:
    """Roll-up key → counter deltas (in COUNTERS order), filled by add_fact."""
    return defaultdict(lambda: [0] * len(COUNTERS))


def add_fact(deltas: dict[tuple, list[int]], fact: dict, sign: int) -> None:
    """Count a fact (or a sum of facts) into, sign 1, or out of, sign -1, its roll-up rows."""
    for key in rollup_keys(fact):
        row = deltas[key]
        for i, name in enumerate(COUNTERS):
            row[i] += sign * int(fact[name])


_deferred: ContextVar[set[int] | None] = ContextVar("stats_deferred", default=None)
BATCH = 500


def record_event(event) -> None:
    """Bring the figures of the event's case up to date (inside `deferred()`: note the case)."""
    if not event.prev_hash and event.case.accepted_at is None:
        # A case's first event, before it is accepted (its registration): only accepted cases
        # have facts, and it had no event before that could have counted it; nothing changes.
        return
    pending = _deferred.get()
    if pending is not None:
        pending.add(event.case_id)
        return
    with transaction.atomic():
        refresh_case(event.case_id)


def record_events(events) -> None:
    """Many events at once (cases.services.append_events): each case refreshed once."""
    case_ids = sorted({e.case_id for e in events})
    pending = _deferred.get()
    if pending is not None:
        pending.update(case_ids)
        return
    with transaction.atomic():
        refresh_cases(case_ids)


@contextmanager
def deferred():
    """For bulk work (the demo seed): one transaction in which events only note their case;
    at its end every noted case is refreshed once. The figures come out as after a refresh
    per event, with a fraction of the queries, and no one sees them disagree in between."""
    if _deferred.get() is not None:  # nested: the outermost block refreshes
        yield
        return
    pending: set[int] = set()
    with transaction.atomic():
        token = _deferred.set(pending)
        try:
            yield
        finally:
            _deferred.reset(token)
        refresh_cases(sorted(pending))


def refresh_case(case_id: int) -> None:
    refresh_cases([case_id])


def refresh_cases(case_ids: list[int]) -> None:
    """Recompute these cases' facts; store the changed ones and add the differences to the
    roll-ups (in batches: a handful of statements per batch, not per case)."""
    for start in range(0, len(case_ids), BATCH):
        chunk = case_ids[start : start + BATCH]
        new_facts = facts_of(chunk)
        old_rows = {
            row["case_id"]: row
            for row in CaseFact.objects.select_for_update().filter(case_id__in=chunk).values()
        }
        deltas = new_deltas()
        created, deleted = [], []
        for case_id in chunk:
            new, old_row = new_facts.get(case_id), old_rows.get(case_id)
            old = {k: old_row[k] for k in new or old_row} if old_row else None
            if old == new:
                continue
            for fact, sign in ((old, -1), (new, 1)):
                if fact is not None:
                    add_fact(deltas, fact, sign)
            if new is None:
                deleted.append(case_id)
            elif old is None:
                created.append(CaseFact(case_id=case_id, **new))
            else:
                CaseFact.objects.filter(case_id=case_id).update(**new)
        if deleted:
            CaseFact.objects.filter(case_id__in=deleted).delete()
        CaseFact.objects.bulk_create(created)
        add_to_rollup({k: v for k, v in deltas.items() if any(v)})
        refresh_petitions(chunk)


def add_to_rollup(deltas: dict[tuple, list[int]]) -> None:
    """Add counter deltas to roll-up rows in one upsert; keys sorted so that concurrent
    writers lock rows in the same order."""
    if not deltas:
        return
    table = DailyCount._meta.db_table
    cols = ["day", "area_id", "dim", "value", *COUNTERS]
    row_sql = "(" + ", ".join(["%s"] * len(cols)) + ")"
    params: list = []
    for (day, area_id, dim, value), counts in sorted(deltas.items()):
        params += [connection.ops.adapt_datefield_value(day), area_id, dim, value, *counts]
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTERS)
    sql = (
        f"INSERT INTO {table} ({', '.join(cols)}) VALUES "
        + ", ".join([row_sql] * len(deltas))
        + f" ON CONFLICT (area_id, dim, day, value) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def move_subtree(sender, area: Area, old_path: str, **kwargs) -> None:
    """An area moved to another parent (areas.signals.area_moved): its cases now count in
    other ancestors. Their facts get the new ancestor ids, and their sums leave the old
    ancestors' roll-up rows and join the new ones; no case is read."""
    old_ids = path_ids(old_path)[:-1]
    new_ids = area.ancestor_ids[:-1]
    level_of = dict(Area.objects.filter(pk__in=old_ids + new_ids).values_list("pk", "level"))
    old = {level_of[i]: i for i in old_ids if i in level_of}
    new = {level_of[i]: i for i in new_ids}
    changed = {lvl for lvl in set(old) | set(new) if old.get(lvl) != new.get(lvl)}
    if not changed:
        return
    facts = CaseFact.objects.filter(**{f"l{area.level}": area.pk})
    deltas = new_deltas()
    groups = facts.values(
        "accepted_on", "closed_on", "category", "channel", "level", "owner_unit_id", "complexity"
    ).annotate(**SUM_ANNOTATIONS)
    for group in groups:
        for ancestors, sign in ((old, -1), (new, 1)):
            # Only the changed large ancestors: the others keep counting these cases.
            moved = {f"l{lvl}": ancestors.get(lvl) if lvl in changed else None for lvl in ROLLUPS}
            add_fact(deltas, {**group, **moved}, sign)
    facts.update(**{f"l{lvl}": new.get(lvl) for lvl in changed})
    add_to_rollup({k: v for k, v in deltas.items() if any(v)})
    # Petitions count in every ancestor: their marks move with a recount (they are few).
    refresh_petitions(
        list(
            Petition.objects.filter(case__area__path__startswith=area.path).values_list(
                "case_id", flat=True
            )
        )
    )
