"""The one place where due deadlines are processed.

sweep(now) does, for every open deadline, what is due at `now`: a reminder once its
warning time passed, an overdue notice (and its clock's own consequence: escalation,
a missed 报到) once it is due; then the other apps' clocks (clocks.registry.on_sweep, such
as a grid's missing daily report), then sends queued notices (or, with a Celery broker,
hands them to the workers: notifications.services.send_later).

It works in batches of BATCH due rows, one transaction per batch: lock the batch's cases
(PostgreSQL: FOR UPDATE SKIP LOCKED, so a second sweep takes other cases and a case a user
is changing right now waits for the next run; SQLite: the IMMEDIATE transaction holds the
write lock), claim their due rows with one conditional UPDATE (warned_at / overdue_at IS
NULL), then write the batch's timeline events (cases.services.append_events, hash chain
kept), notices, deliveries and statistics with a handful of statements. Running it twice,
in two processes at once, or again after a kill -9 handles every item exactly once: a claim
commits together with everything it caused. It reads only rows that are due (partial
indexes), so its cost follows the number of due items, not of open cases.
"""

import datetime
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Q

from cases.models import Case
from cases.services import append_events
from clocks.models import Clock, Deadline, DeadlineState
from clocks.registry import run_missed, run_sweep_jobs
from notifications.services import batch as notifications_batch
from notifications.services import notify_many, send_later

from . import notices
from .escalation import escalate_case

log = logging.getLogger(__name__)
# Due rows per transaction: large enough that commits are few, small enough that a batch's
# locks are short (JIEFEN_SWEEP_BATCH: tests/test_sweep_kill.py kills a sweep between two).
BATCH = int(os.environ.get("JIEFEN_SWEEP_BATCH", "500"))


@dataclass
class SweepResult:
    reminded: int = 0
    overdue: int = 0
    escalated: int = 0
    sent: int = 0
    jobs: dict[str, int] = field(default_factory=dict)  # clocks.registry.on_sweep jobs

    def __str__(self) -> str:
        jobs = "".join(f" {name}={n}" for name, n in self.jobs.items())
        return (
            f"reminded={self.reminded} overdue={self.overdue} "
            f"escalated={self.escalated} sent={self.sent}{jobs}"
        )


def _pause_for_kill_test(committed: int) -> None:
    """tests/test_sweep_kill.py: with JIEFEN_SWEEP_PAUSE_AFTER=N, once N items are committed
    the sweep claims and writes its next batch and stops before committing it, writes
    JIEFEN_SWEEP_PAUSE_FILE and waits there to be killed. Unset (always, outside that test):
    nothing happens."""
    after = os.environ.get("JIEFEN_SWEEP_PAUSE_AFTER")
    if after is None or committed < int(after):
        return
    Path(os.environ["JIEFEN_SWEEP_PAUSE_FILE"]).write_text(str(os.getpid()))
    threading.Event().wait()  # until SIGKILL


def _claim_batches(pending: Q, claim: dict, handle: Callable[[list[Deadline]], None]) -> None:
    """Claim the rows matching `pending` a batch at a time and handle each batch in its own
    transaction; a row another sweep claimed first, or whose case is locked right now by
    someone else (PostgreSQL), is left alone."""
    last = committed = 0
    while True:
        candidates = list(
            Deadline.objects.filter(pending, pk__gt=last)
            .order_by("pk")
            .values_list("pk", "case_id")[:BATCH]
        )
        if not candidates:
            return
        last = candidates[-1][0]
        with transaction.atomic():
            # The cases first, then their clocks: the order every case service locks in, so
            # a sweep and a user's write on the same case never wait for each other in a
            # circle. SKIP LOCKED: a case being changed is the next run's.
            locked = set(
                Case.objects.select_for_update(of=("self",), skip_locked=True)
                .filter(pk__in={case_id for _, case_id in candidates})
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            mine = [pk for pk, case_id in candidates if case_id in locked]
            # Re-read under the locks: a row another sweep claimed meanwhile is gone.
            ids = list(Deadline.objects.filter(pending, pk__in=mine).values_list("pk", flat=True))
            if not ids:
                continue
            Deadline.objects.filter(pk__in=ids).update(**claim)
            handle(
                list(
                    Deadline.objects.filter(pk__in=ids)
                    .select_related("case__reporter", "unit")
                    .order_by("pk")
                )
            )
            _pause_for_kill_test(committed)
        committed += len(ids)


def sweep(now: datetime.datetime) -> SweepResult:
    """Process every reminder and deadline due at `now`; no cap per run."""
    result = SweepResult()
    # A paused clock (the case waits for a party's material, an appraisal, a court) is not due.
    open_ = Q(state=DeadlineState.OPEN, paused_at__isnull=True)

    def remind(batch: list[Deadline]) -> None:
        # Escalation clocks are not owed by anyone: they only measure a level's time.
        owed = [d for d in batch if d.clock != Clock.ESCALATE]
        result.reminded += len(notify_many([notices.remind_notice(d) for d in owed], now))

    def pass_due(batch: list[Deadline]) -> None:
        missed = [d for d in batch if d.clock != Clock.ESCALATE]
        for d in missed:
            run_missed(d, now)  # the clock's own consequence, e.g. a missed 报到
        append_events(
            [
                {
                    "case": d.case,
                    "kind": "deadline_missed",
                    "actor_unit": d.unit,
                    "data": {"clock": d.clock, "due_at": d.due_at.isoformat(), "unit": d.unit.name},
                }
                for d in missed
            ],
            now,
        )
        notify_many([notices.overdue_notice(d) for d in missed], now)
        result.overdue += len(missed)
        # Escalations last, one by one (each moves its case): their events chain after the
        # batch's, and a missed clock of the same case is told to the unit that missed it.
        for d in batch:
            if d.clock == Clock.ESCALATE:
                result.escalated += escalate_case(d, now)

    with notifications_batch():
        _claim_batches(
            # A row already due gets its overdue notice instead, never a late reminder.
            open_ & Q(warned_at__isnull=True, warn_at__lte=now, due_at__gt=now),
            {"warned_at": now},
            remind,
        )
        _claim_batches(
            open_ & Q(overdue_at__isnull=True, due_at__lte=now), {"overdue_at": now}, pass_due
        )
        result.jobs = run_sweep_jobs(now)
    result.sent = send_later(None, now)  # every pending delivery, new or left from before
    if result.reminded or result.overdue or result.escalated or any(result.jobs.values()):
        log.info("sweep at %s: %s", now.isoformat(), result)
    return result
