"""Repeat reports: the rule that says what a likely repeat is (data), and each merge."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RepeatRule(models.Model):
    """How likely repeats are proposed; one row (the first), edited in the admin."""

    window_days = models.PositiveIntegerField(
        _("window (days)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_(
            "Cases registered this many days before (or after) a case are compared with it "
            "by place and category and by text."
        ),
    )
    min_similarity = models.DecimalField(
        _("least text similarity"),
        max_digits=3,
        decimal_places=2,
        default=0.3,
        validators=[MinValueValidator(0.05), MaxValueValidator(1)],
        help_text=_("Trigram similarity (0–1) of title and description that counts as similar."),
    )
    max_proposals = models.PositiveSmallIntegerField(
        _("proposals shown"), default=5, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )

    class Meta:
        verbose_name = _("repeat rule")
        verbose_name_plural = _("repeat rules")

    def __str__(self) -> str:
        return f"{self.window_days} / {self.min_similarity}"

    @classmethod
    def current(cls) -> "RepeatRule":
        return cls.objects.order_by("pk").first() or cls()


class Merge(models.Model):
    """A repeat report merged into its main case (并单), and, once undone, how.

    What the merge copied onto the main case and which of the repeat's clocks it stopped are
    kept by id, so that undoing it restores both cases exactly.
    """

    repeat = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="merges_as_repeat"
    )
    main = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="merges_as_main")
    reason = models.TextField(_("reason"))
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    merged_at = models.DateTimeField(_("merged at"))
    party_ids = models.JSONField(default=list, blank=True)
    attachment_ids = models.JSONField(default=list, blank=True)
    deadline_ids = models.JSONField(default=list, blank=True)
    unmerged_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    unmerged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unmerge_reason = models.TextField(_("reason for undoing"), blank=True)

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        ordering = ["-merged_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["repeat"],
                condition=Q(unmerged_at__isnull=True),
                name="one_standing_merge_per_repeat",
            )
        ]
