"""Webhook deliveries sent by Celery workers (the province profile): publish queues this after
the commit that wrote them, and beat runs it every WEBHOOK_INTERVAL_SECONDS for the retries
(jiefen/celery.py). Without a broker the in-process scheduler calls the same deliver_due."""

from celery import shared_task

from jiefen import clock

from .services import deliver_due


@shared_task
def deliver_webhooks() -> int:
    """Send the due deliveries; each is claimed first, so workers running at once never send
    one twice. Answers how many went out."""
    return deliver_due(clock.now()).sent
