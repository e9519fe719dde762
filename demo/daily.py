"""Two weeks of grid daily reports (有事报情况，无事报平安): most grids report every day, most
days all quiet; some grids miss days, which the sweep's daily clock counts."""

import datetime
import random

from jiefen.localtime import LOCAL_TZ
from portal.daily import add_item, count_missed, report_all_quiet
from portal.models import ItemKind

from .county import Demo

DAYS = 14
ITEMS = [
    (ItemKind.VISIT, "走访独居老人，身体状况良好，生活物资充足。"),
    (ItemKind.VISIT, "入户走访重点关注家庭，情绪稳定。"),
    (ItemKind.HAZARD, "村道旁电线老化下垂，已联系供电所。"),
    (ItemKind.HAZARD, "河边护栏缺损，已设置临时警示。"),
    (ItemKind.DISPUTE, "两户村民因排水沟占用发生口角，已初步劝解。"),
    (ItemKind.DISPUTE, "租户与房东因押金退还发生争执。"),
]


def build_daily_reports(demo: Demo, rng: random.Random, now: datetime.datetime) -> None:
    """Each staffed grid reports on most of the last DAYS days, in the late afternoon; a few
    grids are careless. Then the daily clock counts the missing working days."""
    today = now.astimezone(LOCAL_TZ).date()
    for grid_id, worker in sorted(demo.grid_workers.items()):
        careless = rng.random() < 0.25
        for back in range(DAYS, -1, -1):
            day = today - datetime.timedelta(days=back)
            at = datetime.datetime.combine(day, datetime.time(17, rng.randrange(60)), LOCAL_TZ)
            if at > now or rng.random() < (0.35 if careless else 0.05):
                continue
            if rng.random() < 0.75:
                report_all_quiet(worker, grid_id, at)
                continue
            for kind, text in rng.sample(ITEMS, rng.randint(1, 2)):
                add_item(worker, grid_id, kind, text, at)
    count_missed(now, days_back=DAYS)
