"""The one reading of the wall clock.

Every view, selector, service and command asks `now()` for the time; nothing else in
the project calls `timezone.now()` (ruff's banned-api rule TID251 enforces it). Tests
pin the clock with `pinned(...)`; `JIEFEN_CLOCK_OFFSET_DAYS` moves the whole system's
clock (and the test suite's fixed "now") forward, to prove that nothing depends on the date.
"""

import contextlib
import datetime
import os
from collections.abc import Iterator

from django.utils import timezone

from jiefen.localtime import LOCAL_TZ

_pinned: datetime.datetime | None = None  # module-wide, so a live server's threads see it too


def offset() -> datetime.timedelta:
    """How far this process's clock runs ahead of the wall clock (0 unless configured)."""
    return datetime.timedelta(days=float(os.environ.get("JIEFEN_CLOCK_OFFSET_DAYS") or 0))


def now() -> datetime.datetime:
    """The current time, aware (UTC): the pinned time if a test pinned one."""
    if _pinned is not None:
        return _pinned
    return timezone.now() + offset()  # noqa: TID251 (the one allowed reading)


def today_local() -> datetime.date:
    """Today's date in Asia/Shanghai, where the centers' days begin."""
    return now().astimezone(LOCAL_TZ).date()


def pin(at: datetime.datetime | None) -> None:
    """Make `now()` answer `at` (None: the wall clock again)."""
    global _pinned
    if at is not None and timezone.is_naive(at):
        raise ValueError("pin an aware datetime")
    _pinned = at


@contextlib.contextmanager
def pinned(at: datetime.datetime) -> Iterator[None]:
    before = _pinned
    pin(at)
    try:
        yield
    finally:
        pin(before)
