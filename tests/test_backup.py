"""`manage.py backup` writes a dated, checksummed archive of the database and the uploaded
files; `manage.py restore` brings it back into an empty database (SQLite, and PostgreSQL when
the suite runs on it), refuses a non-empty one and a damaged archive."""

import contextlib
import hashlib
import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from cases.models import Case
from cases.services import add_attachment, perform_transition
from tests.factories import NOW, build_county, new_case

ROOT = Path(__file__).resolve().parent.parent
PHOTO = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@contextlib.contextmanager
def empty_database(tmp_path):
    """A new, empty database of the suite's kind, as a DATABASE_URL."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    params = connection.settings_dict
    name = f"jiefen_restore_{os.getpid()}"
    admin = psycopg.connect(
        host=params["HOST"] or "127.0.0.1",
        port=params["PORT"] or 5432,
        user=params["USER"],
        password=params["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    admin.execute(f'CREATE DATABASE "{name}"')
    user = params["USER"] or "postgres"
    try:
        yield f"postgres://{user}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def manage(url: str, media: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(media)}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.mark.django_db(transaction=True)  # committed, so pg_dump sees it
def test_backup_and_restore_round_trip(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    county = build_county()
    case = new_case(county)
    perform_transition(case, "accept", county.users["vclerk"], NOW)
    add_attachment(case, county.users["vclerk"], SimpleUploadedFile("现场.png", PHOTO), NOW)

    out = io.StringIO()
    call_command("backup", output_dir=tmp_path / "backups", stdout=out)
    archive = tmp_path / "backups" / f"jiefen-{NOW.astimezone(settings_tz()):%Y%m%d-%H%M%S}.tar.gz"
    assert archive.exists() and "1 uploaded files" in out.getvalue()
    checksum = Path(f"{archive}.sha256").read_text()
    assert checksum.endswith(f"  {archive.name}\n")
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names
    assert f"media/cases/{case.code}/现场.png" in names

    restored_media = tmp_path / "restored-media"
    with empty_database(tmp_path) as url:
        result = manage(url, restored_media, "restore", str(archive))
        assert result.returncode == 0, result.stderr
        shown = manage(
            url,
            restored_media,
            "shell",
            "-c",
            "import hashlib; from cases.models import Case, Attachment; c = Case.objects.get(); "
            "a = Attachment.objects.get(); print(c.code, c.status, c.timeline.count(), "
            "hashlib.sha256(a.file.read()).hexdigest(), a.file.size)",
        )
        assert shown.returncode == 0, shown.stderr
        code, status, events, same, size = shown.stdout.splitlines()[-1].split()
        assert (code, status, events) == (case.code, "accepted", "3")
        assert same == hashlib.sha256(PHOTO).hexdigest()  # the uploaded file, byte for byte
        assert size == str(len(PHOTO))
        assert manage(url, restored_media, "verify_audit").returncode == 0
        # The same archive again: the database is not empty any more.
        again = manage(url, tmp_path / "other-media", "restore", str(archive))
        assert again.returncode != 0 and "not empty" in again.stderr
    assert Case.objects.count() == 1


def settings_tz():
    from jiefen.localtime import LOCAL_TZ

    return LOCAL_TZ


@pytest.mark.django_db(transaction=True)
def test_a_damaged_archive_is_refused(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    new_case(build_county())
    call_command("backup", output_dir=tmp_path, stdout=io.StringIO())
    (archive,) = tmp_path.glob("jiefen-*.tar.gz")
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))
    with empty_database(tmp_path) as url:
        result = manage(url, tmp_path / "m", "restore", str(archive))
    assert result.returncode != 0
    assert "does not match its checksum" in result.stderr


@pytest.mark.django_db(transaction=True)
def test_keep_prunes_older_archives(tmp_path, settings):
    from jiefen import clock

    settings.MEDIA_ROOT = str(tmp_path / "media")
    for hours in range(3):
        with clock.pinned(NOW.replace(hour=hours)):
            call_command("backup", output_dir=tmp_path, keep=2, stdout=io.StringIO())
    archives = sorted(p.name for p in tmp_path.glob("jiefen-*.tar.gz"))
    assert len(archives) == 2 and len(list(tmp_path.glob("*.sha256"))) == 2
    assert archives[0].endswith(f"{NOW.replace(hour=1).astimezone(settings_tz()):%H%M%S}.tar.gz")


def test_restore_refuses_a_database_that_holds_data(db, tmp_path):
    archive = tmp_path / "jiefen-20260101-000000.tar.gz"
    archive.write_bytes(b"x")
    Path(f"{archive}.sha256").write_text(
        "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881  x\n"
    )
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive))
