"""Fill an empty database with the demo county, its staff and realistic cases."""

import datetime
import time

from django.core.management.base import BaseCommand, CommandError

from areas.models import Area
from demo import seed as demo


class Command(BaseCommand):
    help = "Build demo areas, units, users (password jiefen-demo) and cases."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when any area exists."
        )
        parser.add_argument("--cases", type=int, default=300)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--now", help="ISO time the demo ends at (default: now); fixes every timestamp."
        )

    def handle(self, *args, if_empty, cases, seed, now, **options):
        if Area.objects.exists():
            if if_empty:
                self.stdout.write("Areas exist already; demo data not loaded.")
                return
            raise CommandError("The database already has areas; seed_demo needs an empty one.")
        at = None
        if now:
            at = datetime.datetime.fromisoformat(now)
            if at.tzinfo is None:
                raise CommandError("--now needs a time zone, e.g. 2026-05-01T10:00+08:00")
        started = time.monotonic()
        built = demo.seed(cases=cases, seed=seed, now=at)
        self.stdout.write(
            f"Demo loaded in {time.monotonic() - started:.1f}s: {len(built.towns)} towns, "
            f"{len(built.villages)} villages, {len(built.grids)} grids, "
            f"{len(built.units)} units, {len(built.users) + 1} users, {len(built.cases)} cases. "
            f"Log in as admin / {demo.PASSWORD}."
        )
