from django.core.management.base import BaseCommand, CommandError

from stats.rebuild import differences


class Command(BaseCommand):
    help = "Recompute the figures from the cases and report every difference (exit 1 if any)."

    def handle(self, *args, **options):
        diffs = differences()
        for line in diffs:
            self.stdout.write(line)
        if diffs:
            raise CommandError(f"{len(diffs)} difference(s) between figures and cases")
        self.stdout.write("figures agree with the cases")
