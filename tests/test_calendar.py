"""Working-day arithmetic; dates asserted were checked against chinesecalendar's data.

国庆 2025: Oct 1–8 off; Sun Sep 28 and Sat Oct 11 are make-up working days.
春节 2026: Feb 15–23 off; Sat Feb 14 and Sat Feb 28 are make-up working days.
"""

import datetime
from decimal import Decimal

import pytest

from clocks.calendar import (
    SHANGHAI,
    CalendarUnknown,
    add_limit,
    end_of_day,
    is_workday,
    working_days_between,
)
from clocks.models import CalendarOverride

pytestmark = pytest.mark.django_db

D = datetime.date


def at(y: int, m: int, d: int, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(y, m, d, hour, tzinfo=SHANGHAI)


def eod(y: int, m: int, d: int) -> datetime.datetime:
    return end_of_day(D(y, m, d))


def test_make_up_days_are_working_days():
    assert is_workday(D(2025, 9, 28))  # Sunday, 调休
    assert is_workday(D(2025, 10, 11))  # Saturday, 调休
    assert is_workday(D(2026, 2, 14))  # Saturday, 调休
    assert not is_workday(D(2025, 10, 8))
    assert not is_workday(D(2025, 9, 27))  # ordinary Saturday


def test_end_of_day_is_local_midnight():
    due = eod(2025, 9, 29)
    assert due.astimezone(datetime.UTC) == datetime.datetime(
        2025, 9, 29, 15, 59, 59, 999999, tzinfo=datetime.UTC
    )


@pytest.mark.parametrize(
    "start, days, due",
    [
        # The start day never counts, even when it is a working day.
        (at(2025, 9, 26), 1, eod(2025, 9, 28)),  # Fri → the make-up Sunday
        (at(2025, 9, 26), 2, eod(2025, 9, 29)),
        (at(2025, 9, 30), 1, eod(2025, 10, 9)),  # over the whole 国庆 break
        (at(2025, 9, 30), 3, eod(2025, 10, 11)),  # Oct 9, 10, make-up Sat 11
        (at(2025, 9, 30), 4, eod(2025, 10, 13)),  # Sun Oct 12 is off
        (at(2025, 10, 3), 1, eod(2025, 10, 9)),  # received during the holiday
        (at(2026, 2, 13), 1, eod(2026, 2, 14)),  # 春节: make-up Saturday
        (at(2026, 2, 13), 2, eod(2026, 2, 24)),  # then Feb 15–23 off
        (at(2026, 2, 14), 5, eod(2026, 2, 28)),  # 24, 25, 26, 27, make-up Sat 28
        (at(2025, 9, 30), 0, eod(2025, 9, 30)),
    ],
)
def test_working_days_shift_over_holidays(start, days, due):
    assert add_limit(start, days, "working_days") == due
    assert working_days_between(start.date(), due.date()) == days


def test_day_boundary_is_shanghai_whatever_the_input_zone():
    # 2025-09-30 17:00 UTC is already Oct 1, 01:00 in Shanghai: the start day is Oct 1.
    start = datetime.datetime(2025, 9, 30, 17, 0, tzinfo=datetime.UTC)
    assert add_limit(start, 1, "working_days") == eod(2025, 10, 9)
    assert add_limit(start, 1, "calendar_days") == eod(2025, 10, 2)


def test_hours_ignore_holidays_and_weekends():
    start = at(2025, 9, 30, 18)
    assert add_limit(start, 24, "hours") == at(2025, 10, 1, 18)
    assert add_limit(start, Decimal("72"), "hours") == at(2025, 10, 3, 18)
    assert add_limit(start, Decimal("1.5"), "hours") == start + datetime.timedelta(minutes=90)


def test_calendar_days_end_at_midnight_of_the_nth_day():
    assert add_limit(at(2025, 10, 1, 23), 3, "calendar_days") == eod(2025, 10, 4)
    assert add_limit(at(2026, 2, 14), Decimal("10"), "calendar_days") == eod(2026, 2, 24)


def test_override_wins_over_the_package():
    CalendarOverride.objects.create(date=D(2025, 10, 9), is_workday=False, note="local holiday")
    assert add_limit(at(2025, 9, 30), 1, "working_days") == eod(2025, 10, 10)
    CalendarOverride.objects.create(date=D(2025, 10, 4), is_workday=True, note="extra duty day")
    assert add_limit(at(2025, 9, 30), 1, "working_days") == eod(2025, 10, 4)
    assert is_workday(D(2025, 10, 4))
    assert not is_workday(D(2025, 10, 9))


def test_unknown_year_raises():
    with pytest.raises(CalendarUnknown) as err:
        is_workday(D(2030, 3, 1))
    assert "2030-03-01" in str(err.value) and "2030" in str(err.value)
    # 2026-12-31 is known and a working day; the next one falls in unknown 2027.
    with pytest.raises(CalendarUnknown) as err:
        add_limit(at(2026, 12, 30), 2, "working_days")
    assert err.value.date == D(2027, 1, 1)
    # Limits that need no calendar still work.
    assert add_limit(at(2026, 12, 30), 5, "calendar_days") == eod(2027, 1, 4)
    assert add_limit(at(2026, 12, 30), 48, "hours") == at(2027, 1, 1)


def test_overrides_extend_a_year_the_package_lacks():
    CalendarOverride.objects.create(date=D(2027, 1, 1), is_workday=False, note="元旦")
    assert add_limit(at(2026, 12, 30), 2, "working_days") == eod(2027, 1, 4)
    assert not is_workday(D(2027, 1, 2))  # Saturday by the plain rule
    assert is_workday(D(2027, 6, 1))


def test_working_days_between_is_signed():
    assert working_days_between(D(2025, 9, 30), D(2025, 10, 11)) == 3
    assert working_days_between(D(2025, 10, 11), D(2025, 9, 30)) == -3
    assert working_days_between(D(2025, 10, 1), D(2025, 10, 8)) == 0


def test_bad_input():
    with pytest.raises(ValueError):
        add_limit(datetime.datetime(2025, 9, 30, 10), 1, "hours")  # naive
    with pytest.raises(ValueError):
        add_limit(at(2025, 9, 30), Decimal("1.5"), "working_days")
    with pytest.raises(ValueError):
        add_limit(at(2025, 9, 30), 1, "fortnights")
