"""What one case contributes to the figures, computed from the case, its timeline and its
resolve-by clocks. `fact_for` is the one definition; the recorder calls it for the cases
that changed, rebuild and check for all of them (loaded in batches, the same inputs)."""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.db.models.fields.json import KT

from areas.models import Area, path_ids
from cases.models import Case, CasePause, Channel, TimelineEvent
from cases.registry import PARTY_RATED, SATISFIED, Outcome, kinds_with_outcome
from cases.workflow import Status, TransferChannel
from clocks.models import Clock, Deadline, DeadlineState
from jiefen.localtime import LOCAL_TZ
from risk.models import Grade

from .models import COUNTERS


def history_kinds() -> list[str]:
    """The events History reads: those deciding an outcome (cases.registry), escalations
    and the parties' own ratings; a reopen cancels the outcome (and its ratings) before it."""
    return sorted({*kinds_with_outcome(), "escalated", PARTY_RATED, VISITED, PERFORMANCE})


CASE_FIELDS = (
    "pk",
    "area_id",
    "accepted_at",
    "closed_at",
    "category__code",
    "channel",
    "level",
    "owner_unit_id",
    "reporter_id",
    "transfer_channel",
    "complexity",
    "duplicate_of_id",
    "status",
    "risk__grade",
)
FACT_FIELDS = (
    "accepted_on",
    "area_id_leaf",
    "l1",
    "l2",
    "l3",
    "l4",
    "l5",
    "l6",
    "category",
    "channel",
    "level",
    "owner_unit_id",
    "reporter_id",
    "complexity",
    "closed_on",
    *COUNTERS,
)


# An event as History reads it: the satisfaction is extracted by the database, so the
# JSON of millions of events is never decoded in Python (rebuild_stats at province scale).
EVENT_ROW = {
    "satisfaction": KT("data__satisfaction"),
    "rebound": KT("data__rebound"),
    "performance": KT("data__performance"),
}
# The followup app's events: a follow-up visit (data: rebound none / signs / rebounded) and
# an agreement's performance recorded (data: performance performed / partly / not_performed).
VISITED = "visit_recorded"
PERFORMANCE = "performance_recorded"


def local_day(at: datetime.datetime) -> datetime.date:
    return at.astimezone(LOCAL_TZ).date()


@dataclass
class History:
    """The timeline read in order: the outcome standing now and what happened on the way."""

    outcome: str = ""
    escalated: bool = False
    reopened: bool = False
    ratings: list[str] = field(default_factory=list)
    visited: bool = False
    rebound: bool = False
    performances: list[str] = field(default_factory=list)

    def add(
        self,
        kind: str,
        satisfaction: str | None,
        rebound: str | None = None,
        performance: str | None = None,
    ) -> None:
        """One event; `satisfaction` is a party's rating, data["satisfaction"] (EVENT_ROW).

        Only the parties' own ratings (PARTY_RATED, the portal's evaluation link) count;
        the rating staff enter at a follow-up visit stays on the timeline, marked as such.
        """
        if kind == "escalated":
            self.escalated = True
        elif kind == VISITED:
            self.visited = True
            self.rebound = self.rebound or rebound == "rebounded"
        elif kind == PERFORMANCE:
            if performance:
                self.performances.append(performance)
        elif kind == PARTY_RATED:
            if satisfaction:
                self.ratings.append(satisfaction)
        elif kind in kinds_with_outcome(Outcome.REOPENED):
            # The ratings were of the outcome that has just been undone.
            self.outcome, self.reopened, self.ratings = "", True, []
        elif kind in kinds_with_outcome():
            self.outcome = kind

    @property
    def evaluated(self) -> bool:
        """At least one party rated the standing outcome."""
        return bool(self.ratings)

    @property
    def satisfied(self) -> bool:
        """Every party that rated it is 满意 or 基本满意 (one 不满意 makes the case not)."""
        return self.evaluated and all(r in SATISFIED for r in self.ratings)


