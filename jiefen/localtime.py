"""Asia/Shanghai: stored times are UTC, people read them (and days begin) in this zone."""

import datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def minute(moment: datetime.datetime | None) -> str:
    """A time as people write it in notices and exports, e.g. 2026-11-23 17:00; "" for none."""
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if moment else ""


def aware(value: datetime.datetime | None) -> datetime.datetime | None:
    """A time another system sent: without an offset it means local (Asia/Shanghai) time."""
    if value is not None and value.utcoffset() is None:
        return value.replace(tzinfo=LOCAL_TZ)
    return value


def day_start(day: datetime.date) -> datetime.datetime:
    """The first instant of `day` in Asia/Shanghai (aware, UTC), clamped at the calendar's
    ends. Filtering a time column by `>= day_start(a)` and `< day_end(b)` uses its index,
    where `__date` lookups convert every row's time first (a scan, in Python on SQLite)."""
    if day <= datetime.date.min + datetime.timedelta(days=1):
        return datetime.datetime.min.replace(tzinfo=datetime.UTC)
    if day >= datetime.date.max:
        return datetime.datetime.max.replace(tzinfo=datetime.UTC)
    local = datetime.datetime.combine(day, datetime.time.min, tzinfo=LOCAL_TZ)
    return local.astimezone(datetime.UTC)


def day_end(day: datetime.date) -> datetime.datetime:
    """The first instant after `day` in Asia/Shanghai: the exclusive end of a period."""
    if day >= datetime.date.max:
        return datetime.datetime.max.replace(tzinfo=datetime.UTC)
    return day_start(day + datetime.timedelta(days=1))


def days(field: str, start: datetime.date | None, end: datetime.date | None) -> dict:
    """Filter arguments: `field` (a time) within the local days start..end (either open)."""
    bounds = {}
    if start is not None:
        bounds[f"{field}__gte"] = day_start(start)
    if end is not None:
        bounds[f"{field}__lt"] = day_end(end)
    return bounds
