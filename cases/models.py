"""Case (一事一码), its parties, attachments, missing materials and timeline."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from areas.models import Area, Level, Unit
from clocks.models import Complexity

from .data.ethnicities import ETHNIC_GROUPS
from .workflow import Status, TransferChannel


class MojCategory(models.Model):
    """Ministry of Justice people's-mediation statistical category (婚姻家庭, 邻里…)."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        ordering = ["code"]
        verbose_name = _("MoJ statistical category")
        verbose_name_plural = _("MoJ statistical categories")

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """GB/T 31000 two-level 4-digit dispute category; majors have 2-digit codes."""

    code = models.CharField(_("code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=60)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("major category"),
    )
    moj_category = models.ForeignKey(
        MojCategory,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("MoJ statistical category"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("dispute category")
        verbose_name_plural = _("dispute categories")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Scale(models.TextChoices):
    INDIVIDUAL = "01", _("individual")
    GROUP = "02", _("ordinary group")
    MAJOR_GROUP = "03", _("major group")


class Channel(models.TextChoices):
    GRID_APP = "grid_app", _("grid app")
    WINDOW = "window", _("window")
    HOTLINE = "hotline", _("hotline 12345")
    ONLINE = "online", _("citizen online")
    POLICE = "police", _("police referral")
    COURT = "court", _("court push")
    PETITION = "petition", _("petition")
    UPPER = "upper", _("assigned from above")


class TriageClass(models.TextChoices):
    """三事分流: 大事 to departments, 小事 to self-governance and mediation, 私事 to residents."""

    MAJOR = "major", _("major matter")
    MINOR = "minor", _("minor matter")
    PRIVATE = "private", _("private matter")


class Case(models.Model):
    code = models.CharField(_("case code"), max_length=40, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"))
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("category")
    )
    scale = models.CharField(
        _("scale"), max_length=2, choices=Scale.choices, default=Scale.INDIVIDUAL
    )
    people_involved = models.PositiveIntegerField(_("people involved"), default=1)
    amount_involved = models.DecimalField(
        _("amount involved (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="cases", verbose_name=_("area")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    # 随手拍: where the reporter's phone was ("latitude,longitude" as text, no map tiles).
    location = models.CharField(_("location"), max_length=60, blank=True, default="")
    channel = models.CharField(_("intake channel"), max_length=20, choices=Channel.choices)
    external_ref = models.CharField(
        _("reference in the sending system"), max_length=80, blank=True, db_index=True
    )

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED, db_index=True
    )
    level = models.PositiveSmallIntegerField(_("handling level"), choices=Level.choices)
    owner_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="owned_cases", verbose_name=_("handling unit")
    )
    first_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("first receiving unit")
    )
    dispatcher_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("dispatching unit"),
    )
    triage_class = models.CharField(
        _("triage"), max_length=10, choices=TriageClass.choices, blank=True
    )
    subject_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subject_cases",
        verbose_name=_("subject-matter unit"),
    )
    # 简单 / 一般 / 疑难, set at acceptance or routing: it chooses the resolve limit
    # (clocks.EscalationPolicy.resolve_days_for); "" until someone sets it.
    complexity = models.CharField(
        _("complexity"), max_length=10, choices=Complexity.choices, blank=True, default=""
    )
    transfer_channel = models.CharField(
        _("sent to"), max_length=20, blank=True, choices=TransferChannel.choices
    )
    outcome_note = models.TextField(_("outcome"), blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        verbose_name=_("duplicate of"),
    )

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reported_cases",
        verbose_name=_("reported by"),
    )
    created_at = models.DateTimeField(_("registered at"), db_index=True)
    updated_at = models.DateTimeField(_("updated at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["owner_unit", "status"]),
            models.Index(fields=["area", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def missing_open(self):
        return [m for m in self.missing_materials.all() if not m.provided_at]


class PartyKind(models.TextChoices):
    PERSON = "person", _("person")
    ORGANISATION = "organisation", _("organisation")


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("applicant")
    RESPONDENT = "respondent", _("respondent")
    OTHER = "other", _("other party")


class Gender(models.TextChoices):
    UNKNOWN = "0", _("unknown")
    MALE = "1", _("male")
    FEMALE = "2", _("female")


class Party(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parties")
    kind = models.CharField(
        _("kind"), max_length=12, choices=PartyKind.choices, default=PartyKind.PERSON
    )
    role = models.CharField(
        _("role"), max_length=12, choices=PartyRole.choices, default=PartyRole.APPLICANT
    )
    name = models.CharField(_("name"), max_length=80)
    id_number = models.CharField(_("resident ID number"), max_length=18, blank=True, db_index=True)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    # 民族, GB 3304 code; blank for organisations and when unknown.
    ethnicity = models.CharField(
        _("ethnic group"), max_length=2, choices=ETHNIC_GROUPS, blank=True, default=""
    )
    occupation = models.CharField(_("occupation"), max_length=60, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return self.name


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"cases/{instance.case.code}/{filename}"


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]


class MissingMaterial(models.Model):
    """容缺受理: a material accepted as missing at intake, to be provided later."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="missing_materials")
    name = models.CharField(_("material"), max_length=120)
    provided_at = models.DateTimeField(_("provided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("missing material")
        verbose_name_plural = _("missing materials")
        ordering = ["pk"]


class PauseReason(models.TextChoices):
    """Why a case's clocks may stop (an audited reason; nothing else pauses them)."""

    MATERIALS = "materials", _("waiting for the party's missing materials (容缺补齐)")
    APPRAISAL = "appraisal", _("waiting for an appraisal or assessment")
    COURT = "court", _("waiting for a court, arbitration or another organ")


class ResumedHow(models.TextChoices):
    MATERIAL = "material", _("the awaited material was provided")
    HAND = "hand", _("resumed by hand")
    CLOSED = "closed", _("the case was closed")


class CasePause(models.Model):
    """One pause of a case's clocks: why, by whom, and — once over — how it ended and the
    working time it lasted (the due time moved by exactly that)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pauses")
    reason = models.CharField(_("reason"), max_length=12, choices=PauseReason.choices)
    note = models.TextField(_("what is awaited"))
    paused_at = models.DateTimeField(_("paused at"))
    paused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    resumed_at = models.DateTimeField(_("resumed at"), null=True, blank=True)
    resumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resumed_how = models.CharField(
        _("resumed by"), max_length=10, choices=ResumedHow.choices, blank=True
    )
    working_time = models.DurationField(_("paused working time"), null=True, blank=True)

    class Meta:
        verbose_name = _("clock pause")
        verbose_name_plural = _("clock pauses")
        ordering = ["paused_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(resumed_at__isnull=True), name="one_open_pause"
            )
        ]


class CaseUnitRelation(models.TextChoices):
    OWNER = "owner", _("handling unit")
    FIRST = "first", _("first receiver")
    FORMER = "former", _("former handler")
    ASSISTING = "assisting", _("assisting unit")
    # A unit with a member in a case's task force (一案一专班) reads it while assigned.
    TASK_FORCE = "task_force", _("task force")


class CaseUnit(models.Model):
    """Units linked to a case; a linked unit's staff can read it (departments, former owners)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="unit_links")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="case_links")
    relation = models.CharField(max_length=12, choices=CaseUnitRelation.choices)
    since = models.DateTimeField()

    class Meta:
        verbose_name = _("linked unit")
        verbose_name_plural = _("linked units")
        unique_together = [("case", "unit", "relation")]
        indexes = [models.Index(fields=["unit", "case"])]


class TimelineEvent(models.Model):
    """One step of a case's life (网上留痕): who, when, from which unit, what, before/after."""

    # The record is kept: a case, user or unit named in it cannot be deleted (deactivate them).
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="timeline")
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("unit"),
    )
    kind = models.CharField(_("event"), max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Tamper evidence (cases.audit): the hash of the case's previous event ("" for the first)
    # and this event's hash over it and its own content. `manage.py verify_audit` checks them.
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("case record")
        verbose_name_plural = _("case records")
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["case", "at"]),
            # The escalations of a period, for the quarterly review (stats.selectors).
            models.Index(fields=["at"], name="event_escalated_at", condition=Q(kind="escalated")),
        ]
        constraints = [
            # One successor per event: the case's chain cannot fork.
            models.UniqueConstraint(fields=["case", "prev_hash"], name="event_chain_linear"),
        ]


class AuditAnchor(models.Model):
    """The events of one local day across all cases, sealed once the day is over: a hash over
    the previous day's anchor and every event hash of the day (cases.audit.seal_days), so a
    removed case or a removed last event shows too."""

    day = models.DateField(unique=True)
    events = models.PositiveIntegerField()
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("audit anchor")
        verbose_name_plural = _("audit anchors")
        ordering = ["day"]


class CaseAccessLog(models.Model):
    """Every read of a full (unmasked) case record, for PIPL accountability."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="access_log")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    channel = models.CharField(max_length=10)  # "web" or "api"
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("case access record")
        verbose_name_plural = _("case access records")


class CaseCodeSequence(models.Model):
    """Last number issued per register, through cases.services.next_number; only ever grows.

    `prefix` is the register's key: a case-code prefix (area code + date) or another numbered
    register, such as a committee's agreements of a year (`agreement:<unit id>:<year>`).
    """

    prefix = models.CharField(max_length=30, unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("case code sequence")
        verbose_name_plural = _("case code sequences")
