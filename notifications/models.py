"""In-app notices (the bell) and their outgoing deliveries (SMS, e-mail, log).

A notice is written in the same transaction as the change it reports; deliveries are an
outbox sent after commit, so a rolled-back change sends nothing and a crashed send is
retried by the next sweep.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Case


class Kind(models.TextChoices):
    REMINDER = "reminder", _("deadline reminder")
    OVERDUE = "overdue", _("overdue notice")
    ESCALATED = "escalated", _("case escalated")
    SUPERVISION = "supervision", _("supervision notice (督办)")
    WHISTLE = "whistle", _("summons (吹哨)")
    ASSIGNED = "assigned", _("case dispatched")
    MEDIATION = "mediation", _("mediation")
    COURT = "court", _("court docking")
    RISK = "risk", _("risk warning (预警)")
    REVIEW = "review", _("a party not satisfied (to review)")
    WEBHOOK = "webhook", _("webhook subscriber paused")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(max_length=300, blank=True)
    # What the notice is about, e.g. "deadline:42:overdue": each recipient gets it once.
    key = models.CharField(max_length=200)
    created_at = models.DateTimeField(_("sent at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="one_notice_per_key"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class Contact(models.Model):
    """Where a staff member can be reached outside the app (e-mail is the user's own)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact"
    )
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")


class Delivery(models.Model):
    """One message to one address through one sender; the outbox row of a notice."""

    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE)
    channel = models.CharField(max_length=20)
    address = models.CharField(max_length=200)
    subject = models.CharField(max_length=200)
    text = models.TextField()
    key = models.CharField(max_length=250, unique=True)
    created_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [
            models.Index(
                fields=["created_at"],
                name="delivery_pending_idx",
                condition=models.Q(sent_at__isnull=True),
            )
        ]
