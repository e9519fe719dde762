"""Risk and prevention (源头治理): the 红橙黄 grade of a case, the rules that propose it, and
the response plan (应急处置预案) each colour opens.

Seed 003 (巫山): "建立‘红橙黄’三色预警机制，配套应急处置预案，对可能升级的纠纷即时上报、精准干预".
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Grade(models.TextChoices):
    NONE = "none", _("no risk (无)")
    YELLOW = "yellow", _("yellow (黄)")
    ORANGE = "orange", _("orange (橙)")
    RED = "red", _("red (红)")


# Higher is more urgent; the queues order by it (a red case first).
RANK = {Grade.NONE: 0, Grade.YELLOW: 1, Grade.ORANGE: 2, Grade.RED: 3}


class Source(models.TextChoices):
    RULE = "rule", _("proposed by a rule at intake")
    MANUAL = "manual", _("set by staff")


class CaseRisk(models.Model):
    """A case's current risk grade. A case without one is 无 (no risk)."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="risk", verbose_name=_("case")
    )
    grade = models.CharField(_("risk grade"), max_length=10, choices=Grade.choices)
    rank = models.PositiveSmallIntegerField(default=0, db_index=True)
    source = models.CharField(_("set by"), max_length=10, choices=Source.choices)
    reason = models.TextField(_("reason"), blank=True)
    rules = models.JSONField(_("rules that matched"), default=list, blank=True)
    set_at = models.DateTimeField(_("set at"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("set by"),
    )

    class Meta:
        verbose_name = _("case risk grade")
        verbose_name_plural = _("case risk grades")

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_grade_display()}"


class RuleKind(models.TextChoices):
    SCALE = "scale", _("scale is at least")
    PEOPLE = "people", _("people involved at least")
    AMOUNT = "amount", _("amount involved at least (yuan)")
    THREAT = "threat", _("threat of revenge or self-harm (words)")
    CRIMINAL = "criminal", _("risk of turning criminal 民转刑 (words)")
    REPEAT = "repeat", _("a party's earlier cases at least")
    KEY_PERSON = "key_person", _("a key person is a party")
    CATEGORY = "category", _("category")


