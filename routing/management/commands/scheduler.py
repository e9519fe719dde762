import logging
import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from jiefen import clock
from jiefen.startup import require_secret_key
from routing.scheduling import tick

log = logging.getLogger("jiefen.scheduler")


class Command(BaseCommand):
    help = "Run sweep(now) every SWEEP_INTERVAL_SECONDS until stopped (part of `make run`)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=settings.SWEEP_INTERVAL_SECONDS)

    def handle(self, *args, interval: int, **options):
        require_secret_key()
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        log.info("scheduler: sweeping every %ss", interval)
        while not stop.is_set():
            try:
                tick(clock.now())  # the same work Celery beat triggers in the province profile
            except Exception:  # keep the loop alive; the next tick retries
                log.exception("sweep failed")
            finally:
                close_old_connections()
            stop.wait(interval)
