"""Deadlines are data: every open obligation of a case is a row with a due time."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import Level, Unit, UnitKind
from cases.models import Case, TriageClass


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
            # Reminders: rows whose warning time passed and that were not warned yet.
            models.Index(
                fields=["warn_at"],
                name="deadline_warn_idx",
                condition=models.Q(warned_at__isnull=True, state="open"),
            ),
            models.Index(fields=["case", "state"]),
            models.Index(fields=["unit", "state"]),
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


# --- 吹哨报到 ---------------------------------------------------------------------------


class Whistle(models.Model):
    """吹哨: a town/street center summons departments on a case.

    The six steps are 吹哨 (this row) → 报到 → 会商 (meeting_*) → 落实 (each unit's task)
    → 反馈 → 评价 (per unit, on Summons); closed_at is set when every unit is evaluated.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="whistles")
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
        ordering = ["-called_at"]

    def __str__(self) -> str:
        return f"{self.case.code} {self.called_at:%Y-%m-%d}"


class Summons(models.Model):
    """One unit summoned by a whistle: its 报到, task, feedback and evaluation.

    `report_missed` and `feedback_late` are set once and kept, so that per-unit counts
    survive a late report.
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

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["whistle", "unit"], name="one_summons_per_unit"),
        ]

    @property
    def step(self) -> str:
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

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="supervisions")
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
        ordering = ["-issued_at"]


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

    class Meta:
        ordering = ["name"]
        verbose_name = _("escalation policy")
        verbose_name_plural = _("escalation policies")

    def __str__(self) -> str:
        return self.name


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


class RoutingRule(models.Model):
    """三事分流 proposal: cases matching the conditions go to the target; lowest priority wins.

    The target is a unit kind (and speciality) looked up at a level above the case's area,
    e.g. "the labour department of the county", or one fixed unit.
    """

    name = models.CharField(_("name"), max_length=100)
    priority = models.PositiveIntegerField(_("priority"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    area = models.ForeignKey(
        "areas.Area",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        verbose_name=_("applies in area"),
        help_text=_("Empty: everywhere."),
    )
    category = models.ForeignKey(
        "cases.Category",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        verbose_name=_("category"),
        help_text=_("A major category also matches its minor categories."),
    )
    min_scale = models.CharField(_("from scale"), max_length=2, blank=True)
    min_people = models.PositiveIntegerField(_("from people involved"), null=True, blank=True)
    min_amount = models.DecimalField(
        _("from amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    triage_class = models.CharField(_("triage"), max_length=10, choices=TriageClass.choices)
    target_unit = models.ForeignKey(
        "areas.Unit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("fixed handling unit"),
    )
    target_kind = models.CharField(
        _("handling unit kind"), max_length=20, choices=UnitKind.choices, blank=True
    )
    target_speciality = models.CharField(_("handling unit speciality"), max_length=60, blank=True)
    target_level = models.PositiveSmallIntegerField(
        _("handling level"), choices=Level.choices, null=True, blank=True
    )
    subject_kind = models.CharField(
        _("subject-matter unit kind"), max_length=20, choices=UnitKind.choices, blank=True
    )
    subject_speciality = models.CharField(_("subject-matter speciality"), max_length=60, blank=True)
    guidance = models.TextField(
        _("guidance for private matters"),
        blank=True,
        help_text=_("Which service or channel the residents are pointed to."),
    )

    class Meta:
        ordering = ["priority", "pk"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return self.name
