"""The next follow-up visit due in the case lists: a column and a filter."""

from django.db.models import Exists, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from clocks.models import Clock, Deadline, DeadlineState
from jiefen import clock


def _open_visits():
    return Deadline.objects.filter(
        case=OuterRef("pk"), clock=Clock.VISIT, state=DeadlineState.OPEN
    ).order_by("due_at")


def annotate(qs):
    return qs.annotate(visit_due_at=Subquery(_open_visits().values("due_at")[:1]))


def choices():
    return [("due", _("a follow-up visit is due")), ("overdue", _("a follow-up visit is overdue"))]


def apply_filter(qs, value: str):
    visits = _open_visits()
    if value == "overdue":
        visits = visits.filter(due_at__lt=clock.now())
    return qs.filter(Exists(visits))
