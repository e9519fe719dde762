"""信访 figures for the dashboard and its Excel export, each with its written definition and,
where the figure is a set of cases, the link to exactly those cases (the case list filtered
by channel 信访 and the petition stage).

A period is a span of Asia/Shanghai dates; petitions belong to the area by their case's
area (the subtree). A clock "falls due in the period" when it closed in the period (met or
missed), or is still open and passed its due time in the period; that is the denominator of
the on-time rates, so a petition never answered counts against the rate once its time ran
out, and one answered late counts when it is answered.
"""

import datetime
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from clocks.models import Clock, Deadline, DeadlineState
from jiefen import clock as jclock
from jiefen.localtime import days

from .models import Decision, Petition, Stage

OPEN_STAGES = [Stage.REGISTERED, Stage.HANDLING, Stage.REVIEW, Stage.RECHECK]


@dataclass
class Figure:
    key: str
    name: str
    definition: str
    value: object
    href: str = ""


def _cases_url(**params) -> str:
    return f"{reverse('cases:list')}?{urlencode({k: v for k, v in params.items() if v})}"


def on_time(area: Area, clocks: list[str], start: datetime.date, end: datetime.date, now=None):
    """(met, decided) of the clocks of these kinds falling due in the period (module doc)."""
    now = now or jclock.now()
    rows = Deadline.objects.filter(clock__in=clocks, case__area__path__startswith=area.path)
    closed = rows.filter(
        state__in=[DeadlineState.MET, DeadlineState.MISSED],
        **days("closed_at", start, end),
    ).aggregate(met=Count("pk", filter=Q(state=DeadlineState.MET)), all=Count("pk"))
    late_open = rows.filter(
        Q(due_at__lt=now), state=DeadlineState.OPEN, **days("due_at", start, end)
    ).count()
    return closed["met"], closed["all"] + late_open


def _rate(met: int, decided: int) -> str:
    return f"{met * 100 / decided:.1f}%（{met}/{decided}）" if decided else "—"


def figures(area: Area, start: datetime.date, end: datetime.date, now=None) -> list[Figure]:
    petitions = Petition.objects.filter(case__area__path__startswith=area.path)

    def within(field: str) -> Q:
        return Q(**days(field, start, end))

    counts = petitions.aggregate(
        registered=Count("pk", filter=within("registered_at")),
        accepted=Count("pk", filter=within("accepted_at")),
        redirected=Count("pk", filter=within("decided_at") & Q(decision=Decision.REDIRECT)),
        extended=Count("pk", filter=within("extended_at")),
        reviews=Count("pk", filter=within("review_requested_at")),
        rechecks=Count("pk", filter=within("recheck_requested_at")),
        open_now=Count("pk", filter=Q(stage__in=OPEN_STAGES)),
    )
    span = {
        "area": area.pk,
        "channel": "petition",
        "date_from": start.isoformat(),
        "date_to": end.isoformat(),
    }
    decide = on_time(area, [Clock.PETITION_DECIDE], start, end, now)
    reply = on_time(area, [Clock.PETITION_REPLY], start, end, now)
    second = on_time(area, [Clock.PETITION_REVIEW, Clock.PETITION_RECHECK], start, end, now)
    return [
        Figure(
            "petitions_registered",
            _("Petitions registered (信访登记)"),
            _("Petitions (cases of the 信访 channel) of the area registered in the period."),
            counts["registered"],
            _cases_url(**span),
        ),
        Figure(
            "petitions_accepted",
            _("Petitions accepted (受理)"),
            _(
                "Petitions accepted in the period: handled by the receiving center or "
                "forwarded (转送交办) to the competent unit; those pointed to another "
                "channel (告知) are not counted."
            ),
            counts["accepted"],
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
            counts["extended"],
        ),
        Figure(
            "petitions_redirected",
            _("Pointed to the competent channel (访诉分离)"),
            _(
                "Petitions decided in the period by telling the petitioner the competent "
                "channel (courts, arbitration, other organs) with who handles it and how."
            ),
            counts["redirected"],
        ),
        Figure(
            "petitions_reviews",
            _("Review requests (复查)"),
            _("Requests for 复查 registered in the period."),
            counts["reviews"],
        ),
        Figure(
            "petitions_rechecks",
            _("Re-examination requests (复核)"),
            _("Requests for 复核 registered in the period."),
            counts["rechecks"],
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
            counts["open_now"],
        ),
    ]
