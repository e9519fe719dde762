import logging
import signal
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from jiefen import clock
from jiefen.startup import require_secret_key
from routing.scheduling import tick
from webhooks.services import deliver_due

log = logging.getLogger("jiefen.scheduler")


class Command(BaseCommand):
    help = (
        "Run sweep(now) every SWEEP_INTERVAL_SECONDS and send the due webhook deliveries every "
        "WEBHOOK_INTERVAL_SECONDS until stopped (part of `make run`)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=int, default=settings.SWEEP_INTERVAL_SECONDS)
        parser.add_argument(
            "--webhook-interval", type=int, default=settings.WEBHOOK_INTERVAL_SECONDS
        )

    def handle(self, *args, interval: int, webhook_interval: int, **options):
        require_secret_key()
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        log.info("scheduler: sweeping every %ss, webhooks every %ss", interval, webhook_interval)
        next_sweep = 0.0
        while not stop.is_set():
            # The same work Celery beat triggers in the province profile.
            if time.monotonic() >= next_sweep:
                next_sweep = time.monotonic() + interval
                self.run(tick, "sweep")
            self.run(deliver_due, "webhook deliveries")
            stop.wait(max(1, min(webhook_interval, next_sweep - time.monotonic())))

    @staticmethod
    def run(work, name: str) -> None:
        try:
            work(clock.now())
        except Exception:  # keep the loop alive; the next round retries
            log.exception("%s failed", name)
        finally:
            close_old_connections()
