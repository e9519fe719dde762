"""Demo data: a fictional county of Changsha (湖南省长沙市青山县) with its areas, units, staff
and cases moved through the real state machine, so timelines and deadlines are genuine.

Everything is drawn from one random.Random(seed), and times are offsets from `now`, so a
given seed and `now` always build the same data. Writes go through the services
(areas.services, cases.services) so the demo exercises the same rules as the UI.

county.py builds the areas, units and staff; caseload.py the cases (scenarios.py says what
they are about, people.py who is involved); mediation.py the mediators and pools; rules.py
the 三事分流 rules; risk.py the 红橙黄 plans and rules, graded cases and key persons;
petitions.py the 信访事项 at every stage, the 访诉分离 catalogue and leader reception days.
repeats.py repeat reports, some merged into their main cases (并单).
"""

import datetime
import logging
import random
from contextlib import contextmanager

from django.db import transaction

from jiefen import clock
from jiefen.signals import demo_seeded
from stats import recorder

from .caseload import HISTORY, build_cases
from .county import PASSWORD, Demo, assign_policy, build_areas, build_units, build_users
from .daily import build_daily_reports
from .followup import build_followup
from .hotline import build_hotline
from .mediation import build_mediation
from .petitions import build_petitions
from .repeats import REPEATS, build_repeats
from .risk import build_risk
from .rules import build_rules
from .time_limits import build_time_limits
from .webhooks import build_webhooks

__all__ = ["PASSWORD", "Demo", "seed"]


def seed(cases: int = 300, seed: int = 1, now: datetime.datetime | None = None) -> Demo:
    """Build the whole demo in one transaction (fast on SQLite, and nothing half-built).

    The figures are brought up to date once per case at the end (stats.recorder.deferred),
    which gives the same facts and roll-ups as a refresh after every event.
    """
    now = now or clock.now().replace(second=0, microsecond=0)
    rng = random.Random(seed)
    repeats = min(len(REPEATS), cases // 20)  # of the `cases`, reports repeating another
    with quiet_notices(), transaction.atomic(), recorder.deferred():
        demo = build_areas(rng)
        build_units(demo)
        build_users(demo, rng, joined=now - HISTORY)
        build_cases(demo, rng, cases - repeats, now)
        assign_policy(demo)
        build_rules(demo)
        build_mediation(demo, now)
        build_daily_reports(demo, rng, now)
        build_risk(demo, now)
        build_petitions(demo, now)
        build_time_limits(demo, now)
        build_followup(demo, now)
        build_repeats(demo, now, repeats)
        build_webhooks(demo, now)
        build_hotline(demo, now)
        # The apps the demo cannot import add theirs (api: a connected system's key).
        demo_seeded.send(sender=None, now=now, county=demo.county)
    return demo


@contextmanager
def quiet_notices():
    """The demo's notices are written and delivered as usual, but the log sender's line per
    delivery stays off the console of whoever runs the seed (failures still show)."""
    log = logging.getLogger("jiefen.notifications")
    level = log.level
    log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        log.setLevel(level)
