import time

from django.core.management.base import BaseCommand

from stats.rebuild import rebuild


class Command(BaseCommand):
    help = "Recompute every case's figures and the daily roll-ups from the cases and timeline."

    def handle(self, *args, **options):
        started = time.perf_counter()
        facts, rows = rebuild()
        self.stdout.write(
            f"{facts} case facts, {rows} roll-up rows in {time.perf_counter() - started:.1f} s"
        )
