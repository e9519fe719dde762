"""Every indicator, defined once: its name, its written definition (shown on the page and
in exports), how it is computed from summed counters, and which cases are behind it.

The cohort of a period is the cases accepted (受理) in it, by their Asia/Shanghai date of
acceptance, in the area's subtree; each indicator counts a condition on those cases as
they stand now. So a rate's numerator and denominator are always the same cases, a
reopened case leaves 化解/办结 until it closes again, and a past period's figures follow
late outcomes of its cases. Formulas: 办结率 = 办结/受理 as in STANDARDS.md §4 (the
`jintang163/047.dispute-resolve-deal` formulas) and seed 001 (舒兰: 受理16833件，办结16716件，
办结率99.3%); 诉前调解成功率 = 成功/参与 as in seed 000 (柳州: 参与诉前调解12139件，调解成功5663件);
万人成讼率 per 10,000 residents as in STANDARDS.md §4.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import COUNTERS


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    definition: str
    numerator: str  # a counter
    denominator: str = ""  # a counter; "" for a plain count
    kind: str = "count"  # count | rate | per10k | days
    # The 0/1 counter whose cases are listed behind the figure, when the numerator is not
    # one (repeats: the cases that have repeat reports merged in).
    lists: str = ""

    def value(self, c: dict, population: int = 0) -> float | None:
        """The figure from summed counters; None when it is undefined (nothing to divide)."""
        num = c.get(self.numerator, 0)
        if self.kind == "count":
            return num
        if self.kind == "per10k":
            return num * 10_000 / population if population else None
        den = c.get(self.denominator, 0)
        if not den:
            return None
        if self.kind == "days":
            return num / den / 86_400
        return num * 100 / den

    def cases_q(self) -> Q:
        """The condition on a case's fact for the list behind the figure (its numerator's
        cases; for an average, the closed cases it averages over)."""
        counter = self.lists or (self.denominator if self.kind == "days" else self.numerator)
        return Q() if counter == "accepted" else Q(**{f"fact__{counter}": 1})

    def listed(self, c: dict) -> int:
        counter = self.lists or (self.denominator if self.kind == "days" else self.numerator)
        return c.get(counter, 0)


_I = Indicator
INDICATORS: dict[str, Indicator] = {
    i.key: i
    for i in [
        _I(
            "accepted",
            _("Cases accepted"),
            _(
                "Cases accepted (受理) in the period: registered cases that a center accepted, "
                "counted once on the day of acceptance; cases declined at intake are not counted."
            ),
            "accepted",
        ),
        _I(
            "resolved",
            _("Cases resolved"),
            _(
                "Accepted cases whose standing outcome is 化解 (resolved); a reopened case "
                "counts again only when it is resolved again."
            ),
            "resolved",
        ),
        _I(
            "resolution_rate",
            _("Resolution rate"),
            _("Resolved ÷ accepted, for the cases accepted in the period."),
            "resolved",
            "accepted",
            "rate",
        ),
        _I(
            "closed",
            _("Cases closed"),
            _(
                "Accepted cases closed (办结) now: resolved, sent to another channel "
                "(litigation, arbitration, petition, administrative) or terminated. Stabilised "
                "(稳控) cases are still open; a reopened case is open again."
            ),
            "closed",
        ),
        _I(
            "closure_rate",
            _("Closure rate"),
            _("Closed ÷ accepted (办结率 = 办结/受理)."),
            "closed",
            "accepted",
            "rate",
        ),
        _I(
            "on_time_rate",
            _("On-time closure rate"),
            _(
                "Closed cases whose resolve-by time limit was never exceeded ÷ closed cases. "
                "The limit is the one of the case's complexity (简单 / 一般 / 疑难) in its "
                "region's policy, and time paused with an audited reason (waiting for the "
                "party's materials, an appraisal, a court) is excluded: a paused clock's due "
                "time moves by the paused working time. Broken down by complexity below."
            ),
            "closed_on_time",
            "closed",
            "rate",
        ),
        _I(
            "timely_acceptance_rate",
            _("Timely acceptance rate"),
            _(
                "Cases accepted (受理) within the accept-by limit of their region's policy "
                "(from registration to acceptance) ÷ cases accepted (及时受理率)."
            ),
            "accepted_on_time",
            "accepted",
            "rate",
        ),
        _I(
            "paused_cases",
            _("Cases paused"),
            _(
                "Accepted cases whose time limit was paused at least once with an audited "
                "reason (waiting for the party's materials, an appraisal or a court)."
            ),
            "paused",
        ),
        _I(
            "avg_paused_days",
            _("Average paused time (days)"),
            _(
                "Mean working time the paused cases waited, in days of 24 working hours "
                "(weekends and holidays not counted); a pause still running counts once it ends."
            ),
            "paused_seconds",
            "paused",
            "days",
        ),
        _I(
            "first_time_rate",
            _("First-time resolution rate"),
            _(
                "Cases resolved at the level that first handled them — never escalated, never "
                "reopened — ÷ accepted cases."
            ),
            "first_time",
            "accepted",
            "rate",
        ),
        _I(
            "overdue",
            _("Overdue cases"),
            _(
                "Accepted cases whose resolve-by time limit was exceeded (found overdue by the "
                "sweep, or closed late), whether or not they are closed now."
            ),
            "overdue",
        ),
        _I(
            "satisfaction_rate",
            _("Satisfaction rate"),
            _(
                "Closed cases every rating party of which answered “satisfied” or “basically "
                "satisfied” ÷ closed cases rated by a party. Only the parties' own ratings "
                "(the SMS evaluation link) count; ratings staff enter at a follow-up visit "
                "do not."
            ),
            "satisfied",
            "evaluated",
            "rate",
        ),
        _I(
            "evaluation_rate",
            _("Evaluation rate"),
            _(
                "Closed cases rated by at least one party through the SMS evaluation link ÷ "
                "closed cases (a reopened case is rated anew)."
            ),
            "evaluated",
            "closed",
            "rate",
        ),
        _I(
            "court_success_rate",
            _("Pre-litigation mediation success rate"),
            _("Court-pushed cases (诉前委派) resolved ÷ court-pushed cases accepted."),
            "court_success",
            "court",
            "rate",
        ),
        _I(
            "litigation_per_10k",
            _("Litigation per 10,000 residents"),
            _(
                "Cases closed by sending them to litigation, per 10,000 residents of the area "
                "(its recorded resident population). Courts count first-instance civil cases "
                "filed; this platform counts the disputes it sent to court."
            ),
            "litigation",
            kind="per10k",
        ),
        _I(
            "avg_days",
            _("Average handling time (days)"),
            _("Mean time from acceptance to closure of the closed cases, in days."),
            "handling_seconds",
            "closed",
            "days",
        ),
        _I(
            "followup_rate",
            _("Follow-up rate"),
            _(
                "Accepted cases that owed a follow-up visit (回访) under their region's "
                "follow-up setting — a visit clock was opened at their closing and not lifted "
                "before its time by a reopening — and were visited at least once ÷ accepted "
                "cases that owed one. A visit counts from any visitor, to a party or a "
                "neighbour (走一家访三家), on time or late."
            ),
            "followed_up",
            "followup_due",
            "rate",
        ),
        _I(
            "rebound_rate",
            _("Rebound rate"),
            _(
                "Accepted cases of which a follow-up visit found the dispute had flared up "
                "again (反弹: the visit reopened or escalated the case) ÷ accepted cases visited "
                "at least once. Signs of rebound noted for watching do not count."
            ),
            "rebound",
            "visited",
            "rate",
        ),
        _I(
            "visit_missed",
            _("Cases with a missed follow-up visit"),
            _(
                "Accepted cases at least one of whose follow-up visits was not made by its "
                "due time (found overdue by the sweep, or recorded late); by unit, the unit "
                "handling the case now."
            ),
            "visit_missed",
        ),
        _I(
            "performance_rate",
            _("Agreement performance rate"),
            _(
                "Accepted cases whose mediation agreements with a performance date were all "
                "found performed in full (履行) ÷ accepted cases with a performance recorded."
            ),
            "performed",
            "perf_recorded",
            "rate",
        ),
        _I(
            "not_performed",
            _("Agreements not performed"),
            _(
                "Accepted cases with an agreement found not performed or only partly "
                "performed at its performance date; the parties are pointed to judicial "
                "confirmation or a lawsuit."
            ),
            "not_performed",
        ),
        _I(
            "repeats",
            _("Repeat reports"),
            _(
                "Reports of a dispute already being handled, merged into its case (并单), "
                "counted on the main case's acceptance date. The dispute itself is counted "
                "once, under its main case, in every other figure; the cases listed are the "
                "main cases with repeats."
            ),
            "repeats",
            lists="repeated",
        ),
        _I(
            "repeat_rate",
            _("Repeat rate"),
            _(
                "Repeat reports ÷ all reports (重复率): the repeats merged into the cases "
                "accepted in the period, divided by those cases plus their repeats. A merge "
                "that is undone leaves both figures."
            ),
            "repeats",
            "reports",
            "rate",
            lists="repeated",
        ),
    ]
}
# The prevention section's cohort figures (seed 002: “排查矛盾纠纷问题1587起，调处1045件，
# 稳控542件” — of the disputes found, those handled and those under stability control); 排查
# is the cohort itself (“Cases accepted”). Listed behind their figures, not shown as cards.
PREVENTION: dict[str, Indicator] = {
    i.key: i
    for i in [
        _I(
            "handled",
            _("Handled (调处数)"),
            _(
                "Of the cases of the area accepted in the period, those whose standing outcome "
                "is resolved (化解) or stabilised (稳控); a reopened case leaves the count until "
                "it is decided again."
            ),
            "handled",
        ),
        _I(
            "stabilised",
            _("Stabilised (稳控数)"),
            _("Of the cases of the area accepted in the period, those stabilised (稳控) now."),
            "stabilised",
        ),
    ]
}
# Every figure whose cases can be listed behind it (stats:cases?indicator=…).
LISTED: dict[str, Indicator] = {**INDICATORS, **PREVENTION}
assert all(
    i.numerator in COUNTERS
    and (not i.denominator or i.denominator in COUNTERS)
    and (not i.lists or i.lists in COUNTERS)
    for i in LISTED.values()
)


@dataclass(frozen=True)
class StockFigure:
    """存量 / 增量 (seed 004, 城关: 减少存量、遏制增量): not a sum over the period's cohort."""

    key: str
    name: str
    definition: str


STOCK: dict[str, StockFigure] = {
    f.key: f
    for f in [
        StockFigure(
            "stock_start",
            _("Open cases at the start (存量)"),
            _(
                "Cases accepted before the period and not closed (办结) at its start — open at "
                "the end of the day before it, by their current closing date."
            ),
        ),
        StockFigure(
            "increment",
            _("New cases (增量)"),
            _("Cases accepted (受理) in the period: the same cases as “Cases accepted”."),
        ),
        StockFigure(
            "stock_end",
            _("Open cases at the end (存量)"),
            _(
                "Cases accepted and not closed at the end of the period (today, while it is "
                "under way), whenever they were accepted, by their current closing date."
            ),
        ),
    ]
}
# The figures a ranking of sub-areas or units shows.
RANKING = ("accepted", "resolution_rate", "overdue")
# The rates an assessment score weighs; overdue and missed 报到 are per-case deductions.
SCORED_RATES = (
    "resolution_rate",
    "closure_rate",
    "on_time_rate",
    "first_time_rate",
    "satisfaction_rate",
    "evaluation_rate",
)
