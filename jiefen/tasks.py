"""Big exports as a Celery task (jiefen.exports), with progress that the export's status
page reads from the result backend, as the rebuild's page does (stats.tasks)."""

from celery import shared_task

from . import exports


@shared_task(bind=True)
def build_export(self, export_id: str, kind: str, user_id: int, params: dict) -> dict:
    def progress(done: int, total: int) -> None:
        self.update_state(state="PROGRESS", meta={"done": done, "total": total})

    return exports.run(export_id, kind, user_id, params, progress)
