"""Forms of the routing administration pages; they parse input, routing.manage_services validates."""

from django import forms
from django.utils.translation import gettext_lazy as _

from areas.models import Level, Speciality, Unit, UnitKind
from cases.models import Category, Scale, TriageClass
from clocks.models import (
    DEFAULT_ACCEPT_HOURS,
    DEFAULT_RESOLVE_DAYS,
    DEFAULT_WARN_PERCENT,
    TimeUnit,
)
from jiefen.pickers import PickerField


def _blank(choices, label=None):
    return [("", label or "---------"), *choices]


class RuleForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    priority = forms.IntegerField(
        label=_("priority"),
        min_value=0,
        initial=100,
        help_text=_("The first matching rule with the lowest number proposes."),
    )
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)
    triage_class = forms.ChoiceField(label=_("triage"), choices=TriageClass.choices)
    area_code = PickerField(
        "admin-area-code",
        as_key=True,
        label=_("applies in area"),
        required=False,
        help_text=_("Empty: everywhere. An area's rule also applies to everything below it."),
    )
    category = forms.ModelChoiceField(
        label=_("category"),
        queryset=Category.objects.none(),
        required=False,
        empty_label=_("any category"),
        help_text=_("A major category also matches its minor categories."),
    )
    min_scale = forms.ChoiceField(
        label=_("from scale"), choices=_blank(Scale.choices, _("any scale")), required=False
    )
    min_people = forms.IntegerField(label=_("from people involved"), min_value=0, required=False)
    min_amount = forms.DecimalField(
        label=_("from amount (yuan)"), min_value=0, max_digits=14, decimal_places=2, required=False
    )
    target_unit = PickerField(
        "admin-unit",
        label=_("fixed handling unit"),
        required=False,
        help_text=_("Either a fixed unit, or a unit kind looked up from the case's area."),
    )
    target_kind = forms.ChoiceField(
        label=_("handling unit kind"), choices=_blank(UnitKind.choices), required=False
    )
    target_speciality = forms.ChoiceField(label=_("handling unit speciality"), required=False)
    target_level = forms.TypedChoiceField(
        label=_("handling level"),
        choices=_blank(Level.choices, _("nearest at or above the case's area")),
        coerce=int,
        empty_value=None,
        required=False,
    )
    subject_kind = forms.ChoiceField(
        label=_("subject-matter unit kind"), choices=_blank(UnitKind.choices), required=False
    )
    subject_speciality = forms.ChoiceField(label=_("subject-matter speciality"), required=False)
    guidance = forms.CharField(
        label=_("guidance for private matters"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Which service or channel the residents are pointed to."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.order_by("code")
        self.fields["category"].label_from_instance = lambda c: f"{c.code} {c.name}"
        # The area and the unit are searched by name (the administrator's scope).
        self.fields["area_code"].scope(user)
        self.fields["target_unit"].scope(user)
        # The listed specialities, and any other one written on a unit or on this rule.
        in_use = set(Unit.objects.exclude(speciality="").values_list("speciality", flat=True))
        for name in ("target_speciality", "subject_speciality"):
            current = (self.initial.get(name) or self.data.get(name) or "").strip()
            choices = Speciality.form_choices(current)
            choices += [(s, s) for s in sorted(in_use - set(Speciality.values) - {current})]
            self.fields[name].choices = choices

    def clean_area_code(self):
        return self.cleaned_data["area_code"] or ""


class RuleTestForm(forms.Form):
    case = forms.CharField(
        label=_("case code"), max_length=40, widget=forms.TextInput(attrs={"size": 30})
    )


class PolicyForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    description = forms.CharField(
        label=_("policy description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Where the policy comes from, e.g. the county's own document."),
    )
    is_active = forms.BooleanField(
        label=_("active"),
        required=False,
        initial=True,
        help_text=_("An inactive policy governs no area: they fall back to the next one above."),
    )
    # Left empty, a limit takes the default that areas without a policy have.
    accept_hours = forms.IntegerField(
        label=_("accept within (hours)"), min_value=1, initial=DEFAULT_ACCEPT_HOURS, required=False
    )
    resolve_days = forms.IntegerField(
        label=_("resolve within (days)"), min_value=1, initial=DEFAULT_RESOLVE_DAYS, required=False
    )
    warn_percent = forms.IntegerField(
        label=_("remind at (% of the time)"),
        min_value=1,
        max_value=99,
        initial=DEFAULT_WARN_PERCENT,
        required=False,
    )
    # 简单 / 一般 / 疑难: left empty, the general resolve limit above.
    simple_days = forms.IntegerField(
        label=_("simple cases: resolve within (days)"), min_value=1, required=False
    )
    ordinary_days = forms.IntegerField(
        label=_("ordinary cases: resolve within (days)"), min_value=1, required=False
    )
    complex_days = forms.IntegerField(
        label=_("complex cases: resolve within (days)"),
        min_value=1,
        required=False,
        help_text=_("Empty: the general limit. At most 30 days (one month, art. 33)."),
    )

    LIMITS = (
        "accept_hours",
        "resolve_days",
        "warn_percent",
        "simple_days",
        "ordinary_days",
        "complex_days",
    )

    def limits(self) -> dict[str, int]:
        return {
            k: self.cleaned_data[k] if self.cleaned_data[k] is not None else self.fields[k].initial
            for k in self.LIMITS
        }


class StepForm(forms.Form):
    """One row of the chain; every field is optional so that blank rows can be left over."""

    level = forms.TypedChoiceField(
        label=_("level"),
        choices=_blank(Level.choices),
        coerce=int,
        empty_value=None,
        required=False,
    )
    time_limit = forms.DecimalField(
        label=_("time limit"), max_digits=7, decimal_places=2, min_value=0, required=False
    )
    time_unit = forms.ChoiceField(
        label=_("time unit"), choices=_blank(TimeUnit.choices), required=False
    )
    max_attempts = forms.IntegerField(label=_("maximum attempts"), min_value=0, required=False)
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 30})
    )

    def is_blank(self) -> bool:
        d = getattr(self, "cleaned_data", {}) or {}
        return not any(d.get(k) not in (None, "") for k in self.base_fields)


StepFormSet = forms.formset_factory(StepForm, extra=2, can_delete=True)


class AssignForm(forms.Form):
    """The area a policy is applied to, searched by name or code (any level)."""

    area_code = PickerField(
        "admin-area-code",
        label=_("area"),
        help_text=_("Search by name or code, e.g. a village with its own policy."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area_code"].scope(user)

    def clean(self):
        d = super().clean()
        d["area"] = d.get("area_code")
        return d


class CalendarOverrideForm(forms.Form):
    date = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    is_workday = forms.TypedChoiceField(
        label=_("the date is"),
        choices=[("0", _("a holiday (no work)")), ("1", _("a working day (调休 make-up day)"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(
        label=_("note"),
        max_length=100,
        required=False,
        help_text=_("e.g. 春节 or 国庆节调休上班."),
    )


class WorkdayCheckForm(forms.Form):
    check = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
