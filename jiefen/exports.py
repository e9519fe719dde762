"""Big exports as background tasks (the province profile, README "Province deployment").

An app registers how to build one kind of export: `register(kind, build)`, where
`build(user, params, progress)` rebuilds the rows from the user and the page's query
parameters (so the user's scope is checked again, in the worker, never taken from a pickled
queryset), calls `progress(rows done, rows in all)` as it goes and answers a `Built`. The
same function makes the workbook of a small export in the request, without progress.

The page decides with `in_background(rows)`: with a Celery broker and more than
EXPORT_ASYNC_ROWS rows, `start()` records an `Export` and sends `jiefen.tasks.build_export`;
the worker writes the workbook through the default storage (MEDIA_ROOT, or the S3 bucket)
under a random name. The status page (jiefen.views.export_status) shows the task's progress
and then the download link; only the user who asked may open either. The sweep deletes each
export EXPORT_KEEP_HOURS after it was asked for (`delete_expired`, registered by cases).

This module is on the bottom floor: it imports no app; the apps register with it.
"""

import datetime
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet

from . import clock
from .models import Export

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Built:
    content: bytes  # the .xlsx workbook
    filename: str  # what the download is called (ASCII)
    rows: int


Builder = Callable[[object, dict[str, str], Progress | None], Built]
_BUILDERS: dict[str, Builder] = {}


def register(kind: str, build: Builder) -> None:
    _BUILDERS[kind] = build


def build(kind: str, user, params: dict[str, str], progress: Progress | None = None) -> Built:
    return _BUILDERS[kind](user, params, progress)


def in_background(rows: QuerySet | None) -> bool:
    """Whether an export of the rows of `rows` (None: a bounded table) runs as a task: only
    with a broker, only if there are more than EXPORT_ASYNC_ROWS. Counts no further than
    that (a province's list may hold millions), and not at all without a broker."""
    if not settings.CELERY_BROKER_URL or rows is None:
        return False
    limit = settings.EXPORT_ASYNC_ROWS
    return rows.order_by()[: limit + 1].count() > limit


def start(user, kind: str, params: dict[str, str], title: str) -> Export | None:
    """Record the export and send its task once the record is committed. None when the broker
    cannot be reached: the record is dropped and the caller answers the export in the request,
    as without a broker (views run in autocommit, so the send happens here, at once)."""
    export = Export.objects.create(user=user, kind=kind, title=title[:200], created_at=clock.now())
    from .tasks import build_export  # celery is imported only when configured

    queued = {"ok": True}

    def send() -> None:
        try:
            build_export.apply_async(
                (str(export.pk), kind, user.pk, params), task_id=str(export.pk)
            )
        except Exception as exc:  # kombu's OperationalError and the socket errors beneath it
            log.warning("export %s not queued (%s): answered in the request", export.pk, exc)
            queued["ok"] = False
            Export.objects.filter(pk=export.pk).delete()

    transaction.on_commit(send)
    return export if queued["ok"] else None


def run(export_id: str, kind: str, user_id: int, params: dict[str, str], progress: Progress):
    """The task's work: build the workbook as the user (who must still be active), store it
    under a random name and tell the record. Answers the task's final progress."""
    user = get_user_model().objects.get(pk=user_id, is_active=True)
    built = build(kind, user, params, progress)
    name = default_storage.save(
        f"exports/{secrets.token_urlsafe(24)}.xlsx", ContentFile(built.content)
    )
    done = Export.objects.filter(pk=export_id, user_id=user_id).update(
        file=name, filename=built.filename, total=built.rows, finished_at=clock.now()
    )
    if not done:  # the record expired (or was deleted) meanwhile: keep no file for nobody
        default_storage.delete(name)
    return {"done": built.rows, "total": built.rows}


def kept_since(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS)


def visible(user, now: datetime.datetime):
    """The user's own exports that have not expired."""
    return Export.objects.filter(user=user, created_at__gte=kept_since(now))


def status(export: Export) -> dict:
    """The export's state and progress: from the record once the file is there, else from
    the task's result backend (as stats.views.task_status reads the rebuild's)."""
    if export.file:
        n = export.total
        return {"state": "SUCCESS", "done": n, "total": n, "percent": 100, "running": False}
    state, info = "PENDING", {}
    if settings.CELERY_BROKER_URL:
        from .tasks import build_export

        result = build_export.AsyncResult(str(export.pk))
        state = result.state
        info = result.info if isinstance(result.info, dict) else {}
        if state == "SUCCESS":  # the file was stored after the record was read
            export.refresh_from_db()
            if export.file:
                return status(export)
    done, total = int(info.get("done", 0)), int(info.get("total", 0))
    return {
        "state": "FAILURE" if state == "SUCCESS" else state,  # success without a file
        "done": done,
        "total": total,
        "percent": 100 * done // total if total else 0,
        "running": state in {"PENDING", "STARTED", "PROGRESS", "RETRY"},
    }


def delete_expired(now: datetime.datetime) -> int:
    """The sweep's job: delete the exports (files and records) asked for more than
    EXPORT_KEEP_HOURS ago; answers how many."""
    deleted = 0
    for export in Export.objects.filter(created_at__lt=kept_since(now)).iterator():
        if export.file:
            export.file.delete(save=False)
        export.delete()
        deleted += 1
    return deleted
