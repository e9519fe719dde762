"""Import or update the area tree from a CSV or .xlsx file (columns: code, name, level, ...)."""

from django.core.management.base import BaseCommand, CommandError

from areas.services import SYSTEM, AdminError, import_areas_file


class Command(BaseCommand):
    help = "Import or update areas from a CSV or Excel (.xlsx) file; bad rows are reported."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            report = import_areas_file(SYSTEM, file)
        except (AdminError, OSError) as e:
            raise CommandError(str(e)) from e
        for err in report.errors:
            self.stderr.write(f"row {err.row} [{err.column}]: {err.message}")
        self.stdout.write(
            f"created={report.created} updated={report.updated} "
            f"unchanged={report.unchanged} failed_rows={report.failed_rows}"
        )
        if report.errors:
            raise CommandError(f"{report.failed_rows} row(s) were not imported")
