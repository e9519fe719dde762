"""Backup and restore of an installation: the database and the uploaded files in one dated,
checksummed archive (`manage.py backup`, `manage.py restore`).

The archive `jiefen-YYYYMMDD-HHMMSS.tar.gz` holds `manifest.json` (time, database vendor, the
SHA-256 of every member), the database — `database.sqlite3`, a consistent copy taken with
SQLite's online backup API while the app runs, or `database.pgdump`, `pg_dump` in its custom
format — and `media/`, every uploaded file. Beside it, `<archive>.sha256` in `sha256sum`
format. Restore checks both, then loads into an empty database only (never over data).
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection

from jiefen import clock
from jiefen.localtime import LOCAL_TZ

PREFIX = "jiefen-"
SUFFIX = ".tar.gz"
FORMAT = 1


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, for the operator."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_env(db: dict) -> tuple[list[str], dict]:
    args = ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["-U", db["USER"]]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _dump_database(work: Path) -> str:
    """Write the database into `work`; return the member's name."""
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        target = work / "database.sqlite3"
        connection.ensure_connection()
        dst = sqlite3.connect(target)
        try:
            # The online backup API copies a consistent snapshot while others keep writing.
            connection.connection.backup(dst)
        finally:
            dst.close()
        return target.name
    if connection.vendor == "postgresql":
        target = work / "database.pgdump"
        args, env = _pg_env(db)
        name = connection.settings_dict["NAME"]
        result = subprocess.run(
            ["pg_dump", "-Fc", "--no-owner", "--no-privileges", *args, "-f", str(target), name],
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
        return target.name
    raise BackupError(f"no backup method for the {connection.vendor} database")


def _media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


@dataclass
class BackupResult:
    archive: Path
    checksum: str
    media_files: int
    pruned: list[Path]


def backup(output_dir: Path, keep: int = 0) -> BackupResult:
    """Write the archive and its checksum file into `output_dir`; with `keep`, remove all but
    the newest `keep` archives there."""
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = clock.now().astimezone(LOCAL_TZ)
    archive = output_dir / f"{PREFIX}{stamp:%Y%m%d-%H%M%S}{SUFFIX}"
    if archive.exists():
        raise BackupError(f"{archive} exists already")
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(dir=output_dir) as tmp:
        work = Path(tmp)
        db_member = _dump_database(work)
        members = {db_member: sha256_file(work / db_member)}
        media = _media_files()
        for path in media:
            members[f"media/{path.relative_to(media_root).as_posix()}"] = sha256_file(path)
        manifest = {
            "format": FORMAT,
            "created_at": stamp.isoformat(),
            "vendor": connection.vendor,
            "database": db_member,
            "members": members,
        }
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(stamp.timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(work / db_member, arcname=db_member)
            for path in media:
                tar.add(path, arcname=f"media/{path.relative_to(media_root).as_posix()}")
        partial.rename(archive)
    checksum = sha256_file(archive)
    Path(f"{archive}.sha256").write_text(f"{checksum}  {archive.name}\n")
    pruned = []
    if keep:
        archives = sorted(output_dir.glob(f"{PREFIX}*{SUFFIX}"))
        for old in archives[:-keep]:
            old.unlink()
            Path(f"{old}.sha256").unlink(missing_ok=True)
            pruned.append(old)
    return BackupResult(archive, checksum, len(media), pruned)


def _check_archive(archive: Path) -> None:
    sidecar = Path(f"{archive}.sha256")
    if not sidecar.exists():
        raise BackupError(f"{sidecar.name} is missing: the archive cannot be checked")
    expected = sidecar.read_text().split()[0]
    if sha256_file(archive) != expected:
        raise BackupError(f"{archive.name} does not match its checksum: damaged or changed")


def _database_is_empty() -> bool:
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def _load_database(vendor: str, path: Path) -> None:
    if vendor != connection.vendor:
        raise BackupError(f"the archive holds a {vendor} database; this one is {connection.vendor}")
    if vendor == "sqlite":
        src = sqlite3.connect(path)
        try:
            connection.ensure_connection()
            src.backup(connection.connection)
        finally:
            src.close()
        return
    args, env = _pg_env(settings.DATABASES["default"])
    result = subprocess.run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            *args,
            "-d",
            connection.settings_dict["NAME"],
            str(path),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


@dataclass
class RestoreResult:
    created_at: str
    media_files: int


def restore(archive: Path) -> RestoreResult:
    """Check the archive, then load its database into this (empty) database and its files into
    MEDIA_ROOT (which must not hold any of them already)."""
    _check_archive(archive)
    if not _database_is_empty():
        raise BackupError(
            "the database is not empty: restore only into a new, empty database "
            "(a restore never overwrites data)"
        )
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive, "r:gz") as tar:
        work = Path(tmp)
        tar.extractall(work, filter="data")
        manifest = json.loads((work / "manifest.json").read_text())
        for name, digest in manifest["members"].items():
            if sha256_file(work / name) != digest:
                raise BackupError(f"{name} in the archive does not match the manifest")
        media = [n for n in manifest["members"] if n.startswith("media/")]
        clashes = [n for n in media if (media_root / n.removeprefix("media/")).exists()]
        if clashes:
            raise BackupError(
                f"{len(clashes)} file(s) exist already in MEDIA_ROOT, e.g. {clashes[0]}"
            )
        _load_database(manifest["vendor"], work / manifest["database"])
        for name in media:
            target = media_root / name.removeprefix("media/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(work / name, target)
    connection.close()  # the next query sees the restored database from a fresh connection
    return RestoreResult(manifest["created_at"], len(media))
