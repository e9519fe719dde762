"""The sweep as a Celery task, triggered by beat (jiefen/celery.py)."""

import logging

import redis
from celery import shared_task
from django.conf import settings

from jiefen import clock

from .scheduling import tick

log = logging.getLogger("jiefen.scheduler")
LOCK = "jiefen:sweep"


@shared_task
def sweep_task() -> str:
    """One sweep at a time across the cluster: a Redis lock that expires after
    SWEEP_LOCK_SECONDS (a worker killed while holding it blocks no one for longer). A tick
    that finds the lock taken does nothing; the running sweep covers it."""
    lock = redis.Redis.from_url(settings.CELERY_BROKER_URL).lock(
        LOCK, timeout=settings.SWEEP_LOCK_SECONDS
    )
    if not lock.acquire(blocking=False):
        log.info("sweep skipped: another sweep holds the lock")
        return "skipped"
    try:
        return str(tick(clock.now()))
    finally:
        try:
            lock.release()
        except redis.exceptions.LockError:  # expired meanwhile; another may hold it now
            log.warning("the sweep outlived its lock (SWEEP_LOCK_SECONDS)")
