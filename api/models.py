"""API tokens and idempotency records for intake from other systems."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Channel


class ApiToken(models.Model):
    """A bearer token issued by POST /api/v1/auth/token.

    Only the SHA-256 of the token is stored, so a leaked database does not leak working tokens;
    `prefix` (the first characters) lets an administrator tell tokens apart when revoking one.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("token prefix"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} · {self.prefix}…"


class IdempotencyRecord(models.Model):
    """The first response to a (user, key) pair; a retry with the same key gets it back."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_result_per_key")]


class SystemKey(models.Model):
    """The key of a connected system (a 12345 platform, a FixMyStreet-like tool, a court's
    system), sent as `Authorization: Bearer jfk_…` (Open311: the `api_key` parameter).

    The key acts as its service user, whose ordinary permissions apply, and is narrowed further
    by its scope: the intake channels it may register cases on and, when any are listed, the
    areas (each with everything below it). Only the SHA-256 of the key is stored; the plain key
    is shown once when issued. A revoked key is refused from the next request on.
    """

    name = models.CharField(_("connected system"), max_length=100)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="system_keys",
        verbose_name=_("service user"),
    )
    channels = models.JSONField(_("allowed channels"), default=list, blank=True)
    areas = models.ManyToManyField(
        "areas.Area", blank=True, related_name="+", verbose_name=_("allowed areas")
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("key prefix"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("issued by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("system API key")
        verbose_name_plural = _("system API keys")

    def __str__(self) -> str:
        return f"{self.name} · {self.prefix}…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def channel_labels(self) -> list[str]:
        return [str(Channel(c).label) if c in Channel.values else c for c in self.channels]
