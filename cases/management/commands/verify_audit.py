from django.core.management.base import BaseCommand, CommandError

from cases.audit import seal_days, verify
from jiefen import clock


class Command(BaseCommand):
    help = (
        "Recompute the hash chain of every case's timeline and the daily anchors; report the "
        "first broken link (exit 1 if any)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seal", action="store_true", help="first anchor the finished days not anchored yet"
        )

    def handle(self, *args, seal: bool, **options):
        if seal:
            seal_days(clock.now())
        report = verify()
        for line in report.broken:
            self.stdout.write(line)
        if report.broken:
            raise CommandError(
                f"audit trail broken: {len(report.broken)} chain(s); first: {report.broken[0]}"
            )
        self.stdout.write(
            f"audit trail intact: {report.events} events in {report.cases} cases, "
            f"{report.anchors} daily anchors"
        )
