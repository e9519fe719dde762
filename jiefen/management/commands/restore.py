from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiefen.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Check an archive written by `backup` against its checksums and load it into this "
        "installation's database, which must be empty, and MEDIA_ROOT."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)

    def handle(self, *args, archive: Path, **options):
        try:
            result = restore(archive)
        except BackupError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(
            f"restored the backup of {result.created_at} ({result.media_files} uploaded files)"
        )
