"""Subscribers (the systems a center pushes events to) and their deliveries (the outbox).

A delivery is written in the transaction of the change it reports (webhooks.services.publish)
and sent after commit in the background (deliver_due), signed, retried with backoff, in order
per subscriber and case.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import Area, Unit
from cases.models import Case
from jiefen.errors import InvalidInput


def new_secret() -> str:
    return secrets.token_hex(32)


class SubscriberStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    PAUSED = "paused", _("paused")


class Subscriber(models.Model):
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    # Shown to the administrators on the subscriber's page: the receiver verifies with it.
    secret = models.CharField(_("signing secret"), max_length=64, default=new_secret)
    topics = models.JSONField(_("events"), default=list)
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("area (with the areas below it)"),
    )
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("unit"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("owner"),
    )
    # An administrator's explicit choice: a receiver on the local or private network.
    allow_private_network = models.BooleanField(_("allow private network addresses"), default=False)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=SubscriberStatus.choices,
        default=SubscriberStatus.ACTIVE,
    )
    consecutive_failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("webhook subscriber")
        verbose_name_plural = _("webhook subscribers")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        """The Django admin's check too: the SSRF rule (webhooks.safety)."""
        from django.core.exceptions import ValidationError

        from .safety import check_url

        if self.url:
            try:
                check_url(self.url, self.allow_private_network)
            except InvalidInput as e:
                raise ValidationError({"url": e.message}) from e


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    SENT = "sent", _("delivered")
    FAILED = "failed", _("failed, will retry")
    DEAD = "dead", _("given up")


# A delivery still to be sent: a later one of the same subscriber and case waits for it.
OPEN = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


class WebhookDelivery(models.Model):
    subscriber = models.ForeignKey(
        Subscriber,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("subscriber"),
    )
    topic = models.CharField(_("event"), max_length=60)
    case = models.ForeignKey(
        Case,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("case"),
    )
    # {"topic", "occurred_at", "case", "data"}; the delivery's id is added when it is sent.
    body = models.JSONField(_("content"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_response_code = models.PositiveSmallIntegerField(_("response code"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="webhook_open_idx",
                condition=models.Q(status__in=["pending", "failed"]),
            ),
            models.Index(fields=["subscriber", "case", "status"], name="webhook_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subscriber} · {self.topic} · {self.pk}"
