"""What happens when a clock passes its due time, by clock kind.

The sweep (routing) claims each due deadline and calls `run_missed`; the app that owns a
kind of clock registers its consequence from its AppConfig.ready(), e.g. coordination
marks a summoned unit's missed 报到. Escalation clocks are the sweep's own business.
"""

import datetime
from collections.abc import Callable

from .models import Deadline

_ON_MISSED: dict[str, list[Callable[[Deadline, datetime.datetime], None]]] = {}


def on_missed(clock: str, handler: Callable[[Deadline, datetime.datetime], None]) -> None:
    handlers = _ON_MISSED.setdefault(clock, [])
    if handler not in handlers:
        handlers.append(handler)


def run_missed(deadline: Deadline, now: datetime.datetime) -> None:
    """Inside the sweep's transaction for this deadline."""
    for handler in _ON_MISSED.get(deadline.clock, []):
        handler(deadline, now)


# Clocks that are not a case's: what an app checks on every sweep (e.g. the portal counts a
# grid's missing daily report once its day is over). Each job must be idempotent: the sweep
# runs every minute, and may run twice at once.
_SWEEP_JOBS: dict[str, Callable[[datetime.datetime], int]] = {}


def on_sweep(name: str, job: Callable[[datetime.datetime], int]) -> None:
    _SWEEP_JOBS[name] = job


def run_sweep_jobs(now: datetime.datetime) -> dict[str, int]:
    """Run every registered job; each answers how many things it newly found."""
    return {name: job(now) for name, job in sorted(_SWEEP_JOBS.items())}