class RiskRule(models.Model):
    """One rule an administrator edits: when it matches a new case, it proposes its grade;
    the highest grade proposed wins."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=RuleKind.choices)
    grade = models.CharField(
        _("grade proposed"),
        max_length=10,
        choices=[c for c in Grade.choices if c[0] != Grade.NONE],
    )
    threshold = models.DecimalField(
        _("threshold"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("People, yuan, earlier cases, or the scale code (2 or 3)."),
    )
    words = models.CharField(
        _("words"),
        max_length=400,
        blank=True,
        help_text=_("Words in the title or description, separated by 、 or commas."),
    )
    category_code = models.CharField(
        _("category code (prefix)"), max_length=4, blank=True, help_text=_("e.g. 03 or 0301")
    )
    # A county's own rule applies to its cases only; without an area, to every case.
    area = models.ForeignKey(
        "areas.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("area"),
        help_text=_("Empty: every case; otherwise the cases of this area and below."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("risk rule")
        verbose_name_plural = _("risk rules")

    def __str__(self) -> str:
        return self.name

    def word_list(self) -> list[str]:
        text = self.words.replace("，", "、").replace(",", "、").replace(" ", "、")
        return [w for w in (p.strip() for p in text.split("、")) if w]


class RiskPlan(models.Model):
    """应急处置预案 of one colour: who is told at once, the time to report the case up and
    to take it in hand, and the measures to check off."""

    grade = models.CharField(
        _("risk grade"),
        max_length=10,
        unique=True,
        choices=[c for c in Grade.choices if c[0] != Grade.NONE],
    )
    notify_levels_up = models.PositiveSmallIntegerField(
        _("centers told above the handling unit"),
        default=1,
        help_text=_("0: the handling unit and its leader only; 1 or 2: the centers above too."),
    )
    report_hours = models.PositiveIntegerField(
        _("report up within (hours)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty: no report up is required."),
    )
    handle_hours = models.PositiveIntegerField(
        _("take in hand within (hours)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    handle_label = models.CharField(
        _("what taking in hand means"), max_length=60, blank=True, help_text=_("e.g. 包案")
    )
    measures = models.TextField(_("measures (one a line)"), blank=True)

    class Meta:
        ordering = ["-grade"]
        verbose_name = _("response plan")
        verbose_name_plural = _("response plans")

    def __str__(self) -> str:
        return str(self.get_grade_display())

    def measure_list(self) -> list[str]:
        return [m.strip() for m in self.measures.splitlines() if m.strip()]


# --- Key persons (一人一档) ---------------------------------------------------------------


class RiskTag(models.Model):
    """A risk tag of a key person (扬言报复、缠访闹访、精神障碍、涉众…); administrators extend it."""

    name = models.CharField(_("name"), max_length=30, unique=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("risk tag")
        verbose_name_plural = _("risk tags")

    def __str__(self) -> str:
        return self.name


class KeyPerson(models.Model):
    """一人一档: the file of a person to keep in view, kept by the center of `area`.

    Keyed by the resident ID number, or by name and phone where there is none. A check-in
    visit is due every `visit_days` days (在位在控); the sweep marks a passed `visit_due_at`
    once (`visit_overdue_at`) and counts it in `missed_visits`.
    """

    name = models.CharField(_("name"), max_length=80)
    id_number = models.CharField(_("resident ID number"), max_length=18, blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    area = models.ForeignKey(
        "areas.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    tags = models.ManyToManyField(RiskTag, blank=True, verbose_name=_("risk tags"))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="key_persons",
        verbose_name=_("responsible for control (稳控)"),
    )
    visit_days = models.PositiveIntegerField(
        _("visit every (days)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    visit_due_at = models.DateTimeField(_("next visit due"), null=True, blank=True)
    visit_overdue_at = models.DateTimeField(null=True, blank=True)
    missed_visits = models.PositiveIntegerField(_("missed visits"), default=0)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("key person")
        verbose_name_plural = _("key persons")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=~models.Q(id_number=""),
                name="one_key_person_per_id_number",
            ),
        ]
        indexes = [
            # The sweep reads only files whose visit is due and not yet marked.
            models.Index(
                fields=["visit_due_at"],
                name="key_person_visit_due_idx",
                condition=models.Q(visit_overdue_at__isnull=True, visit_due_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class LinkSource(models.TextChoices):
    AUTO = "auto", _("by ID number at intake")
    MANUAL = "manual", _("by hand")


class KeyPersonCase(models.Model):
    """A case the key person is a party of."""

    person = models.ForeignKey(KeyPerson, on_delete=models.CASCADE, related_name="case_links")
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="key_person_links"
    )
    source = models.CharField(_("linked"), max_length=10, choices=LinkSource.choices)
    linked_at = models.DateTimeField()
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("key person's case")
        verbose_name_plural = _("key persons' cases")
        constraints = [
            models.UniqueConstraint(fields=["person", "case"], name="one_link_per_person_case")
        ]


class Visit(models.Model):
    """A check-in visit (走访) to a key person."""

    person = models.ForeignKey(KeyPerson, on_delete=models.CASCADE, related_name="visits")
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    note = models.TextField(_("note"))
    late = models.BooleanField(_("late"), default=False)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("check-in visit")
        verbose_name_plural = _("check-in visits")


class KeyPersonChange(models.Model):
    """One change of a key person's file (responsible, tags, visit interval, note): its history."""

    person = models.ForeignKey(KeyPerson, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    # {field label: [before, after]} as shown to people.
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("change of a key person's file")
        verbose_name_plural = _("changes of key persons' files")


class KeyPersonAccessLog(models.Model):
    """Every read of a key person's full ID number and phone (PIPL accountability)."""

    person = models.ForeignKey(KeyPerson, on_delete=models.CASCADE, related_name="access_log")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    channel = models.CharField(max_length=10)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("key person access record")
        verbose_name_plural = _("key person access records")


# --- 研判 meetings ------------------------------------------------------------------------


class MeetingSchedule(models.Model):
    """A center's recurring 研判 meeting (东辽: every Wednesday and Friday; 日研判: daily)."""

    center = models.ForeignKey(
        "areas.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("center")
    )
    name = models.CharField(_("name"), max_length=60)
    # ISO weekdays, 1 = Monday … 7 = Sunday, e.g. "3,5" for Wednesday and Friday.
    weekdays = models.CharField(
        _("weekdays"), max_length=20, help_text=_("1 = Monday … 7 = Sunday, e.g. 3,5")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("meeting schedule")
        verbose_name_plural = _("meeting schedules")

    def __str__(self) -> str:
        return self.name

    def days(self) -> set[int]:
        return {int(d) for d in self.weekdays.replace("，", ",").split(",") if d.strip().isdigit()}


class MeetingKind(models.TextChoices):
    SCHEDULED = "scheduled", _("regular")
    AD_HOC = "ad_hoc", _("ad hoc")


class Meeting(models.Model):
    """One 研判 meeting of a center: its agenda is built for its date when it is opened."""

    center = models.ForeignKey(
        "areas.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("center")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=MeetingKind.choices)
    date = models.DateField(_("date"))
    opened_at = models.DateTimeField(_("opened at"))
    since = models.DateTimeField(_("new cases since"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-date", "-opened_at"]
        verbose_name = _("研判 meeting")
        verbose_name_plural = _("研判 meetings")
        constraints = [
            models.UniqueConstraint(
                fields=["center", "date"],
                condition=models.Q(kind="scheduled"),
                name="one_regular_meeting_per_center_day",
            )
        ]


class MeetingItem(models.Model):
    """A case on a meeting's agenda, why it is there, and the meeting's conclusion."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    reasons = models.JSONField(default=list)
    # The agenda's order, fixed when it is built: red, orange, then overdue first.
    urgency = models.PositiveSmallIntegerField(default=0)
    conclusion = models.TextField(_("conclusion"), blank=True)
    grade_after = models.CharField(_("risk grade"), max_length=10, blank=True)
    responsible_unit = models.ForeignKey(
        "areas.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible unit"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    concluded_at = models.DateTimeField(null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-urgency", "pk"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "case"], name="one_item_per_meeting_case")
        ]


class MeetingPerson(models.Model):
    """A key person with a missed visit on a meeting's agenda."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="persons")
    person = models.ForeignKey(KeyPerson, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("key person on the agenda")
        verbose_name_plural = _("key persons on the agenda")


class PreventionNotice(models.Model):
    """预警预防信息 a meeting sends down to named units, each to acknowledge by `due_at`."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notices")
    text = models.TextField(_("notice"))
    sent_at = models.DateTimeField()
    due_at = models.DateTimeField(_("acknowledge by"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("prevention notice")
        verbose_name_plural = _("prevention notices")


class NoticeRecipient(models.Model):
    notice = models.ForeignKey(
        PreventionNotice, on_delete=models.CASCADE, related_name="recipients"
    )
    unit = models.ForeignKey("areas.Unit", on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    overdue_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notice recipient")
        verbose_name_plural = _("notice recipients")
        constraints = [
            models.UniqueConstraint(fields=["notice", "unit"], name="one_recipient_per_notice_unit")
        ]


# --- 包案, 一案一专班, 一案一策 ---------------------------------------------------------------


class Assignment(models.Model):
    """包案: a leader takes a case in hand with a task force (一案一专班) and a plan (一案一策),
    and reports progress every `report_days` days (a clock the sweep watches)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="assignments")
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="led_cases",
        verbose_name=_("leader in charge (包案领导)"),
    )
    leader_unit = models.ForeignKey("areas.Unit", on_delete=models.PROTECT, related_name="+")
    report_days = models.PositiveIntegerField(
        _("progress report every (days)"), default=7, validators=[MinValueValidator(1)]
    )
    assigned_at = models.DateTimeField(_("assigned at"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-assigned_at"]
        verbose_name = _("leader in charge (包案)")
        verbose_name_plural = _("leaders in charge (包案)")
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_assignment_per_case",
            )
        ]


class TaskForceMember(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("member"),
    )
    unit = models.ForeignKey(
        "areas.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    role = models.CharField(_("role in the task force"), max_length=40)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("task force member")
        verbose_name_plural = _("task force members")


class PlanMeasure(models.Model):
    """One measure of 一案一策: what, who is responsible, by when."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="measures")
    text = models.CharField(_("measure"), max_length=200)
    responsible = models.CharField(_("responsible"), max_length=80)
    due_date = models.DateField(_("due date"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("plan measure")
        verbose_name_plural = _("plan measures")


class ProgressReport(models.Model):
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reports")
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("progress"))

    class Meta:
        ordering = ["-at"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")


# --- 稳控 -----------------------------------------------------------------------------------


class StabilityControl(models.Model):
    """稳控: how a stabilised case is kept under control, by whom, and when it is reviewed."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="controls")
    measures = models.TextField(_("control measures"))
    responsible = models.CharField(_("responsible for control (稳控)"), max_length=80)
    review_date = models.DateField(_("review date"))
    set_at = models.DateTimeField()
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-set_at", "-pk"]
        verbose_name = _("stability control (稳控)")
        verbose_name_plural = _("stability controls (稳控)")
