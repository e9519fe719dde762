"""诉调对接 / 警调对接: cases pushed by a court or a police station, and the batches they came in."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import Unit
from cases.models import Case


class Outcome(models.TextChoices):
    """What the referring unit is told; derived from the case (selectors.with_outcome)."""

    IN_PROGRESS = "in_progress", _("in progress")
    MEDIATED = "mediated", _("mediated successfully")
    FAILED = "failed", _("not mediated, back to the referring unit")


class Source(models.TextChoices):
    EXCEL = "excel", _("Excel upload")
    API = "api", _("API")


class ReferralBatch(models.Model):
    """One push of referrals (an uploaded file or one API request) with its row-by-row result."""

    referring_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("referring unit")
    )
    channel = models.CharField(_("intake channel"), max_length=20)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("received at"))
    total = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("new cases"), default=0)
    duplicates = models.PositiveIntegerField(_("already received"), default=0)
    failed = models.PositiveIntegerField(_("rows with errors"), default=0)
    # [{"row", "ref", "field", "column", "message"}]: what the error report lists.
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("referral batch")
        verbose_name_plural = _("referral batches")

    def __str__(self) -> str:
        return f"{self.referring_unit} · {self.created_at:%Y-%m-%d %H:%M}"


class Referral(models.Model):
    """A case a court or police unit referred, under that unit's own reference."""

    referring_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("referring unit")
    )
    external_ref = models.CharField(_("reference of the referring unit"), max_length=80)
    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="referral", verbose_name=_("case")
    )
    batch = models.ForeignKey(
        ReferralBatch, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("batch")
    )
    receiving_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("receiving center")
    )
    received_at = models.DateTimeField(_("received at"), db_index=True)
    # First time a finished outcome went back to the referring unit (export or API).
    reported_at = models.DateTimeField(_("reported back at"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            # Re-sending a batch, even concurrently, can never create a second case.
            models.UniqueConstraint(
                fields=["referring_unit", "external_ref"], name="one_case_per_external_ref"
            )
        ]

    def __str__(self) -> str:
        return f"{self.referring_unit} {self.external_ref}"
