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


_SWEEP_DUTIES: list[Callable[[datetime.datetime], int]] = []


def on_sweep(duty: Callable[[datetime.datetime], int]) -> None:
    """A periodic duty the sweep runs besides the case deadlines (a key person's check-in
    visits): `duty(now)` claims what is due itself, idempotently, and returns how many items
    it marked overdue."""
    if duty not in _SWEEP_DUTIES:
        _SWEEP_DUTIES.append(duty)


def run_sweep_duties(now: datetime.datetime) -> int:
    return sum(duty(now) for duty in _SWEEP_DUTIES)