def fact_for(
    case: dict,
    levels: dict[int, int],
    history: History,
    overdue: bool,
    accepted_late: bool = False,
    pauses: tuple[int, int] = (0, 0),
    visit_clocks: tuple[bool, bool] = (False, False),
    repeats: int = 0,
) -> dict | None:
    """The fact row of a case (a dict of FACT_FIELDS), or None if it was never accepted or
    is merged into another case as a repeat report (并单: the dispute counts once, on its
    main case, which counts its `repeats`).

    `case` has CASE_FIELDS; `levels` maps level → id of the case area and its ancestors;
    `accepted_late`: its accept-by clock was exceeded; `pauses`: how many times its clocks
    were paused and the working seconds of the pauses that ended.
    `visit_clocks` says whether the case ever owed a follow-up visit (a visit clock not
    cancelled before its time) and whether one of them was missed.
    """
    owed_visit, missed_visit = visit_clocks
    if case["accepted_at"] is None or case["duplicate_of_id"] is not None:
        return None
    closed = case["closed_at"] is not None
    # 化解: resolved by the handling unit, or settled on the spot at the grid (网格息事).
    resolved = closed and history.outcome in ("resolve", "settle_at_grid")
    evaluated = closed and history.evaluated
    court = case["channel"] == Channel.COURT
    fact = {
        "accepted_on": local_day(case["accepted_at"]),
        "area_id_leaf": case["area_id"],
        **{f"l{i}": levels.get(i) for i in range(1, 7)},
        "category": (case["category__code"] or "")[:2],
        "channel": case["channel"],
        "level": case["level"],
        "owner_unit_id": case["owner_unit_id"],
        "reporter_id": case["reporter_id"],
        "complexity": case["complexity"],
        "closed_on": local_day(case["closed_at"]) if closed else None,
        "accepted": 1,
        "resolved": int(resolved),
        "closed": int(closed),
        "closed_on_time": int(closed and not overdue),
        "first_time": int(resolved and not history.escalated and not history.reopened),
        "overdue": int(overdue),
        "evaluated": int(evaluated),
        "satisfied": int(evaluated and history.satisfied),
        "court": int(court),
        "court_success": int(court and resolved),
        "litigation": int(closed and case["transfer_channel"] == TransferChannel.LITIGATION),
        "handling_seconds": (
            int((case["closed_at"] - case["accepted_at"]).total_seconds()) if closed else 0
        ),
        "accepted_on_time": int(not accepted_late),
        "paused": int(pauses[0] > 0),
        "paused_seconds": pauses[1],
        # 回访: owed (a follow-up clock was opened and not lifted in time), made, rebound.
        "followup_due": int(owed_visit),
        "followed_up": int(owed_visit and history.visited),
        "visited": int(history.visited),
        "rebound": int(history.rebound),
        "visit_missed": int(missed_visit),
        # 履行: every recorded agreement performed in full, or one not (or partly) performed.
        "perf_recorded": int(bool(history.performances)),
        "performed": int(
            bool(history.performances) and all(p == "performed" for p in history.performances)
        ),
        "not_performed": int(any(p != "performed" for p in history.performances)),
        "repeats": repeats,
        "reports": 1 + repeats,
        "repeated": int(repeats > 0),
        # 调处 (seed 002: 排查/调处/稳控): the standing outcome is 化解 or 稳控.
        "handled": int(history.outcome in kinds_with_outcome(Outcome.MEDIATED)),
        "stabilised": int(case["status"] == Status.STABILISED),
        "risk_red": int(case["risk__grade"] == Grade.RED),
        "risk_orange": int(case["risk__grade"] == Grade.ORANGE),
        "risk_yellow": int(case["risk__grade"] == Grade.YELLOW),
    }
    return fact


def overdue_q(clock: str = Clock.RESOLVE) -> Q:
    """A clock (resolve-by unless named) that the sweep found overdue, or closed late."""
    return Q(clock=clock) & (Q(overdue_at__isnull=False) | Q(met=False))


