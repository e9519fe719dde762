"""The citizen side: one-time codes that prove a phone; the parties' evaluations."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.registry import Satisfaction


class PhoneCode(models.Model):
    """A one-time code sent by SMS to prove the holder of a phone (portal.codes)."""

    phone = models.CharField(_("phone"), max_length=20)
    # What the code unlocks: "track:<case code>" or "report".
    purpose = models.CharField(_("purpose"), max_length=60)
    code_hash = models.CharField(max_length=64)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("valid until"))
    tries = models.PositiveSmallIntegerField(_("tries"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("verification code")
        verbose_name_plural = _("verification codes")
        indexes = [
            models.Index(fields=["phone", "created_at"]),
            models.Index(fields=["client_ip", "created_at"]),
        ]


class CodePhone(models.Model):
    """One row per phone that has asked for a code, locked while a code is sent to it: two
    requests at the same instant are checked one after the other, so they cannot both pass
    the one-a-minute limit (portal.codes.send_code)."""

    phone = models.CharField(_("phone"), max_length=20, unique=True)

    class Meta:
        verbose_name = _("phone asking for codes")
        verbose_name_plural = _("phones asking for codes")


class Evaluation(models.Model):
    """A party's rating of how their case ended (满意 / 基本满意 / 不满意), asked by an SMS
    link (a signed token, valid 30 days, single use) when the case is resolved or closed."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="evaluations")
    party = models.ForeignKey("cases.Party", on_delete=models.CASCADE, related_name="+")
    # The outcome event rated: a case closed again after a reopen is rated anew.
    event = models.ForeignKey("cases.TimelineEvent", on_delete=models.CASCADE, related_name="+")
    phone = models.CharField(_("phone"), max_length=20)
    invited_at = models.DateTimeField(_("invited at"))
    expires_at = models.DateTimeField(_("valid until"))
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    satisfaction = models.CharField(
        _("satisfaction"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("party evaluation")
        verbose_name_plural = _("party evaluations")
        constraints = [
            models.UniqueConstraint(fields=["event", "party"], name="one_evaluation_per_outcome")
        ]


class OnUnsatisfied(models.TextChoices):
    REVIEW = "review", _("put on the center's review list")
    REOPEN = "reopen", _("reopen the case")


class EvaluationSetting(models.Model):
    """What a party's 不满意 leads to in an area and below (the nearest setting up the tree
    applies; none: the review list with a deadline of 3 working days)."""

    area = models.OneToOneField(
        "areas.Area", on_delete=models.CASCADE, related_name="+", verbose_name=_("area")
    )
    on_unsatisfied = models.CharField(
        _("when a party is not satisfied"),
        max_length=10,
        choices=OnUnsatisfied.choices,
        default=OnUnsatisfied.REVIEW,
    )
    review_days = models.PositiveSmallIntegerField(_("working days to review"), default=3)

    class Meta:
        verbose_name = _("evaluation setting")
        verbose_name_plural = _("evaluation settings")


class Review(models.Model):
    """A case on its center's review list because a party was not satisfied."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    evaluation = models.OneToOneField(Evaluation, on_delete=models.CASCADE, related_name="review")
    unit = models.ForeignKey(
        "areas.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("center")
    )
    created_at = models.DateTimeField(_("listed at"))
    due_at = models.DateTimeField(_("review by"))
    done_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("review note"), blank=True)

    class Meta:
        verbose_name = _("review of a dissatisfied party")
        verbose_name_plural = _("reviews of dissatisfied parties")
        ordering = ["due_at", "pk"]


class DailyReport(models.Model):
    """有事报情况，无事报平安: a grid's report of one day, at most one per grid and day."""

    grid = models.ForeignKey(
        "areas.Area", on_delete=models.CASCADE, related_name="+", verbose_name=_("grid")
    )
    day = models.DateField(_("day"))
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reported by"),
    )
    created_at = models.DateTimeField(_("filed at"))
    all_quiet = models.BooleanField(_("nothing to report, all quiet"), default=False)
    # The offline draft it was sent as (cases.services.clean_idempotency_key): a resend of
    # "all quiet" finds it instead of being refused.
    idempotency_key = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("daily grid report")
        verbose_name_plural = _("daily grid reports")
        ordering = ["-day", "grid"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "day"], name="one_daily_report_per_grid_day")
        ]


class ItemKind(models.TextChoices):
    VISIT = "visit", _("visit")
    HAZARD = "hazard", _("hazard")
    DISPUTE = "dispute", _("dispute found")
    OTHER = "other", _("other")


class DailyReportItem(models.Model):
    """One thing of the day's report; a dispute can become a case."""

    report = models.ForeignKey(DailyReport, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    text = models.TextField(_("what"))
    party_name = models.CharField(_("person concerned"), max_length=80, blank=True)
    party_phone = models.CharField(_("phone"), max_length=20, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("case"),
    )
    # The offline draft it was sent as: a resend adds no second item.
    idempotency_key = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("daily report item")
        verbose_name_plural = _("daily report items")
        ordering = ["pk"]


class MissedDailyReport(models.Model):
    """A working day that ended without its grid's report: counted once by the sweep."""

    grid = models.ForeignKey(
        "areas.Area", on_delete=models.CASCADE, related_name="+", verbose_name=_("grid")
    )
    day = models.DateField(_("day"))
    counted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("missed daily report")
        verbose_name_plural = _("missed daily reports")
        constraints = [
            models.UniqueConstraint(fields=["grid", "day"], name="one_miss_per_grid_day")
        ]


def visit_photo_path(instance: "VisitLog", filename: str) -> str:
    return f"grid-log/{instance.grid_id}/{filename}"


class VisitLog(models.Model):
    """民情日志: a grid worker's visit to a household or place and what was found."""

    grid = models.ForeignKey(
        "areas.Area", on_delete=models.CASCADE, related_name="+", verbose_name=_("grid")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("time"))
    place = models.CharField(_("household or place"), max_length=120)
    found = models.TextField(_("what was found"))
    photo = models.FileField(_("photo"), upload_to=visit_photo_path, blank=True)
    # Where the phone said it was (browser geolocation), "latitude,longitude" as text.
    location = models.CharField(_("location"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("visit log entry")
        verbose_name_plural = _("visit log")
        ordering = ["-at", "-pk"]


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")
    CASE = "case", _("turned into a case")


class Problem(models.Model):
    """问题清单: a problem of the grid that is not (yet) a dispute — a hazard, a tension —
    open until closed or turned into a case."""

    grid = models.ForeignKey(
        "areas.Area", on_delete=models.CASCADE, related_name="+", verbose_name=_("grid")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("noted at"))
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    text = models.TextField(_("problem"))
    status = models.CharField(
        _("status"), max_length=10, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closing_note = models.TextField(_("how it was closed"), blank=True)
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("problem of the grid")
        verbose_name_plural = _("problem list")
        ordering = ["status", "-created_at", "-pk"]
