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
