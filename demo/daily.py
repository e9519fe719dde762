"""Two weeks of grid daily reports (有事报情况，无事报平安): most grids report every day, most
days all quiet; some grids miss days, which the sweep's daily clock counts."""

import datetime
import random

from jiefen.localtime import LOCAL_TZ
from portal.daily import add_item, count_missed, report_all_quiet
from portal.gridlog import add_problem, add_visit
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
    build_grid_log(demo, rng, now)


VISITS = [
    ("独居老人刘大爷家", "身体尚好，提醒注意用电安全。"),
    ("3组李家", "婆媳关系有所缓和，继续关注。"),
    ("村口小卖部", "经营正常，未发现安全隐患。"),
    ("出租屋12号", "新入住租户2人，已登记信息。"),
]
PROBLEMS = [
    (ItemKind.HAZARD, "河边护栏缺损，雨季存在落水风险。"),
    (ItemKind.OTHER, "两户村民因宅基地边界关系紧张，尚未发生争执。"),
    (ItemKind.HAZARD, "老旧房屋墙体开裂，需动员住户搬离。"),
]


def build_grid_log(demo: Demo, rng: random.Random, now: datetime.datetime) -> None:
    """民情日志 and 问题清单: a few visits and open problems per grid in the last two weeks."""
    for grid_id, worker in sorted(demo.grid_workers.items()):
        for place, found in rng.sample(VISITS, rng.randint(1, 3)):
            at = now - datetime.timedelta(days=rng.randint(0, DAYS), hours=rng.randint(1, 6))
            add_visit(worker, grid_id, place, found, at, location="28.19350,113.08560")
        if rng.random() < 0.5:
            kind, text = rng.choice(PROBLEMS)
            add_problem(
                worker, grid_id, kind, text, now - datetime.timedelta(days=rng.randint(1, DAYS))
            )
