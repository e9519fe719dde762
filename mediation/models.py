"""Mediators and their pools, assignments to cases, sessions, agreements and 司法确认."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import Area, Unit
from cases.models import Case, Category


class MediatorKind(models.TextChoices):
    PEOPLE = "people", _("people's mediator")
    FULL_TIME = "full_time", _("full-time mediator")
    INVITED = "invited", _("invited mediator")
    EXPERT = "expert", _("expert")
    HEARING = "hearing", _("hearing officer")


class Profession(models.TextChoices):
    LAWYER = "lawyer", _("lawyer")
    PSYCHOLOGIST = "psychologist", _("psychologist")
    DOCTOR = "doctor", _("doctor")
    ENGINEER = "engineer", _("engineer")
    ACCOUNTANT = "accountant", _("accountant")
    TEACHER = "teacher", _("teacher")
    RETIRED_OFFICIAL = "retired", _("retired judge or official")
    OTHER = "other", _("other profession")


class PoolKind(models.TextChoices):
    EXPERT = "expert", _("expert pool")
    HEARING = "hearing", _("hearing-officer pool")
    INVITED = "invited", _("invited-mediator roster")


class Pool(models.Model):
    """调解专家库 / 听证员库 / 特邀调解员名册 of an area; members are mediators."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=PoolKind.choices)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("keeping unit"),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("pool")
        verbose_name_plural = _("pools")

    def __str__(self) -> str:
        return self.name


class Mediator(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mediator",
        verbose_name=_("user account"),
    )
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=MediatorKind.choices)
    profession = models.CharField(
        _("profession"), max_length=15, choices=Profession.choices, blank=True
    )
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mediators",
        verbose_name=_("unit"),
    )
    specialities = models.ManyToManyField(
        Category,
        blank=True,
        related_name="+",
        verbose_name=_("specialities"),
        help_text=_("A major category covers all its minor categories."),
    )
    areas = models.ManyToManyField(
        Area,
        blank=True,
        related_name="+",
        verbose_name=_("areas served"),
        help_text=_("Each area is served with everything below it."),
    )
    pools = models.ManyToManyField(
        Pool, blank=True, related_name="members", verbose_name=_("pools")
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mediator")
        verbose_name_plural = _("mediators")

    def __str__(self) -> str:
        return self.name


class AssignmentRole(models.TextChoices):
    LEAD = "lead", _("lead mediator")
    MEMBER = "member", _("panel member")


class Assignment(models.Model):
    """A mediator on a case; open until the mediation ends (`ended_at`)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="mediator_assignments")
    mediator = models.ForeignKey(Mediator, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("role"), max_length=10, choices=AssignmentRole.choices)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("mediator assignment")
        verbose_name_plural = _("mediator assignments")
        ordering = ["role", "assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "mediator"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_assignment_per_mediator",
            )
        ]
        indexes = [models.Index(fields=["mediator", "ended_at"])]


class SessionKind(models.TextChoices):
    MEDIATION = "mediation", _("mediation session")
    INVESTIGATION = "investigation", _("investigation")


class SessionResult(models.TextChoices):
    CONTINUE = "continue", _("to be continued")
    FAILED = "failed", _("failed attempt")
    AGREEMENT = "agreement", _("agreement reached")
    WITHDRAWN = "withdrawn", _("application withdrawn")


class Session(models.Model):
    """One scheduled meeting (调解 or 调查) and, once held, its record."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="mediation_sessions")
    number = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(
        _("kind"), max_length=15, choices=SessionKind.choices, default=SessionKind.MEDIATION
    )
    starts_at = models.DateTimeField(_("time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.CharField(_("online link"), max_length=300, blank=True)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The record, written when the session has taken place.
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    attendees = models.TextField(_("attendees"), blank=True)
    interviewee = models.CharField(_("person interviewed"), max_length=100, blank=True)
    recorder = models.CharField(_("recorder"), max_length=60, blank=True)
    facts = models.TextField(_("facts found"), blank=True)
    positions = models.JSONField(_("positions of the parties"), default=list, blank=True)
    proposal = models.TextField(_("mediation proposal"), blank=True)
    result = models.CharField(_("result"), max_length=10, choices=SessionResult.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("mediation session")
        verbose_name_plural = _("mediation sessions")
        ordering = ["case", "number"]
        unique_together = [("case", "number")]

    def __str__(self) -> str:
        return f"{self.case.code} #{self.number}"


class AgreementForm(models.TextChoices):
    WRITTEN = "written", _("written agreement")
    ORAL = "oral", _("oral agreement")


class Agreement(models.Model):
    """调解协议 (人民调解法 arts. 28–30): numbered per committee and year."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="agreements")
    session = models.OneToOneField(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="agreement"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    sequence = models.PositiveIntegerField()
    form = models.CharField(_("form"), max_length=10, choices=AgreementForm.choices)
    facts = models.TextField(_("main facts, matters in dispute and responsibilities"))
    content = models.TextField(_("agreed terms"))
    performance_method = models.CharField(_("manner of performance"), max_length=200)
    performance_due = models.DateField(_("perform by"), null=True, blank=True)
    effective_on = models.DateField(_("effective on"))
    # 协议涉及金额: the money the agreed terms move (compensation, wages, repayments), for the
    # people's-mediation statistical return; empty when the terms involve no money.
    amount = models.DecimalField(
        _("amount in the agreement (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("mediation agreement")
        verbose_name_plural = _("mediation agreements")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "sequence"], name="one_agreement_number"
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """卷号/协议编号 in the MoJ style: （2026）人调字第 12 号."""
        return f"（{self.year}）人调字第{self.sequence}号"


class Decision(models.TextChoices):
    PENDING = "", _("pending")
    CONFIRMED = "confirmed", _("confirmed valid")
    REJECTED = "rejected", _("rejected")


class Confirmation(models.Model):
    """司法确认: the parties' joint application to the court within 30 days (人民调解法 art. 33)."""

    agreement = models.OneToOneField(
        Agreement, on_delete=models.CASCADE, related_name="confirmation"
    )
    court = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("court")
    )
    prepared_at = models.DateTimeField()
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_at = models.DateTimeField(_("filed at"), null=True, blank=True)
    decision = models.CharField(
        _("court decision"), max_length=10, choices=Decision.choices, blank=True
    )
    reason = models.TextField(_("reason"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("judicial confirmation")
        verbose_name_plural = _("judicial confirmations")
