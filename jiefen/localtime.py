"""Asia/Shanghai: stored times are UTC, people read them (and days begin) in this zone."""

import datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def minute(moment: datetime.datetime | None) -> str:
    """A time as people write it in notices and exports, e.g. 2026-11-23 17:00; "" for none."""
    return moment.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if moment else ""
