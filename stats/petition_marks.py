"""The 信访 figures' pre-computed form: each petition's dated marks, summed per area and day.

A mark is one thing a petition is counted for, on one Asia/Shanghai day: registered,
accepted (受理), pointed to the competent channel (告知), extended, 复查 or 复核 requested, open
now (on its registration day, so "open now" is the sum of all days), and for each family
of its clocks (15-day decision, the reply, 复查/复核) one "due" mark on the day it closed —
or, while open, on its due day once the sweep has found it overdue — plus a "met" mark when
it closed in time. A figure of a period sums the marks of its days (stats/petition_figures.py).

The recorder refreshes a case's petition with its fact (every timeline event, and the
sweep's batches); the difference to the stored marks is added to the daily rows of every
ancestor area of the case, in the same transaction. `rebuild` recomputes them all.
"""

import datetime
from collections import Counter
from collections.abc import Iterable, Iterator

from django.db import connection

from areas.models import path_ids
from clocks.models import Clock, Deadline, DeadlineState
from petitions.models import OPEN_STAGES, Decision, Petition

from .facts import local_day
from .models import PetitionDaily, PetitionFact

FAMILY = {
    Clock.PETITION_DECIDE: "decide",
    Clock.PETITION_REPLY: "reply",
    Clock.PETITION_REVIEW: "second",
    Clock.PETITION_RECHECK: "second",
}
PETITION_FIELDS = (
    "pk",
    "case_id",
    "case__area__path",
    "registered_at",
    "accepted_at",
    "decision",
    "decided_at",
    "extended_at",
    "review_requested_at",
    "recheck_requested_at",
    "stage",
)
Marks = list[tuple[str, str]]


def marks_of(p: dict, clocks: list[dict]) -> Marks:
    """The marks of one petition (a row of PETITION_FIELDS) and its petition clocks."""
    out = [("registered", p["registered_at"])]
    for mark, at in (
        ("accepted", p["accepted_at"]),
        ("redirected", p["decided_at"] if p["decision"] == Decision.REDIRECT else None),
        ("extended", p["extended_at"]),
        ("reviews", p["review_requested_at"]),
        ("rechecks", p["recheck_requested_at"]),
    ):
        if at is not None:
            out.append((mark, at))
    if p["stage"] in OPEN_STAGES:
        out.append(("open", p["registered_at"]))
    for d in clocks:
        family = FAMILY[d["clock"]]
        if d["state"] in (DeadlineState.MET, DeadlineState.MISSED) and d["closed_at"]:
            out.append((f"{family}_due", d["closed_at"]))
            if d["state"] == DeadlineState.MET:
                out.append((f"{family}_met", d["closed_at"]))
        elif d["state"] == DeadlineState.OPEN and d["overdue_at"] is not None:
            out.append((f"{family}_due", d["due_at"]))
    return sorted((mark, local_day(at).isoformat()) for mark, at in out)


def _computed(petitions: list[dict]) -> dict[int, tuple[str, Marks]]:
    """petition id → (area path, marks), reading the petitions' clocks in one query."""
    clocks: dict[int, list[dict]] = {}
    for d in Deadline.objects.filter(
        case_id__in=[p["case_id"] for p in petitions], clock__in=list(FAMILY)
    ).values("case_id", "clock", "state", "closed_at", "overdue_at", "due_at"):
        clocks.setdefault(d["case_id"], []).append(d)
    return {
        p["pk"]: (p["case__area__path"], marks_of(p, clocks.get(p["case_id"], [])))
        for p in petitions
    }


def add_marks(deltas: Counter, path: str, marks: Iterable, sign: int) -> None:
    """Count marks into (sign 1) or out of (-1) the daily keys of every ancestor area."""
    for mark, day in marks:
        for area_id in path_ids(path):
            deltas[(area_id, mark, day)] += sign


def stored(facts) -> dict[int, tuple[str, Marks]]:
    """petition id → (area path, marks) as these PetitionFact rows hold them."""
    return {f.petition_id: (f.area_path, [tuple(m) for m in f.marks]) for f in facts}


def refresh_petitions(case_ids: list[int]) -> None:
    """Bring the marks of these cases' petitions (if any) up to date."""
    petitions = list(Petition.objects.filter(case_id__in=case_ids).values(*PETITION_FIELDS))
    if not petitions:
        return
    new = _computed(petitions)
    old = stored(PetitionFact.objects.select_for_update().filter(petition_id__in=list(new)))
    deltas: Counter = Counter()
    for pk, (path, marks) in new.items():
        before = old.get(pk)
        if before == (path, marks):
            continue
        if before is None:
            PetitionFact.objects.create(petition_id=pk, area_path=path, marks=marks)
        else:
            add_marks(deltas, *before, -1)
            PetitionFact.objects.filter(petition_id=pk).update(area_path=path, marks=marks)
        add_marks(deltas, path, marks, 1)
    add_to_daily({k: n for k, n in deltas.items() if n})


def add_to_daily(deltas: dict[tuple[int, str, str], int]) -> None:
    """Add to the daily rows in one upsert, keys sorted (concurrent writers lock in order)."""
    if not deltas:
        return
    table = PetitionDaily._meta.db_table
    params: list = []
    for (area_id, mark, day), n in sorted(deltas.items()):
        params += [datetime.date.fromisoformat(day), area_id, mark, n]
    rows = ", ".join(["(%s, %s, %s, %s)"] * len(deltas))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, area_id, mark, n) VALUES {rows} "
            f"ON CONFLICT (area_id, mark, day) DO UPDATE SET n = {table}.n + excluded.n",
            params,
        )


def computed_all(batch: int = 5_000) -> Iterator[tuple[int, tuple[str, Marks]]]:
    """(petition id, (area path, marks)) for every petition, read in primary-key batches."""
    last = 0
    while rows := list(
        Petition.objects.filter(pk__gt=last).order_by("pk").values(*PETITION_FIELDS)[:batch]
    ):
        last = rows[-1]["pk"]
        yield from _computed(rows).items()


def rebuild() -> int:
    """Recompute every petition's marks and the daily rows (inside rebuild_stats)."""
    PetitionFact.objects.all().delete()
    PetitionDaily.objects.all().delete()
    deltas: Counter = Counter()
    facts = []
    for pk, (path, marks) in computed_all():
        facts.append(PetitionFact(petition_id=pk, area_path=path, marks=marks))
        add_marks(deltas, path, marks, 1)
    PetitionFact.objects.bulk_create(facts, batch_size=5_000)
    items = sorted(deltas.items())
    for start in range(0, len(items), 2_000):
        add_to_daily(dict(items[start : start + 2_000]))
    return len(facts)
