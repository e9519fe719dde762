"""The petition stage in the case lists: a column and a filter (the figures drill down to
the case list through it, which also gives the list's Excel export)."""

from django.db.models import F

from .models import Stage


def annotate(qs):
    return qs.annotate(petition_stage=F("petition__stage"))


def choices():
    return list(Stage.choices)


def apply_filter(qs, value: str):
    return qs.filter(petition__stage=value)
