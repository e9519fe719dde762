"""Rebuilding the figures as a Celery task (the province profile), with progress that the
rebuild page (stats.views.rebuild) reads from the result backend."""

from celery import shared_task

from .rebuild import rebuild


@shared_task(bind=True)
def rebuild_stats(self) -> dict:
    def progress(done: int, total: int) -> None:
        self.update_state(state="PROGRESS", meta={"done": done, "total": total})

    facts, rows = rebuild(progress)
    return {"done": facts, "total": facts, "rows": rows}
