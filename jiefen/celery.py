"""The province profile's Celery app (README "Province deployment"), loaded only when
CELERY_BROKER_URL is set (jiefen.apps). Beat triggers the sweep every
SWEEP_INTERVAL_SECONDS; workers run the tasks of routing.tasks (the sweep, under a
cluster-wide lock), notifications.tasks (deliveries, retried with backoff), webhooks.tasks
(webhook deliveries, also every WEBHOOK_INTERVAL_SECONDS for their retries) and stats.tasks
(rebuilding the figures, with progress). The work itself is the same functions that
`make run`'s in-process scheduler calls: only the trigger differs.

    celery -A jiefen worker -l info      # as many as needed, on any host
    celery -A jiefen beat -l info        # one (a second one is harmless: the sweep's lock)
"""

import os

from celery import Celery
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiefen.settings")

app = Celery("jiefen")
app.conf.update(
    broker_url=settings.CELERY_BROKER_URL,
    result_backend=settings.CELERY_RESULT_BACKEND,
    task_serializer="json",
    accept_content=["json"],
    timezone=settings.TIME_ZONE,
    # A task is acknowledged after it ran: a worker killed mid-task leaves it to another
    # (every task here is idempotent: claims in the database make each effect happen once).
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
    result_extended=True,
    beat_schedule={
        "sweep": {
            "task": "routing.tasks.sweep_task",
            "schedule": float(settings.SWEEP_INTERVAL_SECONDS),
            # A tick that waited longer than its interval is dropped: the next one comes.
            "options": {"expires": float(settings.SWEEP_INTERVAL_SECONDS)},
        },
        # Webhook retries fall due between publishes (each publish queues a run itself).
        "webhooks": {
            "task": "webhooks.tasks.deliver_webhooks",
            "schedule": float(settings.WEBHOOK_INTERVAL_SECONDS),
            "options": {"expires": float(settings.WEBHOOK_INTERVAL_SECONDS)},
        },
    },
)
app.autodiscover_tasks(["routing", "notifications", "webhooks", "stats"])
