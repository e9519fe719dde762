"""The query strings of the statistics pages, read by forms: a value that cannot be used is a
400 page saying which (jiefen.forms.parse_query), never a server error."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from jiefen.forms import check_date_bounds, id_field

from .selectors import PERIODS


def bounded_date(label) -> forms.DateField:
    return forms.DateField(label=label, required=False, validators=[check_date_bounds])


class StatsQueryForm(forms.Form):
    area = id_field(_("area"))
    period = forms.ChoiceField(
        label=_("period"), required=False, choices=[(k, v) for k, v in PERIODS.items()]
    )
    start = bounded_date(_("from"))
    end = bounded_date(_("to"))
    month = forms.RegexField(
        label=_("month"),
        required=False,
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        error_messages={"invalid": _("Enter the month as YYYY-MM, e.g. 2026-11.")},
    )
    unit = id_field(_("unit"))
    reporter = id_field(_("grid worker"))
    dim = forms.CharField(label=_("dimension"), required=False, max_length=40)
    value = forms.CharField(label=_("value"), required=False, max_length=100)

    def clean_month(self) -> datetime.date | None:
        raw = self.cleaned_data.get("month")
        if not raw:
            return None
        first = datetime.date.fromisoformat(f"{raw}-01")
        check_date_bounds(first)
        return first

    def clean(self):
        d = super().clean()
        start, end = d.get("start"), d.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end date is before the start date."))
        return d


class MojReturnQueryForm(StatsQueryForm):
    """The people's-mediation return's query: a month, or both dates of a period."""

    def clean(self):
        d = super().clean()
        if d.get("period") == "custom" and not d.get("month"):
            for name in ("start", "end"):
                if not d.get(name) and name not in self.errors:
                    self.add_error(name, _("Enter both dates of the period, or choose a month."))
        return d
