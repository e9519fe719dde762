from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jiefen.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write a dated, checksummed archive of the database (SQLite online backup, or pg_dump "
        "-Fc) and every uploaded file into --output-dir (default var/backups)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", type=Path, default=settings.VAR_DIR / "backups")
        parser.add_argument(
            "--keep", type=int, default=0, help="keep only the newest N archives in the folder"
        )

    def handle(self, *args, output_dir: Path, keep: int, **options):
        try:
            result = backup(output_dir, keep=keep)
        except BackupError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(
            f"{result.archive} ({result.media_files} uploaded files), sha256 {result.checksum}"
        )
        for old in result.pruned:
            self.stdout.write(f"removed {old.name}")
