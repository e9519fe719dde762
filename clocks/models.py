"""Clocks are data: every open obligation of a case is a Deadline row with a due time; the
working-day calendar and the escalation policies that say how long each level has.

The tables kept their names (routing_*) when these models moved here from `routing`.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import Level, Unit

# The limits of areas whose policy does not set its own (and of areas without a policy).
DEFAULT_ACCEPT_HOURS = 24
# 人民调解工作若干规定 (司法部令第75号) 第三十三条: "人民调解委员会调解纠纷，一般在一个月内调结。"
DEFAULT_RESOLVE_DAYS = 30
DEFAULT_WARN_PERCENT = 80
# The same article is the ceiling of every resolve limit by complexity: a region may be faster
# than one month (辉南: 简单问题马上办、一般问题精准办、疑难问题合力办), never slower.
MAX_COMPLEXITY_DAYS = DEFAULT_RESOLVE_DAYS


class Complexity(models.TextChoices):
    """How hard a case is (简单 / 一般 / 疑难); the region's policy gives each its resolve limit."""

    SIMPLE = "simple", _("simple case")
    ORDINARY = "ordinary", _("ordinary case")
    COMPLEX = "complex", _("complex case")


class Clock(models.TextChoices):
    ACCEPT = "accept", _("accept by")
    RESOLVE = "resolve", _("resolve by")
    ESCALATE = "escalate", _("escalate after")
    # 吹哨报到: a summoned unit reports (报到) by this time, and feeds back on its task by that.
    REPORT = "report", _("report by")
    FEEDBACK = "feedback", _("feed back by")
    # 督办: a supervisor's notice with its own deadline.
    SUPERVISE = "supervise", _("answer supervision by")
    # 司法确认: the joint application to the court within 30 days of the agreement's effect.
    CONFIRM = "confirm", _("apply for judicial confirmation by")
    # 红橙黄预警: a raised risk grade's response plan (应急处置预案) — report the case up, and
    # take it in hand (包案 for red), each within the plan's hours.
    RISK_REPORT = "risk_report", _("report the risk up by")
    RISK_HANDLE = "risk_handle", _("take the risk in hand by")
    # 包案: the leader in charge reports the case's progress on a schedule.
    PROGRESS = "progress", _("report progress by")
    # 稳控: a stabilised case is reviewed by its review date.
    REVIEW = "review", _("review the stabilised case by")
    # 信访事项 (信访工作条例 2022, the petitions app): decide within 15 days, reply within 60
    # (one extension of up to 30), 复查 and 复核 opinions within 30 days of the request.
    PETITION_DECIDE = "petition_decide", _("decide on the petition by")
    PETITION_REPLY = "petition_reply", _("reply to the petition by")
    PETITION_REVIEW = "petition_review", _("give the review opinion by")
    PETITION_RECHECK = "petition_recheck", _("give the re-examination opinion by")
    # 回访: a closed case is visited by the region's follow-up rules (the followup app).
    VISIT = "visit", _("follow-up visit by")
    # 履行: a mediation agreement's performance is checked at its performance date.
    PERFORM = "perform", _("check the agreement's performance by")


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

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="deadlines")
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
    # A paused clock (the case waits for a party's material, an appraisal, a court) is not due
    # while `paused_at` is set; on resume its due time moves by the paused working time, which
    # adds up in `paused_for`.
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_for = models.DurationField(default=datetime.timedelta)

    class Meta:
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")
        db_table = "routing_deadline"  # the table kept its name when the model moved
        ordering = ["due_at"]
        indexes = [
            # The sweep reads only rows that are due: cost follows due items, not open cases.
            models.Index(
                fields=["state", "due_at"],
                name="deadline_due_idx",
                condition=models.Q(overdue_at__isnull=True, state="open"),
            ),
            # Reminders: rows whose warning time passed and that were not warned yet.
            models.Index(
                fields=["warn_at"],
                name="deadline_warn_idx",
                condition=models.Q(warned_at__isnull=True, state="open"),
            ),
            models.Index(fields=["case", "state"]),
            models.Index(fields=["unit", "state"]),
            # The dashboard's risk-plan and 信访 figures read a few rare kinds of clock of a
            # period: without it they would scan every case's accept and resolve clocks.
            models.Index(fields=["clock", "started_at"], name="deadline_clock_started_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "clock", "level", "unit"],
                condition=models.Q(state="open"),
                name="one_open_deadline_per_clock_level",
            ),
        ]

    @property
    def is_overdue(self) -> bool:
        return self.state == DeadlineState.OPEN and self.overdue_at is not None


# --- Working-day calendar and escalation policies ---------------------------------------


class CalendarOverride(models.Model):
    """An administrator's correction of the public-holiday calendar for one date.

    Overrides win over the `chinesecalendar` package. For a year the package does not
    know yet, enter all of that year's holidays and 调休 make-up working days: once a year
    has any override, its other dates follow the plain rule (Monday–Friday work).
    """

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        db_table = "routing_calendaroverride"  # the table kept its name when the model moved
        ordering = ["date"]
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.is_workday else '休'}"


class TimeUnit(models.TextChoices):
    HOURS = "hours", _("hours")
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    WORKING_DAYS = "working_days", _("working days")


