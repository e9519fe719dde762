"""信访 figures for the dashboard and its Excel export, each with its written definition and,
where the figure is a set of cases, the link to exactly those cases (the case list filtered
by channel 信访 and the petition stage).

A period is a span of Asia/Shanghai dates; petitions belong to the area by their case's
area (the subtree). A clock "falls due in the period" when it closed in the period (met or
missed), or is still open and passed its due time in the period (once the sweep, every
minute, has found it overdue); that is the denominator of the on-time rates, so a petition
never answered counts against the rate once its time ran out, and one answered late counts
when it is answered. The figures are sums of the petitions' pre-computed daily marks
(stats.petition_marks), so a province's cost what a village's do.
"""

import datetime
from collections import Counter

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from areas.models import Area

from .figures import Figure, cases_url
from .models import PetitionDaily


def marks(area: Area, start: datetime.date, end: datetime.date) -> Counter:
    """Mark → how many the area's petitions carry on the period's days (0 for none);
    "open" of all days."""
    rows = PetitionDaily.objects.filter(area_id=area.pk)
    out = Counter(
        dict(
            rows.filter(day__range=(start, end))
            .exclude(mark="open")
            .values("mark")
            .annotate(n=Sum("n"))
            .values_list("mark", "n")
        )
    )
    out["open"] = rows.filter(mark="open").aggregate(n=Sum("n"))["n"] or 0
    return out


def _rate(met: int, decided: int) -> str:
    return f"{met * 100 / decided:.1f}%（{met}/{decided}）" if decided else "—"


def figures(area: Area, start: datetime.date, end: datetime.date) -> list[Figure]:
    m = marks(area, start, end)
    span = {
        "area": area.pk,
        "channel": "petition",
        "date_from": start.isoformat(),
        "date_to": end.isoformat(),
    }
    decide, reply, second = (
        (m[f"{family}_met"], m[f"{family}_due"]) for family in ("decide", "reply", "second")
    )
    return [
        Figure(
            "petitions_registered",
            _("Petitions registered (信访登记)"),
            _("Petitions (cases of the 信访 channel) of the area registered in the period."),
            m["registered"],
            cases_url(**span),
        ),
        Figure(
            "petitions_accepted",
            _("Petitions accepted (受理)"),
            _(
                "Petitions accepted in the period: handled by the receiving center or "
                "forwarded (转送交办) to the competent unit; those pointed to another "
                "channel (告知) are not counted."
            ),
            m["accepted"],
        ),
        Figure(
            "petitions_decided_on_time",
            _("Decided within 15 days (及时受理率)"),
            _(
                "Of the 15-day decision clocks falling due in the period (closed in it, or "
                "open and past due in it), those closed by their due time."
            ),
            _rate(*decide),
        ),
        Figure(
            "petitions_replied_on_time",
            _("Replied on time (按期答复率)"),
            _(
                "Of the handling clocks (60 days from acceptance, plus an approved extension) "
                "falling due in the period — closed in it by the written reply, or open and "
                "past due in it — those closed by their due time."
            ),
            _rate(*reply),
        ),
        Figure(
            "petitions_extended",
            _("Handling extended"),
            _("Petitions whose handling a leader extended in the period (at most 30 days)."),
            m["extended"],
        ),
        Figure(
            "petitions_redirected",
            _("Pointed to the competent channel (访诉分离)"),
            _(
                "Petitions decided in the period by telling the petitioner the competent "
                "channel (courts, arbitration, other organs) with who handles it and how."
            ),
            m["redirected"],
        ),
        Figure(
            "petitions_reviews",
            _("Review requests (复查)"),
            _("Requests for 复查 registered in the period."),
            m["reviews"],
        ),
        Figure(
            "petitions_rechecks",
            _("Re-examination requests (复核)"),
            _("Requests for 复核 registered in the period."),
            m["rechecks"],
        ),
        Figure(
            "petitions_review_on_time",
            _("复查/复核 answered on time"),
            _(
                "Of the 30-day 复查 and 复核 clocks falling due in the period, those closed by "
                "the opinion by their due time."
            ),
            _rate(*second),
        ),
        Figure(
            "petitions_open",
            _("Petitions open now"),
            _(
                "Petitions of the area awaiting a decision, a reply, or a 复查/复核 opinion now, "
                "whenever registered."
            ),
            m["open"],
        ),
    ]
