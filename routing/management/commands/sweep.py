import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jiefen import clock
from routing.sweep import sweep


def parse_now(value: str | None) -> datetime.datetime:
    if not value:
        return clock.now()
    try:
        now = datetime.datetime.fromisoformat(value)
    except ValueError as e:
        raise CommandError(f"--now must be ISO-8601, e.g. 2026-10-08T09:00+08:00: {e}") from e
    if timezone.is_naive(now):
        now = timezone.make_aware(now)  # naive times are read in Asia/Shanghai
    return now


class Command(BaseCommand):
    help = "Process every deadline that is due at --now (default: the current time)."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="ISO-8601 time; naive times are Asia/Shanghai")

    def handle(self, *args, now=None, **options):
        result = sweep(parse_now(now))
        self.stdout.write(f"sweep done: {result}")
