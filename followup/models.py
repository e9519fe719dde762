"""After a case is closed: the region's follow-up rules (回访), the visits made (走一家访三家),
and the check of a mediation agreement's performance (履行)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.registry import Satisfaction

# The rules of areas without a setting of their own (or of an ancestor): the figures the
# issue names as an example; a region enters its own (FollowUpSetting).
DEFAULT_FIRST_DAYS = 7
DEFAULT_SECOND_DAYS = 30
DEFAULT_EARLIEST_HOURS = 24


class ReboundAction(models.TextChoices):
    REOPEN = "reopen", _("reopen the case at its unit")
    ESCALATE = "escalate", _("escalate the case to the next level's center")


class GradeFrom(models.TextChoices):
    """From which risk grade up a case gets a second visit (the risk app's grades)."""

    NONE = "", _("no second visit")
    YELLOW = "yellow", _("yellow, orange and red cases")
    ORANGE = "orange", _("orange and red cases")
    RED = "red", _("red cases only")


class FollowUpSetting(models.Model):
    """A region's follow-up rules, for its area and everything below it (the nearest wins),
    as escalation policies are assigned (clocks.models.PolicyArea)."""

    area = models.OneToOneField(
        "areas.Area",
        on_delete=models.CASCADE,
        related_name="followup_setting",
        verbose_name=_("area"),
    )
    after_resolved = models.BooleanField(_("visit resolved cases"), default=True)
    after_stabilised = models.BooleanField(_("visit stabilised cases"), default=True)
    after_transferred = models.BooleanField(_("visit cases sent to another channel"), default=False)
    after_terminated = models.BooleanField(_("visit terminated cases"), default=False)
    first_within_days = models.PositiveSmallIntegerField(
        _("first visit within (days)"),
        default=DEFAULT_FIRST_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Calendar days after the closing; the visit is due by the end of the day."),
    )
    second_from_grade = models.CharField(
        _("second visit for"),
        max_length=10,
        choices=GradeFrom.choices,
        default=GradeFrom.ORANGE,
        blank=True,
    )
    second_within_days = models.PositiveSmallIntegerField(
        _("second visit within (days)"),
        default=DEFAULT_SECOND_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Calendar days after the closing; on another day than the first visit."),
    )
    earliest_after_hours = models.PositiveSmallIntegerField(
        _("no visit earlier than (hours after the closing)"),
        default=DEFAULT_EARLIEST_HOURS,
        validators=[MaxValueValidator(24 * 30)],
        help_text=_("A visit checks whether the dispute flares up again: not the same day."),
    )
    rebound_action = models.CharField(
        _("when a visit finds a rebound"),
        max_length=10,
        choices=ReboundAction.choices,
        default=ReboundAction.REOPEN,
    )

    class Meta:
        verbose_name = _("follow-up setting")
        verbose_name_plural = _("follow-up settings")

    def __str__(self) -> str:
        return str(self.area)


class VisiteeKind(models.TextChoices):
    PARTY = "party", _("a party")
    NEIGHBOUR = "neighbour", _("a neighbour or relative (走一家访三家)")
    CADRE = "cadre", _("a village or community cadre")
    OTHER = "other", _("someone else")


class VisitMethod(models.TextChoices):
    HOME = "home", _("home visit")
    PHONE = "phone", _("telephone")
    INTERVIEW = "interview", _("talk at the center")
    VIDEO = "video", _("video call")


class Rebound(models.TextChoices):
    NONE = "none", _("no sign of rebound")
    SIGNS = "signs", _("signs of rebound, watch")
    REBOUNDED = "rebounded", _("the dispute has flared up again")


class Visit(models.Model):
    """One 回访/走访: whom, how, what was found. A case has several (a party, neighbours)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="followup_visits")
    # The follow-up clock this visit met (or closed late); None for a further visit.
    deadline = models.ForeignKey(
        "clocks.Deadline", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    visited_at = models.DateTimeField(_("visited at"))
    visitee_kind = models.CharField(_("visited"), max_length=10, choices=VisiteeKind.choices)
    party = models.ForeignKey(
        "cases.Party",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("party"),
    )
    visitee_name = models.CharField(_("name of the person visited"), max_length=50)
    method = models.CharField(_("how"), max_length=10, choices=VisitMethod.choices)
    findings = models.TextField(_("what was found"))
    satisfaction = models.CharField(
        _("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    rebound = models.CharField(_("rebound risk"), max_length=10, choices=Rebound.choices)
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    visitor_unit = models.ForeignKey("areas.Unit", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["visited_at", "pk"]
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")

    def __str__(self) -> str:
        return f"{self.case_id} {self.visitee_name}"


class PerformanceResult(models.TextChoices):
    PERFORMED = "performed", _("performed")
    PARTLY = "partly", _("partly performed")
    NOT_PERFORMED = "not_performed", _("not performed")


class Remedy(models.TextChoices):
    """What the parties are pointed to when an agreement is not performed."""

    NONE = "", _("none yet")
    # 人民调解法 第三十三条: a confirmed agreement can be enforced by the court.
    CONFIRMATION = "confirmation", _("judicial confirmation, then enforcement")
    # 人民调解法 第三十二条: a dispute over performance may be taken to court.
    LITIGATION = "litigation", _("a lawsuit at the people's court")


class Performance(models.Model):
    """履行: whether the parties did what their agreement says, checked at its date."""

    agreement = models.OneToOneField(
        "mediation.Agreement", on_delete=models.CASCADE, related_name="performance"
    )
    result = models.CharField(_("performance"), max_length=15, choices=PerformanceResult.choices)
    note = models.TextField(_("note"), blank=True)
    remedy = models.CharField(_("route offered"), max_length=15, choices=Remedy.choices, blank=True)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_unit = models.ForeignKey("areas.Unit", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("agreement performance")
        verbose_name_plural = _("agreement performances")

    def __str__(self) -> str:
        return f"{self.agreement} {self.result}"
