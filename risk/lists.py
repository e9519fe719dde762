"""The risk grade in the case lists: a column, a filter, and red first in every queue."""

from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce

from .models import Grade


def annotate(qs):
    return qs.annotate(
        risk_grade=Coalesce(F("risk__grade"), Value(Grade.NONE.value)),
        risk_rank=Coalesce(F("risk__rank"), Value(0)),
    )


def choices():
    return list(reversed(Grade.choices))


def apply_filter(qs, value: str):
    if value == Grade.NONE:
        return qs.filter(Q(risk__isnull=True) | Q(risk__grade=Grade.NONE))
    return qs.filter(risk__grade=value)
