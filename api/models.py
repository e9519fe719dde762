"""Idempotency records for intake from other systems (Idempotency-Key header)."""

from django.conf import settings
from django.db import models


class IdempotencyRecord(models.Model):
    """The first response to a (user, key) pair; a retry with the same key gets it back."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_result_per_key")]
