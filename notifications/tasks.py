"""Deliveries sent by Celery workers (the province profile): notifications.services.send_later
queues this after the commit that wrote them; the sweep queues it for everything pending."""

from celery import shared_task
from django.conf import settings

from jiefen import clock

from .services import MAX_ATTEMPTS, deliver


@shared_task(bind=True, max_retries=MAX_ATTEMPTS)
def send_deliveries(self, keys: list[str] | None = None, ids: list[int] | None = None) -> int:
    """Send these deliveries (all pending: no keys or ids). Each is claimed before it is sent,
    so two workers never send one message twice. The ones that failed are retried by this
    task after DELIVERY_RETRY_SECONDS, then twice as long each time."""
    run = deliver(clock.now(), keys=keys, ids=ids)
    if run.failed and self.request.retries < self.max_retries:
        raise self.retry(
            kwargs={"ids": run.failed},
            countdown=settings.DELIVERY_RETRY_SECONDS * 2**self.request.retries,
        )
    return run.sent
