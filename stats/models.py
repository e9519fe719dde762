"""Pre-computed figures: one fact row per case, daily roll-ups for large areas, and the
assessment configuration. Kept current by stats.recorder from every timeline event."""

import datetime

from django.db import models
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

# The counters every fact and every roll-up row carries; the indicators are sums or ratios
# of them (stats/indicators.py). A fact holds 0/1 for flags and seconds for the time.
COUNTERS = (
    "accepted",
    "resolved",
    "closed",
    "closed_on_time",
    "first_time",
    "overdue",
    "evaluated",
    "satisfied",
    "court",
    "court_success",
    "litigation",
    "handling_seconds",
    "accepted_on_time",
    "paused",
    "paused_seconds",
    # 回访 and 履行 (the followup app): flags, see stats/facts.py.
    "followup_due",
    "followed_up",
    "visited",
    "rebound",
    "visit_missed",
    "perf_recorded",
    "performed",
    "not_performed",
    "repeats",
    "reports",
    "repeated",
    # 排查/调处/稳控 and risk grades (the dashboard's prevention section, stats/prevention.py):
    # flags of the case as it stands now.
    "handled",
    "stabilised",
    "risk_red",
    "risk_orange",
    "risk_yellow",
)
# Each counter summed under its own name, for a values(...).annotate(**SUM_ANNOTATIONS).
SUM_ANNOTATIONS = {c: Sum(c) for c in COUNTERS}


class Counters(models.Model):
    accepted = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    closed_on_time = models.IntegerField(default=0)
    first_time = models.IntegerField(default=0)
    overdue = models.IntegerField(default=0)
    evaluated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    court = models.IntegerField(default=0)
    court_success = models.IntegerField(default=0)
    litigation = models.IntegerField(default=0)
    handling_seconds = models.BigIntegerField(default=0)
    accepted_on_time = models.IntegerField(default=0)
    paused = models.IntegerField(default=0)
    paused_seconds = models.BigIntegerField(default=0)
    followup_due = models.IntegerField(default=0)
    followed_up = models.IntegerField(default=0)
    visited = models.IntegerField(default=0)
    rebound = models.IntegerField(default=0)
    visit_missed = models.IntegerField(default=0)
    perf_recorded = models.IntegerField(default=0)
    performed = models.IntegerField(default=0)
    not_performed = models.IntegerField(default=0)
    # Repeat reports merged into the case (并单): the dispute counts once, its repeats here.
    repeats = models.IntegerField(default=0)
    reports = models.IntegerField(default=0)  # the case's own report and its repeats
    repeated = models.IntegerField(default=0)  # 1 when at least one repeat is merged in
    # Standing outcome 化解 or 稳控 (调处), the status 稳控 now, the risk grade now.
    handled = models.IntegerField(default=0)
    stabilised = models.IntegerField(default=0)
    risk_red = models.IntegerField(default=0)
    risk_orange = models.IntegerField(default=0)
    risk_yellow = models.IntegerField(default=0)

    class Meta:
        abstract = True


class CaseFact(Counters):
    """What one accepted case contributes to the figures, as of now.

    `l1`…`l6` are the ids of the case area's ancestors at each level (province … grid), so
    "cases of area A" is `l<A.level> = A.id`, one indexed equality. Cases never accepted
    have no fact.
    """

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, primary_key=True, related_name="fact"
    )
    accepted_on = models.DateField(db_index=False)
    area_id_leaf = models.IntegerField()
    l1 = models.IntegerField(null=True)
    l2 = models.IntegerField(null=True)
    l3 = models.IntegerField(null=True)
    l4 = models.IntegerField(null=True)
    l5 = models.IntegerField(null=True)
    l6 = models.IntegerField(null=True)
    category = models.CharField(max_length=2, blank=True)
    channel = models.CharField(max_length=20)
    level = models.PositiveSmallIntegerField()
    owner_unit_id = models.IntegerField()
    reporter_id = models.IntegerField(null=True)
    complexity = models.CharField(max_length=10, blank=True, default="")
    # The day the case was closed (办结), for the cases open at a date (存量).
    closed_on = models.DateField(null=True)

    class Meta:
        verbose_name = _("case figures")
        verbose_name_plural = _("case figures")
        indexes = [
            *[
                models.Index(fields=[f"l{i}", "accepted_on"], name=f"fact_l{i}_day")
                for i in range(1, 7)
            ],
            # The cases of an area itself, not of its sub-areas (its "this area itself" row).
            models.Index(fields=["area_id_leaf", "accepted_on"], name="fact_leaf_day"),
            models.Index(fields=["owner_unit_id", "accepted_on"], name="fact_unit_day"),
            models.Index(fields=["reporter_id", "accepted_on"], name="fact_reporter_day"),
        ]


