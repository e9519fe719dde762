"""Putting a service's refusal back on the form that sent the input; reading a page's query
string with a form (parse_query: a 400 page naming the bad value, never a server error)."""

import datetime
import re

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, BadRequest
from django.utils.translation import gettext_lazy as _

from jiefen.errors import ServiceError


def _row_key(prefix: str) -> re.Pattern:
    # "parties[2].name" (the API's names) or "steps-2-level" (a formset's own names);
    # without a field ("steps-2") the error is the row's as a whole.
    p = re.escape(prefix)
    return re.compile(rf"^{p}(?:\[(\d+)\]|-(\d+))(?:[.-](\w+))?$")


def apply_errors(
    error: ServiceError, form, formset=None, rows=None, *, summary: bool = False
) -> None:
    """Put a service's field errors next to the fields they name; the rest at the top of `form`.

    With a `formset`, keys under its prefix go to its rows: `rows` are the forms the
    service's items came from, in the same order (default: all of the formset's forms), and
    the prefix alone ("parties") goes to the formset's own errors. The message itself goes
    at the top when no field was named, or always with `summary` (for long pages, where a
    row's message may be far down).
    """
    row_key = _row_key(formset.prefix) if formset is not None else None
    rows = list(formset.forms if rows is None and formset is not None else rows or ())
    for key, message in error.field_errors.items():
        m = row_key.match(key) if row_key else None
        if m and int(m.group(1) or m.group(2)) < len(rows):
            row, field = rows[int(m.group(1) or m.group(2))], m.group(3)
            row.add_error(field if field in row.fields else None, message)
        elif formset is not None and key == formset.prefix:
            formset._non_form_errors = formset.error_class([*formset.non_form_errors(), message])
        elif key in form.fields:
            form.add_error(key, message)
        else:
            form.add_error(None, message)
    if summary or not error.field_errors:
        form.add_error(None, error.message)


class BadQuery(BadRequest):
    """A page's query string that its form refuses; answered 400 with the form's messages
    (jiefen.views.bad_request), never a server error."""

    def __init__(self, form):
        self.messages = []
        for name, errors in form.errors.items():
            field = form.fields.get(name)
            label = field.label if field is not None and field.label else name
            for error in errors:
                self.messages.append(error if name == NON_FIELD_ERRORS else f"{label}：{error}")
        super().__init__("; ".join(self.messages))


def parse_query(form) -> dict:
    """The cleaned query string of a page, read by `form` (bound to request.GET); BadQuery
    when the form refuses it."""
    if not form.is_valid():
        raise BadQuery(form)
    return form.cleaned_data


# The largest primary key a database holds (a bigint); a larger number in a query string is
# not a row of any table, and would overflow the query.
MAX_ID = 2**63 - 1


# Dates a page may be asked about: the platform's figures and referrals lie in this span, and a
# date far outside it overflows the date arithmetic of periods and time zones.
MIN_DATE = datetime.date(2000, 1, 1)
MAX_DATE = datetime.date(2100, 12, 31)


def check_date_bounds(d: datetime.date) -> None:
    if not MIN_DATE <= d <= MAX_DATE:
        raise forms.ValidationError(
            _("Choose a date between %(min)s and %(max)s.")
            % {"min": MIN_DATE.isoformat(), "max": MAX_DATE.isoformat()}
        )


def id_field(label, **kwargs) -> forms.IntegerField:
    """An optional row id in a query string."""
    return forms.IntegerField(label=label, required=False, min_value=1, max_value=MAX_ID, **kwargs)


class SearchForm(forms.Form):
    """The search box of a list page (?q=); NUL characters and overlong text are refused."""

    q = forms.CharField(label=_("search"), required=False, max_length=100)
