"""吹哨报到 (a town summons departments, six steps) and 督办 (a supervisor's notice).

The tables kept their names (routing_*) when these models moved here from `routing`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import Unit


class Whistle(models.Model):
    """吹哨: a town/street center summons departments on a case.

    The six steps are 吹哨 (this row) → 报到 → 会商 (meeting_*) → 落实 (each unit's task)
    → 反馈 → 评价 (per unit, on Summons), in that order for every unit; closed_at is set when
    every unit is evaluated or released (a unit no longer needed, with a reason).
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="whistles")
    caller_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    called_at = models.DateTimeField(_("summoned at"))
    report_due_at = models.DateTimeField(_("report by"))
    meeting_at = models.DateTimeField(_("meeting held at"), null=True, blank=True)
    meeting_place = models.CharField(_("meeting place"), max_length=200, blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("whistle (吹哨)")
        verbose_name_plural = _("whistles (吹哨)")
        db_table = "routing_whistle"  # the table kept its name when the model moved
        ordering = ["-called_at"]

    def __str__(self) -> str:
        return f"{self.case.code} {self.called_at:%Y-%m-%d}"


class Summons(models.Model):
    """One unit summoned by a whistle: its 报到, task, feedback and evaluation, or its
    release by the caller (released_*) when it is no longer needed.

    `report_missed` and `feedback_late` are set once and kept, so that per-unit counts
    survive a late report; a release counts what was missed before it, nothing after.
    """

    whistle = models.ForeignKey(Whistle, on_delete=models.CASCADE, related_name="summonses")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="summonses")
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    report_missed = models.BooleanField(_("missed the report limit"), default=False)
    task = models.TextField(_("task"), blank=True)
    task_due_at = models.DateTimeField(_("task due"), null=True, blank=True)
    feedback = models.TextField(_("feedback"), blank=True)
    feedback_at = models.DateTimeField(_("fed back at"), null=True, blank=True)
    feedback_late = models.BooleanField(_("late feedback"), default=False)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    evaluation = models.TextField(_("evaluation"), blank=True)
    evaluated_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    release_reason = models.TextField(_("reason for the release"), blank=True)

    class Meta:
        verbose_name = _("summoned unit (报到)")
        verbose_name_plural = _("summoned units (报到)")
        db_table = "routing_summons"  # the table kept its name when the model moved
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["whistle", "unit"], name="one_summons_per_unit"),
        ]

    @property
    def step(self) -> str:
        if self.released_at:
            return "released"
        if self.evaluated_at:
            return "evaluated"
        if self.feedback_at:
            return "fed_back"
        if self.task:
            return "implementing"
        if self.reported_at:
            return "reported"
        return "summoned"


# --- 督办 -------------------------------------------------------------------------------


class Supervision(models.Model):
    """督办: a supervisor's notice to the handling unit, answered by its own deadline."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="supervisions")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issuer_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    target_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="supervisions")
    instruction = models.TextField(_("instruction"))
    issued_at = models.DateTimeField()
    due_at = models.DateTimeField(_("answer by"))
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("supervision (督办)")
        verbose_name_plural = _("supervisions (督办)")
        db_table = "routing_supervision"  # the table kept its name when the model moved
        ordering = ["-issued_at"]
