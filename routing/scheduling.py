"""What runs on every tick of the schedule, whatever triggers it: `make run`'s in-process
scheduler (manage.py scheduler) or Celery beat (routing.tasks.sweep_task)."""

import datetime

from cases.audit import seal_days

from .sweep import SweepResult, sweep


def tick(now: datetime.datetime) -> SweepResult:
    result = sweep(now)
    seal_days(now)  # anchor the timeline of each finished day (cases.audit)
    return result
