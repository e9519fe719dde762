"""What the dashboard compares a period with: like with like. While a month, quarter or year
is under way, the same number of days at the start of the one before (1–2 November for 1–2
December), clamped to its end; once it is over, or for a past custom period, the whole
period before. The page says which."""

import datetime
import re
from zoneinfo import ZoneInfo

from jiefen import clock
from stats import selectors
from tests.stats_data import accepted, at

SH = ZoneInfo("Asia/Shanghai")
D = datetime.date


def on(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=SH)


def compared(kind: str, today: datetime.date, start=None, end=None) -> "selectors.Comparison":
    return selectors.comparison(selectors.period_of(kind, today, start, end), today)


def card(html: str, key: str) -> str:
    part = html.split(f'data-indicator="{key}">', 1)[1].split('<div class="kpi"', 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", part)).strip()


def test_early_in_a_month_the_same_days_of_the_previous_month(november, client):
    c = november
    # One case accepted on 1 December; 1–2 November had two (H on the 1st, A on the 2nd).
    accepted(c, at(12, 1))
    with clock.pinned(on(D(2026, 12, 2))):
        cmp = compared("month", D(2026, 12, 2))
        assert (cmp.period.start, cmp.period.end, cmp.same_days) == (
            D(2026, 11, 1),
            D(2026, 11, 2),
            True,
        )
        client.force_login(c.users["leader"])
        html = client.get("/stats/", {"area": c.towns[0].pk}).content.decode()
    assert "与上月同期（11月1日–2日）比较" in html
    # The card: this month 1 accepted, against the 2 of 1–2 November (not November's 9).
    text = card(html, "accepted")
    assert text.startswith("受理数 1 ") and "上月同期 2 ▼" in text, text


def test_quarter_and_year_compare_the_same_number_of_days():
    today = D(2026, 11, 23)  # the 54th day of the fourth quarter, the 327th of the year
    quarter = compared("quarter", today)
    assert (quarter.period.start, quarter.period.end) == (D(2026, 7, 1), D(2026, 8, 23))
    assert quarter.label == "与上季度同期（7月1日–8月23日）比较"
    year = compared("year", today)
    assert (year.period.start, year.period.end) == (D(2025, 1, 1), D(2025, 11, 23))
    assert year.label == "与上年同期（2025年1月1日–11月23日）比较"


def test_a_complete_period_is_compared_with_the_whole_period_before(november, client):
    # The last day of December: the month is complete, November counts whole.
    last = compared("month", D(2026, 12, 31))
    assert (last.period.start, last.period.end, last.same_days) == (
        D(2026, 11, 1),
        D(2026, 11, 30),
        False,
    )
    assert last.label == "与上月（11月1日–30日）比较"
    # A past month seen later, and a past custom period: the whole period before.
    october = selectors.comparison(selectors.period_of("month", D(2026, 10, 1)), D(2026, 12, 2))
    assert october.period == selectors.period_of("month", D(2026, 9, 1))
    assert october.same_days is False
    with clock.pinned(on(D(2026, 12, 2))):
        client.force_login(november.users["leader"])
        html = client.get(
            "/stats/",
            {
                "area": november.towns[0].pk,
                "period": "custom",
                "start": "2026-11-01",
                "end": "2026-11-30",
            },
        ).content.decode()
    assert "与上一时段（10月2日–31日）比较" in html  # the 30 days before
    assert "上一时段 1" in card(html, "accepted")  # I, at one second before midnight


def test_a_shorter_previous_month_is_clamped_to_its_end():
    # 30 March against February 2027 (28 days): 1–28 February, not into March.
    march30 = compared("month", D(2027, 3, 30))
    assert (march30.period.start, march30.period.end, march30.same_days) == (
        D(2027, 2, 1),
        D(2027, 2, 28),
        True,
    )
    assert march30.label == "与上月同期（2月1日–28日）比较"
    # 31 March, the month complete: the whole of February.
    march31 = compared("month", D(2027, 3, 31))
    assert (march31.period.start, march31.period.end) == (D(2027, 2, 1), D(2027, 2, 28))
    # A leap year's February has 29 days.
    leap = compared("month", D(2028, 3, 30))
    assert leap.period.end == D(2028, 2, 29)
