"""The one place where due deadlines are processed.

sweep(now) is idempotent: each due row is claimed with a conditional UPDATE, so running it
twice, or in two processes at once, handles every item exactly once. It reads only rows
that are due (a partial index), so its cost follows the number of due items.
"""

import datetime
import logging
from dataclasses import dataclass

from django.db import transaction

from cases.services import append_event

from .escalation import escalate_case
from .models import Clock, Deadline, DeadlineState

log = logging.getLogger(__name__)
BATCH = 500


@dataclass
class SweepResult:
    overdue: int = 0
    escalated: int = 0

    def __str__(self) -> str:
        return f"overdue={self.overdue} escalated={self.escalated}"


def _due_ids(now: datetime.datetime, after_id: int) -> list[int]:
    return list(
        Deadline.objects.filter(
            state=DeadlineState.OPEN, overdue_at__isnull=True, due_at__lte=now, pk__gt=after_id
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:BATCH]
    )


def sweep(now: datetime.datetime) -> SweepResult:
    """Process every deadline due at `now`; no cap per run (batches until none is left)."""
    result = SweepResult()
    last = 0
    while ids := _due_ids(now, last):
        last = ids[-1]
        for pk in ids:
            with transaction.atomic():
                claimed = Deadline.objects.filter(
                    pk=pk, state=DeadlineState.OPEN, overdue_at__isnull=True
                ).update(overdue_at=now)
                if not claimed:
                    continue  # another sweep, or the case moved on, got here first
                d = Deadline.objects.select_related("case", "unit").get(pk=pk)
                if d.clock == Clock.ESCALATE:
                    result.escalated += escalate_case(d, now)
                    continue
                append_event(
                    d.case,
                    "deadline_missed",
                    now,
                    actor_unit=d.unit,
                    data={"clock": d.clock, "due_at": d.due_at.isoformat(), "unit": d.unit.name},
                )
                result.overdue += 1
    if result.overdue:
        log.info("sweep at %s: %s", now.isoformat(), result)
    return result
