"""The area and period a statistics page (or its export, in a task) is about."""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from areas.models import Area
from jiefen import clock
from jiefen.forms import parse_query

from . import selectors
from .forms import StatsQueryForm
from .selectors import Period


class Query:
    """The area and period a page is about, read from the query string and checked."""

    def __init__(self, request, form_class=StatsQueryForm):
        user = request.user
        self.data = d = parse_query(form_class(request.GET))
        if d["area"]:
            try:
                self.area = selectors.dashboard_areas(user).get(pk=d["area"])
            except Area.DoesNotExist:
                raise Http404 from None
        else:
            self.area = selectors.default_area(user)
            if self.area is None:
                raise PermissionDenied(_("Statistics are for governance center staff and leaders."))
        self.today = today = clock.today_local()
        self.period = selectors.period_of(d["period"] or "month", today, d["start"], d["end"])
        self.user = user
        ancestors = list(self.area.ancestors())
        visible = set(
            selectors.dashboard_areas(user)
            .filter(pk__in=[a.pk for a in ancestors])
            .values_list("pk", flat=True)
        )
        self.trail = [a for a in ancestors if a.pk in visible]

    @property
    def comparison(self) -> selectors.Comparison:
        """What the period's figures are compared with (like with like while it runs)."""
        return selectors.comparison(self.period, self.today)

    def params(self, **extra) -> str:
        p = {"area": self.area.pk, "period": self.period.kind}
        if self.period.kind == "custom":
            p.update(start=self.period.start.isoformat(), end=self.period.end.isoformat())
        p.update({k: v for k, v in extra.items() if v not in (None, "")})
        return urlencode(p)

    def for_period(self, period: Period, **extra) -> str:
        return period_query(self.area, period, **extra)


def period_query(area: Area, period: Period, **extra) -> str:
    """The query string of a statistics page about `area` over `period`'s dates."""
    return urlencode(
        {
            "area": area.pk,
            "period": "custom",
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            **extra,
        }
    )