class EscalationPolicy(models.Model):
    """A region's escalation rules: which levels handle a case, for how long or how many tries."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # The clocks every case of the policy's areas runs on, beside the level steps below.
    accept_hours = models.PositiveIntegerField(
        _("accept within (hours)"),
        default=DEFAULT_ACCEPT_HOURS,
        validators=[MinValueValidator(1)],
        help_text=_("From registration until the center accepts or declines the case."),
    )
    resolve_days = models.PositiveIntegerField(
        _("resolve within (days)"),
        default=DEFAULT_RESOLVE_DAYS,
        validators=[MinValueValidator(1)],
        help_text=_(
            "From acceptance; the Provisions on People's Mediation (art. 33) say one month."
        ),
    )
    # Resolve limits by complexity; empty: the general resolve limit above.
    simple_days = models.PositiveIntegerField(
        _("simple cases: resolve within (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_COMPLEXITY_DAYS)],
        help_text=_("Empty: the general limit. At most 30 days (one month, art. 33)."),
    )
    ordinary_days = models.PositiveIntegerField(
        _("ordinary cases: resolve within (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_COMPLEXITY_DAYS)],
        help_text=_("Empty: the general limit. At most 30 days (one month, art. 33)."),
    )
    complex_days = models.PositiveIntegerField(
        _("complex cases: resolve within (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_COMPLEXITY_DAYS)],
        help_text=_("Empty: the general limit. At most 30 days (one month, art. 33)."),
    )
    warn_percent = models.PositiveSmallIntegerField(
        _("remind at (% of the time)"),
        default=DEFAULT_WARN_PERCENT,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_("The unit is reminded when this share of a deadline's time has passed."),
    )

    class Meta:
        db_table = "routing_escalationpolicy"  # the table kept its name when the model moved
        ordering = ["name"]
        verbose_name = _("escalation policy")
        verbose_name_plural = _("escalation policies")

    def __str__(self) -> str:
        return self.name

    def resolve_days_for(self, complexity: str) -> int:
        """The resolve limit in days of a case of this complexity ("" = not set yet)."""
        days = {
            Complexity.SIMPLE: self.simple_days,
            Complexity.ORDINARY: self.ordinary_days,
            Complexity.COMPLEX: self.complex_days,
        }.get(complexity)
        if days is None:
            return self.resolve_days
        # 人民调解工作若干规定 art. 33 (one month) caps a complexity's limit, whatever was stored.
        return min(days, MAX_COMPLEXITY_DAYS)


class PolicyArea(models.Model):
    """Assigns a policy to an area and everything below it; the nearest assignment wins."""

    policy = models.ForeignKey(
        EscalationPolicy,
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("policy"),
    )
    # One assignment per area, so "nearest ancestor" is never ambiguous.
    area = models.OneToOneField(
        "areas.Area",
        on_delete=models.CASCADE,
        related_name="policy_assignment",
        verbose_name=_("area"),
    )

    class Meta:
        db_table = "routing_policyarea"  # the table kept its name when the model moved
        verbose_name = _("policy area")
        verbose_name_plural = _("policy areas")

    def __str__(self) -> str:
        return f"{self.policy} @ {self.area}"


class EscalationStep(models.Model):
    """How long (or how many attempts) one level has before the case moves up.

    `order` is the position in the chain, lowest level first.
    """

    policy = models.ForeignKey(
        EscalationPolicy, on_delete=models.CASCADE, related_name="steps", verbose_name=_("policy")
    )
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    order = models.PositiveSmallIntegerField(_("order"))
    time_limit = models.DecimalField(
        _("time limit"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    time_unit = models.CharField(
        _("time unit"), max_length=20, choices=TimeUnit.choices, blank=True
    )
    max_attempts = models.PositiveSmallIntegerField(_("maximum attempts"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        db_table = "routing_escalationstep"  # the table kept its name when the model moved
        ordering = ["policy", "order"]
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        constraints = [
            models.UniqueConstraint(fields=["policy", "level"], name="one_step_per_policy_level"),
            models.UniqueConstraint(fields=["policy", "order"], name="one_step_per_policy_order"),
            models.CheckConstraint(
                condition=models.Q(time_limit__isnull=False) | models.Q(max_attempts__isnull=False),
                name="step_has_time_limit_or_attempts",
            ),
            # A limit without a unit (or a unit without a limit) cannot be computed.
            models.CheckConstraint(
                condition=models.Q(time_limit__isnull=True, time_unit="")
                | (models.Q(time_limit__isnull=False) & ~models.Q(time_unit="")),
                name="step_time_limit_has_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy} · {self.get_level_display()}"

    def clean(self) -> None:
        if self.time_limit is None and self.max_attempts is None:
            raise ValidationError(_("A step needs a time limit or a maximum number of attempts."))
        if (self.time_limit is None) != (not self.time_unit):
            raise ValidationError({"time_unit": _("Give a time limit together with its unit.")})
        if self.time_limit is not None and self.time_limit <= 0:
            raise ValidationError({"time_limit": _("The time limit must be positive.")})
        if (
            self.time_limit is not None
            and self.time_unit != TimeUnit.HOURS
            and self.time_limit != int(self.time_limit)
        ):
            raise ValidationError({"time_limit": _("Day limits must be whole days.")})
        if self.max_attempts == 0:
            raise ValidationError({"max_attempts": _("At least one attempt.")})