def facts_of(case_ids: Iterable[int]) -> dict[int, dict]:
    """The facts of these cases that were accepted, read from the database now: four
    queries however many cases (the recorder refreshes a batch of cases with it)."""
    cases = list(
        Case.objects.filter(pk__in=list(case_ids), accepted_at__isnull=False).values(
            *CASE_FIELDS, "area__path"
        )
    )
    if not cases:
        return {}
    paths = {case["area_id"]: path_ids(case["area__path"]) for case in cases}
    level_of = dict(
        Area.objects.filter(pk__in={i for ids in paths.values() for i in ids}).values_list(
            "pk", "level"
        )
    )
    levels = {area: {level_of[i]: i for i in ids if i in level_of} for area, ids in paths.items()}
    return dict(_facts(cases, levels, case_id__in=[case["pk"] for case in cases]))


def _facts(
    cases: list[dict], levels: dict[int, dict[int, int]], **events_of
) -> Iterator[tuple[int, dict]]:
    """(case id, fact) for these accepted cases (rows of CASE_FIELDS); `levels` maps their
    area ids to {level: ancestor id}, `events_of` selects their events and clocks (by id
    list or id range), read in one query each."""
    histories: dict[int, History] = {}
    for case_id, kind, satisfaction, rebound, performance in (
        TimelineEvent.objects.filter(kind__in=history_kinds(), **events_of)
        .annotate(**EVENT_ROW)
        .order_by("case_id", "at", "pk")
        .values_list("case_id", "kind", "satisfaction", "rebound", "performance")
    ):
        histories.setdefault(case_id, History()).add(kind, satisfaction, rebound, performance)
    overdue = set(
        Deadline.objects.filter(overdue_q(), **events_of).values_list("case_id", flat=True)
    )
    accepted_late = set(
        Deadline.objects.filter(overdue_q(Clock.ACCEPT), **events_of).values_list(
            "case_id", flat=True
        )
    )
    pauses = {
        case_id: (n, int(span.total_seconds()) if span else 0)
        for case_id, n, span in CasePause.objects.filter(**events_of)
        .values("case_id")
        .annotate(n=Count("pk"), span=Sum("working_time"))
        .values_list("case_id", "n", "span")
    }
    visit_clocks: dict[int, tuple[bool, bool]] = {}
    for case_id, overdue_at, met in (
        Deadline.objects.filter(clock=Clock.VISIT, **events_of)
        .exclude(state=DeadlineState.CANCELLED)
        .values_list("case_id", "overdue_at", "met")
    ):
        missed = overdue_at is not None or met is False
        visit_clocks[case_id] = (True, visit_clocks.get(case_id, (True, False))[1] or missed)
    of_main = {k.replace("case_id", "duplicate_of_id"): v for k, v in events_of.items()}
    repeats = dict(
        Case.objects.filter(**of_main)
        .order_by()
        .values("duplicate_of_id")
        .annotate(n=Count("pk"))
        .values_list("duplicate_of_id", "n")
    )
    for case in cases:
        fact = fact_for(
            case,
            levels[case["area_id"]],
            histories.get(case["pk"], History()),
            case["pk"] in overdue,
            case["pk"] in accepted_late,
            pauses.get(case["pk"], (0, 0)),
            visit_clocks.get(case["pk"], (False, False)),
            repeats.get(case["pk"], 0),
        )
        if fact is not None:
            yield case["pk"], fact


class AreaLevels:
    """area id → {level: ancestor id}, for the whole tree, loaded once."""

    def __init__(self) -> None:
        rows = list(Area.objects.values_list("pk", "level", "path"))
        level_of = {pk: lvl for pk, lvl, _ in rows}
        self.by_area = {pk: {level_of[i]: i for i in path_ids(path)} for pk, _, path in rows}


def iter_facts(batch: int = 20_000) -> Iterator[tuple[int, dict]]:
    """(case id, fact) for every accepted case, read in primary-key batches."""
    tree = AreaLevels()
    accepted = Case.objects.filter(accepted_at__isnull=False)
    last = 0
    while True:
        cases = list(accepted.filter(pk__gt=last).order_by("pk").values(*CASE_FIELDS)[:batch])
        if not cases:
            return
        lo, hi = cases[0]["pk"], cases[-1]["pk"]
        last = hi
        yield from _facts(cases, tree.by_area, case_id__gte=lo, case_id__lte=hi)
