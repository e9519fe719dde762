"""The citizen side: one-time codes that prove a phone."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PhoneCode(models.Model):
    """A one-time code sent by SMS to prove the holder of a phone (portal.codes)."""

    phone = models.CharField(_("phone"), max_length=20)
    # What the code unlocks: "track:<case code>" or "report".
    purpose = models.CharField(_("purpose"), max_length=60)
    code_hash = models.CharField(max_length=64)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("valid until"))
    tries = models.PositiveSmallIntegerField(_("tries"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("verification code")
        verbose_name_plural = _("verification codes")
        indexes = [
            models.Index(fields=["phone", "created_at"]),
            models.Index(fields=["client_ip", "created_at"]),
        ]