class Dim(models.TextChoices):
    TOTAL = "total", _("total")
    CATEGORY = "category", _("category")
    CHANNEL = "channel", _("intake channel")
    LEVEL = "level", _("handling level")
    COMPLEXITY = "complexity", _("complexity")
    # The owning unit (value: its id), by month: `day` is the first day of the month. The
    # unit table of a large area sums one row per unit and month instead of its facts.
    UNIT_MONTH = "unit_month", _("handling unit, by month")
    # Keyed by the day of closing (办结), not of acceptance; only closed cases. Cases open at
    # the end of a day (存量) = accepted up to it − closed up to it, from two sums of rows.
    CLOSED = "closed", _("closed on the day")
    # The cases as they stand now, whenever accepted: one row per area (and major category)
    # on NOW_DAY. The risk section's grades and 稳控 now read these, not every day's rows.
    NOW = "now", _("now, whenever accepted")
    NOW_CATEGORY = "now_cat", _("now, by category")


# The day of the Dim.NOW rows (any fixed day: they are read by their dimension alone).
NOW_DAY = datetime.date(1970, 1, 1)


class DailyCount(Counters):
    """Sums of the facts of cases accepted on `day` in `area`'s subtree, per dimension value
    (for Dim.UNIT_MONTH: accepted in the month that `day` begins; for Dim.CLOSED: closed on
    `day`).

    Only large areas keep rows (stats.recorder.ROLLUPS: a province, a city, a county for
    every dimension, a town for its total); smaller areas are summed from their facts.
    """

    day = models.DateField()
    area_id = models.IntegerField()
    dim = models.CharField(max_length=10, choices=Dim.choices)
    value = models.CharField(max_length=20, blank=True)

    class Meta:
        verbose_name = _("daily count")
        verbose_name_plural = _("daily counts")
        constraints = [
            models.UniqueConstraint(
                fields=["area_id", "dim", "day", "value"], name="daily_count_key"
            )
        ]


class AssessmentWeight(models.Model):
    """How much one indicator counts in a unit's or grid worker's score (考核权重)."""

    indicator = models.CharField(_("indicator"), max_length=30, unique=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=0)

    class Meta:
        ordering = ["indicator"]
        verbose_name = _("assessment weight")
        verbose_name_plural = _("assessment weights")

    def __str__(self) -> str:
        return f"{self.indicator} × {self.weight}"


class StarLevel(models.Model):
    """Grid-worker star rating (网格员星级考评): the least score and cases for `stars`."""

    stars = models.PositiveSmallIntegerField(_("stars"), unique=True)
    min_score = models.DecimalField(_("minimum score"), max_digits=6, decimal_places=2)
    min_cases = models.PositiveIntegerField(_("minimum cases reported"), default=1)

    class Meta:
        ordering = ["-stars"]
        verbose_name = _("star level")
        verbose_name_plural = _("star levels")

    def __str__(self) -> str:
        return f"{self.stars}★ ≥ {self.min_score}"


class PetitionFact(models.Model):
    """What one 信访 petition puts on the figures now (stats.petition_marks): its marks, each
    a kind and an Asia/Shanghai day, and the path of its case's area. Kept so that a change
    adds only its difference to the daily sums, also when the area moved."""

    petition = models.OneToOneField(
        "petitions.Petition", on_delete=models.CASCADE, primary_key=True, related_name="fact"
    )
    area_path = models.CharField(max_length=255)
    marks = models.JSONField(default=list)  # [[mark, "YYYY-MM-DD"], …]

    class Meta:
        verbose_name = _("petition figures")
        verbose_name_plural = _("petition figures")


class PetitionDaily(models.Model):
    """How many petitions of `area_id`'s subtree carry `mark` on `day`, for every area (a
    province's 信访 figures sum a few rows per day, as its case figures do)."""

    day = models.DateField()
    area_id = models.IntegerField()
    mark = models.CharField(max_length=20)
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("petition daily count")
        verbose_name_plural = _("petition daily counts")
        constraints = [
            models.UniqueConstraint(fields=["area_id", "mark", "day"], name="petition_daily_key")
        ]
