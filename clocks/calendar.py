"""Working-day arithmetic on the Chinese public-holiday calendar, 调休 make-up days included.

Conventions (as the procedural laws count periods, e.g. 民事诉讼法: "期间开始的时和日，
不计算在期间内"; a period ends at 24:00 of its last day):

- hours: wall-clock time, start + N hours; holidays and weekends do not matter.
- calendar_days: the end (23:59:59.999999 Asia/Shanghai) of the Nth calendar day after
  the start day. Received any time on Oct 1 with 3 calendar days: due Oct 4 24:00.
- working_days: the end of the Nth working day after the start day; the start day never
  counts, even when it is a working day. Received Friday 2025-09-26 with 2 working days:
  Sun 09-28 (make-up day) and Mon 09-29 count, due 2025-09-29 24:00.

Day boundaries are those of Asia/Shanghai whatever the time zone of `start`.
Whether a date is a working day: a CalendarOverride row if there is one, else the
`chinesecalendar` package, else — for a year the package does not know — Monday–Friday
if an administrator has entered any override for that year, else CalendarUnknown.
"""

import datetime
from decimal import Decimal

import chinese_calendar

from jiefen.localtime import LOCAL_TZ

from .models import CalendarOverride, TimeUnit

SHANGHAI = LOCAL_TZ


class CalendarUnknown(Exception):
    """No calendar data for a date: the year's holidays must be entered first."""

    def __init__(self, date: datetime.date):
        self.date = date
        super().__init__(
            f"No working-day calendar for {date.isoformat()}: add the {date.year} holiday "
            f"calendar (its holidays and 调休 make-up working days) as calendar overrides."
        )


class _Calendar:
    """Answers is_workday for many dates with one query for the overrides (a small table)."""

    def __init__(self, since: datetime.date):
        # From January 1st, so that a year's overrides before `since` still mark it as known.
        self.overrides = dict(
            CalendarOverride.objects.filter(date__year__gte=since.year).values_list(
                "date", "is_workday"
            )
        )
        self.years_with_overrides = {d.year for d in self.overrides}

    def is_workday(self, date: datetime.date) -> bool:
        if date in self.overrides:
            return self.overrides[date]
        try:
            return chinese_calendar.is_workday(date)
        except NotImplementedError:
            if date.year in self.years_with_overrides:
                return date.weekday() < 5
            raise CalendarUnknown(date) from None


def package_knows_year(year: int) -> bool:
    """Whether the chinesecalendar package has the State Council's holidays for `year`."""
    try:
        chinese_calendar.is_workday(datetime.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def knows_year(year: int) -> bool:
    """Whether working days of `year` can be counted: the package knows its holidays, or an
    administrator has entered them (the rule `_Calendar.is_workday` follows)."""
    return package_knows_year(year) or CalendarOverride.objects.filter(date__year=year).exists()


def is_workday(date: datetime.date) -> bool:
    return _Calendar(since=date).is_workday(date)


def local_date(moment: datetime.datetime) -> datetime.date:
    _require_aware(moment)
    return moment.astimezone(SHANGHAI).date()


def end_of_day(date: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(date, datetime.time.max, tzinfo=SHANGHAI)


def add_limit(start: datetime.datetime, amount: int | Decimal, unit: str) -> datetime.datetime:
    """The moment a limit of `amount` `unit`s that starts at `start` runs out (see module doc)."""
    _require_aware(start)
    if amount < 0:
        raise ValueError("A time limit cannot be negative.")
    if unit == TimeUnit.HOURS:
        return start + datetime.timedelta(hours=float(amount))
    if amount != int(amount):
        raise ValueError(f"Day limits must be whole days, got {amount}.")
    days = int(amount)
    day = local_date(start)
    if unit == TimeUnit.CALENDAR_DAYS:
        return end_of_day(day + datetime.timedelta(days=days))
    if unit == TimeUnit.WORKING_DAYS:
        cal = _Calendar(since=day)
        while days:
            day += datetime.timedelta(days=1)
            if cal.is_workday(day):
                days -= 1
        return end_of_day(day)
    raise ValueError(f"Unknown time unit {unit!r}.")


def working_days_between(a: datetime.date, b: datetime.date) -> int:
    """Working days after `a` up to and including `b` (negative when b is before a).

    The inverse of add_limit: working_days_between(start day, due day) == N.
    """
    if b < a:
        return -working_days_between(b, a)
    cal = _Calendar(since=a)
    return sum(cal.is_workday(a + datetime.timedelta(days=i)) for i in range(1, (b - a).days + 1))


def _start_of_day(date: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(date, datetime.time(), tzinfo=SHANGHAI)


def working_time_between(a: datetime.datetime, b: datetime.datetime) -> datetime.timedelta:
    """The part of [a, b) that falls on working days (Asia/Shanghai days): a clock paused
    from Friday 10:00 to Monday 10:00 over an ordinary weekend was paused 14 + 10 = 24
    working hours. Zero when b is not after a."""
    _require_aware(a)
    _require_aware(b)
    if b <= a:
        return datetime.timedelta(0)
    cal = _Calendar(since=local_date(a))
    total = datetime.timedelta(0)
    day = local_date(a)
    while True:
        lo = max(a, _start_of_day(day))
        hi = min(b, _start_of_day(day + datetime.timedelta(days=1)))
        if hi > lo and cal.is_workday(day):
            total += hi - lo
        if hi >= b:
            return total
        day += datetime.timedelta(days=1)


def add_working_time(start: datetime.datetime, amount: datetime.timedelta) -> datetime.datetime:
    """The moment `amount` of working time after `start`: time on non-working days (weekends,
    holidays) does not count, 调休 make-up days do. The inverse of working_time_between when
    `start` is on a working day: working_time_between(start, add_working_time(start, t)) == t.
    A resumed clock's due time moves by its paused working time this way."""
    _require_aware(start)
    if amount < datetime.timedelta(0):
        raise ValueError("Working time cannot be negative.")
    day = local_date(start)
    cal = _Calendar(since=day)
    moment = start
    while True:
        next_day = _start_of_day(day + datetime.timedelta(days=1))
        if cal.is_workday(day):
            room = next_day - moment
            if amount <= room:
                return moment + amount
            amount -= room
        elif not amount:
            return moment
        day += datetime.timedelta(days=1)
        moment = next_day


def _require_aware(moment: datetime.datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("Time limits need time-zone-aware datetimes.")
