"""The one place where due deadlines are processed.

sweep(now) does, for every open deadline, what is due at `now`: a reminder once its
warning time passed, an overdue notice (and its clock's own consequence: escalation,
a missed 报到) once it is due; then the other apps' clocks (clocks.registry.on_sweep, such
as a grid's missing daily report), then sends queued notices. It is idempotent: each row is
claimed with a conditional UPDATE (warned_at / overdue_at IS NULL), so running it twice,
or in two processes at once, handles every item exactly once. It reads only rows that are
due (partial indexes), so its cost follows the number of due items, not of open cases.
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
from cases.services import append_event
from clocks.models import Clock, Deadline, DeadlineState
from clocks.registry import run_missed, run_sweep_jobs
from notifications.services import batch as notifications_batch
from notifications.services import deliver_pending

from . import notices
from .escalation import escalate_case

log = logging.getLogger(__name__)
BATCH = 500


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


def _pause_for_kill_test(handled: int) -> None:
    """tests/test_sweep_kill.py: with JIEFEN_SWEEP_PAUSE_AFTER=N, after handling N items the
    sweep handles one more and stops before committing it, inside its claim loop, writes
    JIEFEN_SWEEP_PAUSE_FILE and waits there to be killed. Unset (always, outside that test):
    nothing happens."""
    after = os.environ.get("JIEFEN_SWEEP_PAUSE_AFTER")
    if after is None or handled != int(after) + 1:
        return
    Path(os.environ["JIEFEN_SWEEP_PAUSE_FILE"]).write_text(str(os.getpid()))
    threading.Event().wait()  # until SIGKILL


def _claim_each(
    pending: Q, claim: dict, now: datetime.datetime, handle: Callable[[Deadline], None]
) -> None:
    """Claim the rows matching `pending` one by one (in pk batches) and handle each
    in its own transaction; a row another sweep claimed first is skipped."""
    last = handled = 0
    while True:
        ids = list(
            Deadline.objects.filter(pending, pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            return
        last = ids[-1]
        for pk in ids:
            with transaction.atomic():
                # The case first, then its clock: the order every case service locks in, so
                # a sweep and a user's write on the same case queue instead of deadlocking.
                Case.objects.select_for_update(of=("self",)).filter(deadlines__pk=pk).values_list(
                    "pk"
                ).first()
                if not Deadline.objects.filter(pending, pk=pk).update(**claim):
                    continue  # another sweep, or the case moved on, got here first
                handle(Deadline.objects.select_related("case__reporter", "unit").get(pk=pk))
                handled += 1
                _pause_for_kill_test(handled)


def sweep(now: datetime.datetime) -> SweepResult:
    """Process every reminder and deadline due at `now`; no cap per run."""
    result = SweepResult()
    # A paused clock (the case waits for a party's material, an appraisal, a court) is not due.
    open_ = Q(state=DeadlineState.OPEN, paused_at__isnull=True)

    def remind(d: Deadline) -> None:
        # Escalation clocks are not owed by anyone: they only measure a level's time.
        if d.clock != Clock.ESCALATE:
            result.reminded += bool(notices.remind(d, now))

    def pass_due(d: Deadline) -> None:
        if d.clock == Clock.ESCALATE:
            result.escalated += escalate_case(d, now)
            return
        run_missed(d, now)  # the clock's own consequence, e.g. a missed 报到
        append_event(
            d.case,
            "deadline_missed",
            now,
            actor_unit=d.unit,
            data={"clock": d.clock, "due_at": d.due_at.isoformat(), "unit": d.unit.name},
        )
        notices.overdue(d, now)
        result.overdue += 1

    with notifications_batch():
        _claim_each(
            # A row already due gets its overdue notice instead, never a late reminder.
            open_ & Q(warned_at__isnull=True, warn_at__lte=now, due_at__gt=now),
            {"warned_at": now},
            now,
            remind,
        )
        _claim_each(
            open_ & Q(overdue_at__isnull=True, due_at__lte=now),
            {"overdue_at": now},
            now,
            pass_due,
        )
        result.jobs = run_sweep_jobs(now)
    result.sent = deliver_pending(now)
    if result.reminded or result.overdue or result.escalated or any(result.jobs.values()):
        log.info("sweep at %s: %s", now.isoformat(), result)
    return result
