"""Deadlines are data: every open obligation of a case is a row with a due time."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import Unit
from cases.models import Case


class Clock(models.TextChoices):
    ACCEPT = "accept", _("accept by")
    RESOLVE = "resolve", _("resolve by")


class DeadlineState(models.TextChoices):
    OPEN = "open", _("open")
    MET = "met", _("met")
    MISSED = "missed", _("closed late")
    CANCELLED = "cancelled", _("cancelled")


class Deadline(models.Model):
    """One clock of one case for one unit.

    `overdue_at` is set by the sweep, once, when it processed the passing of
    `due_at`; `met` is written when the clock closes so that reports count a
    flag instead of recomputing history.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines")
    clock = models.CharField(_("clock"), max_length=20, choices=Clock.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="deadlines")
    level = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    warn_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(_("due at"))
    state = models.CharField(
        max_length=10, choices=DeadlineState.choices, default=DeadlineState.OPEN
    )
    warned_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    met = models.BooleanField(null=True)

    class Meta:
        ordering = ["due_at"]
        indexes = [
            # The sweep reads only rows that are due: cost follows due items, not open cases.
            models.Index(
                fields=["state", "due_at"],
                name="deadline_due_idx",
                condition=models.Q(overdue_at__isnull=True, state="open"),
            ),
            models.Index(fields=["case", "state"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "clock", "level"],
                condition=models.Q(state="open"),
                name="one_open_deadline_per_clock_level",
            ),
        ]

    @property
    def is_overdue(self) -> bool:
        return self.state == DeadlineState.OPEN and self.overdue_at is not None
