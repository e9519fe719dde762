"""信访事项 (petitions) under the 信访工作条例 (中共中央 国务院, 2022): a petition is a case of
the petition channel with its own procedure — the decision to accept, forward or point to the
right channel, handling and the written reply, then 复查 and 复核 on request. Each legal
limit is a clock (clocks.Deadline) the sweep watches; the articles are cited in services.py.

Also here: the 访诉分离 catalogue (which matters go to the courts or other organs, with
谁来办、怎么办) and leader reception days (领导接访/下访) that cases are booked to.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import Unit
from cases.models import Case


class Form(models.TextChoices):
    """How the petition came in: in person (走访), by letter, online, by phone."""

    VISIT = "visit", _("visit in person")
    LETTER = "letter", _("letter")
    ONLINE = "online", _("online")
    PHONE = "phone", _("phone")


class Stage(models.TextChoices):
    REGISTERED = "registered", _("registered, decision pending")
    HANDLING = "handling", _("accepted, in handling")
    REDIRECTED = "redirected", _("pointed to the competent channel")
    REPLIED = "replied", _("replied in writing")
    REVIEW = "review", _("review (复查) requested")
    REVIEWED = "reviewed", _("review opinion given")
    RECHECK = "recheck", _("re-examination (复核) requested")
    CLOSED = "closed", _("re-examination opinion given (final)")


# The stages in which a petition still awaits a decision, a reply or a 复查/复核 opinion.
OPEN_STAGES = [Stage.REGISTERED, Stage.HANDLING, Stage.REVIEW, Stage.RECHECK]


class Decision(models.TextChoices):
    ACCEPT = "accept", _("accept and handle here")
    FORWARD = "forward", _("forward to the competent unit (转送交办)")
    REDIRECT = "redirect", _("tell the petitioner the competent channel (告知)")


class OpinionKind(models.TextChoices):
    HANDLING = "handling", _("handling opinion (处理意见)")
    REVIEW = "review", _("review opinion (复查意见)")
    RECHECK = "recheck", _("re-examination opinion (复核意见)")


class OpinionResult(models.TextChoices):
    """A handling opinion supports a request, explains, or does not support it; 复查 and
    复核 uphold or change the opinion before them."""

    SUPPORT = "support", _("supported")
    EXPLAIN = "explain", _("explained (reasonable but without legal basis)")
    REJECT = "reject", _("not supported")
    UPHOLD = "uphold", _("upheld")
    CHANGE = "change", _("changed")


class GuideKind(models.TextChoices):
    LITIGATION = "litigation", _("litigation (court)")
    ARBITRATION = "arbitration", _("arbitration")
    RECONSIDERATION = "reconsideration", _("administrative reconsideration")
    POLITICAL_LEGAL = "political_legal", _("political-legal organs (涉法涉诉)")
    DISCIPLINE = "discipline", _("discipline inspection and supervision")
    OTHER = "other", _("other channel")


class ChannelGuide(models.Model):
    """One entry of the 访诉分离 catalogue: a kind of matter that belongs to another legal
    channel, who handles it (谁来办) and how the petitioner goes about it (怎么办)."""

    name = models.CharField(_("kind of matter"), max_length=100)
    kind = models.CharField(_("channel"), max_length=20, choices=GuideKind.choices)
    competent = models.CharField(_("who handles it (谁来办)"), max_length=100)
    how = models.TextField(_("how to proceed (怎么办)"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("channel guide")
        verbose_name_plural = _("channel guides")

    def __str__(self) -> str:
        return self.name


class Petition(models.Model):
    """The petition procedure of one case (channel 信访)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="petition")
    form = models.CharField(_("form"), max_length=10, choices=Form.choices, default=Form.VISIT)
    stage = models.CharField(
        _("stage"), max_length=12, choices=Stage.choices, default=Stage.REGISTERED, db_index=True
    )
    registered_at = models.DateTimeField(_("registered at"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    guide = models.ForeignKey(
        ChannelGuide,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions",
        verbose_name=_("channel guide"),
    )
    forwarded_to = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    extended_days = models.PositiveSmallIntegerField(_("extension (days)"), default=0)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    extended_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    review_requested_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    recheck_requested_at = models.DateTimeField(null=True, blank=True)
    rechecked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-registered_at"]
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")

    def __str__(self) -> str:
        return self.case.code


class Opinion(models.Model):
    """A written opinion given to the petitioner: the handling opinion (the 答复意见书), the
    review opinion, the re-examination opinion."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="opinions")
    kind = models.CharField(_("kind"), max_length=10, choices=OpinionKind.choices)
    result = models.CharField(_("result"), max_length=10, choices=OpinionResult.choices)
    facts = models.TextField(_("facts found"))
    text = models.TextField(_("opinion"))
    basis = models.TextField(_("legal and policy basis"), blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        ordering = ["issued_at", "pk"]
        verbose_name = _("petition opinion")
        verbose_name_plural = _("petition opinions")
        constraints = [
            models.UniqueConstraint(fields=["petition", "kind"], name="one_opinion_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.petition} {self.get_kind_display()}"


class ReceptionKind(models.TextChoices):
    RECEIVE = "receive", _("leader receives visitors (领导接访)")
    VISIT = "visit", _("leader visits down (领导下访)")


class ReceptionDay(models.Model):
    """A leader's reception day: at a center, on a date, in a place."""

    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="reception_days", verbose_name=_("unit")
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reception_days",
        verbose_name=_("leader"),
    )
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=10, choices=ReceptionKind.choices, default=ReceptionKind.RECEIVE
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("reception day")
        verbose_name_plural = _("reception days")

    def __str__(self) -> str:
        return f"{self.date} {self.place}"


class Booking(models.Model):
    """A case booked to a reception day, and what the leader's reception came to."""

    day = models.ForeignKey(ReceptionDay, on_delete=models.CASCADE, related_name="bookings")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reception_bookings")
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    booked_at = models.DateTimeField()
    outcome = models.TextField(_("outcome"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["day__date", "pk"]
        verbose_name = _("reception booking")
        verbose_name_plural = _("reception bookings")
        constraints = [
            models.UniqueConstraint(fields=["day", "case"], name="one_booking_per_day_and_case")
        ]
