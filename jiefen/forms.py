"""Putting a service's refusal back on the form that sent the input."""

import re

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
