"""Searchable pickers: one form widget and one endpoint family (`/pick/<source>/`) for every
chooser of areas, units, mediators and staff, however many rows stand behind it.

An app registers a `Source` from its `AppConfig.ready()`: the rows a user may pick from (its
scope, given the request's context such as a case code), how to search them, their label and
their group. The form field (`PickerField`, `MultiplePickerField`) takes its queryset from the
same source, so a row the endpoint would never offer — another area's, another case's — is
refused by the form when its id is posted anyway. The widget renders only the chosen rows; the
endpoint answers a page of results at a time, grouped.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .forms import MAX_ID

PAGE_SIZE = 20


@dataclass(frozen=True)
class Source:
    """What a picker offers.

    `rows(user, params)` is the user's scope for this chooser (raise Http404 when the context,
    e.g. a case, is not the user's; `params` are the request's values of the names listed in
    `params`); `search(qs, q)` narrows it by the typed text; `label` and `group` describe one
    row; `order` sorts the results (the groups follow it); `key` is the attribute a chosen row
    is posted as.
    """

    name: str
    rows: Callable[[object, Mapping[str, str]], QuerySet]
    search: Callable[[QuerySet, str], QuerySet]
    label: Callable[[object], str] = str
    group: Callable[[object], str] = lambda obj: ""
    order: tuple[str, ...] = ("pk",)
    params: tuple[str, ...] = field(default=())
    key: str = "pk"


_SOURCES: dict[str, Source] = {}


def register(source: Source) -> Source:
    _SOURCES[source.name] = source
    return source


def get_source(name: str) -> Source:
    try:
        return _SOURCES[name]
    except KeyError:
        raise Http404 from None


def search_page(source: Source, user, params: Mapping[str, str], q: str, page: int):
    """One page of the rows matching `q`, and whether there are more."""
    qs = source.rows(user, params)
    q = q.strip()
    if q:
        qs = source.search(qs, q)
    start = (page - 1) * PAGE_SIZE
    rows = list(qs.order_by(*source.order)[start : start + PAGE_SIZE + 1])
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def grouped(source: Source, rows) -> list[tuple[str, list[tuple[object, str]]]]:
    """[(group, [(key, label), ...]), ...] in the order of the rows."""
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(str(source.group(row)), []).append(
            (getattr(row, source.key), source.label(row))
        )
    return list(groups.items())


class PickerWidget(forms.Widget):
    """A search box, the chosen rows, and a list the endpoint fills as the user types."""

    template_name = "jiefen/picker.html"
    allow_multiple_selected = False

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.source_name = ""
        self.key = "pk"
        self.params: dict[str, str] = {}
        self.labels: Callable[[list], list[tuple[object, str]]] = lambda values: []
        self.suggestions: list[tuple[object, str]] = []

    def url(self) -> str:
        base = reverse("pick", args=[self.source_name])
        return f"{base}?{urlencode(self.params)}" if self.params else base

    def format_value(self, value):
        if value is None or value == "":
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return [str(getattr(v, self.key, v)) for v in values if v not in (None, "")]

    def value_from_datadict(self, data, files, name):
        if self.allow_multiple_selected:
            return data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        return data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return not self.allow_multiple_selected and name not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen = self.labels(context["widget"]["value"])
        chosen_ids = {str(pk) for pk, _label in chosen}
        wrapper = {
            k: v for k, v in context["widget"]["attrs"].items() if k not in ("id", "required")
        }
        context["widget"].update(
            wrapper_attrs=wrapper,
            url=self.url(),
            multiple=self.allow_multiple_selected,
            chosen=chosen,
            suggestions=[(pk, lbl) for pk, lbl in self.suggestions if str(pk) not in chosen_ids],
            placeholder=_("type to search"),
        )
        return context


class MultiplePickerWidget(PickerWidget):
    allow_multiple_selected = True


class _PickerMixin:
    """A form must call `field.scope(user, **context)` in its __init__: until then the field
    has no rows (and refuses to clean)."""

    def _setup(self, source: str):
        # The source is looked up when the field is bound to a user (apps register theirs
        # in ready(), after their forms are defined).
        self.source_name = source
        self.widget.source_name = source
        self.widget.labels = self._labels

    def __deepcopy__(self, memo):
        # Each form gets its own copy of the field; its widget must read this copy's queryset.
        result = super().__deepcopy__(memo)
        result.widget.labels = result._labels
        result.widget.params = dict(self.widget.params)
        result.widget.suggestions = list(self.widget.suggestions)
        return result

    def _check_scoped(self, value) -> None:
        if self.queryset is None:
            raise ImproperlyConfigured(f"{self.source_name}: call scope(user) in the form")
        values = value if isinstance(value, list | tuple) else [value]
        if not all(self._in_range(v) for v in values):
            # An id the database cannot hold (30 digits) would overflow the lookup.
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": ""}
            )

    def _in_range(self, value) -> bool:
        if (self.to_field_name or "pk") != "pk" or value in (None, ""):
            return True
        return str(value).isdigit() and 1 <= int(value) <= MAX_ID

    @property
    def source(self) -> Source:
        return get_source(self.source_name)

    def scope(self, user, **params) -> None:
        """Bind the field to the user's scope (and the context the source needs)."""
        params = {k: str(v) for k, v in params.items()}
        source = self.source
        self.queryset = source.rows(user, params)
        self.to_field_name = None if source.key == "pk" else source.key
        self.widget.key = source.key
        self.widget.params = params

    def _labels(self, values) -> list[tuple[object, str]]:
        """The chosen rows' keys and labels (only rows in the scope are shown)."""
        key = self.to_field_name or "pk"
        ids = [str(v) for v in values if v not in (None, "")]
        if key == "pk":
            ids = [v for v in ids if self._in_range(v)]
        if not ids or self.queryset is None:
            return []
        by_key = {str(getattr(r, key)): r for r in self.queryset.filter(**{f"{key}__in": ids})}
        label = self.source.label
        return [(v, label(by_key[v])) for v in ids if v in by_key]


class PickerField(_PickerMixin, forms.ModelChoiceField):
    """One row of a source; cleans to the row (or its key, e.g. its pk, with `as_key`)."""

    widget = PickerWidget

    def __init__(self, source: str, *, as_key: bool = False, **kwargs):
        kwargs.setdefault("queryset", None)
        kwargs.setdefault("empty_label", None)
        super().__init__(**kwargs)
        self.as_key = as_key
        self._setup(source)

    def clean(self, value):
        self._check_scoped(value)
        obj = super().clean(value)
        return getattr(obj, self.source.key) if self.as_key and obj is not None else obj


class MultiplePickerField(_PickerMixin, forms.ModelMultipleChoiceField):
    """Several rows of a source; cleans to the rows (or their keys with `as_key`)."""

    widget = MultiplePickerWidget

    def __init__(self, source: str, *, as_key: bool = False, **kwargs):
        kwargs.setdefault("queryset", None)
        super().__init__(**kwargs)
        self.as_key = as_key
        self._setup(source)

    def clean(self, value):
        self._check_scoped(value)
        rows = super().clean(value)
        return [getattr(r, self.source.key) for r in rows] if self.as_key else rows
