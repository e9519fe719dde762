from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from areas.models import Area, Level
from cases.registry import Satisfaction
from jiefen.identity import validate_phone

from .models import ItemKind
from .plain import PLAIN_CATEGORIES


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("mobile phone"))
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            return validate_phone(value)
        except ValidationError as e:
            raise ValidationError(e.messages[0]) from None


class VerifyForm(forms.Form):
    """Phone, then the code sent to it (action "send" or "verify")."""

    phone = PhoneField()
    code = forms.CharField(
        label=_("verification code"),
        max_length=6,
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )


class MaterialForm(forms.Form):
    file = forms.FileField(label=_("file"))


def village_choices():
    """Villages and communities, named with their town: "镇1 · 镇1村1"."""
    villages = Area.objects.filter(level=Level.VILLAGE).select_related("parent")
    rows = sorted(villages, key=lambda a: a.code)
    return [("", _("— choose —"))] + [
        (a.code, f"{a.parent.name} · {a.name}" if a.parent else a.name) for a in rows
    ]


class ReportForm(forms.Form):
    """A citizen's report on a phone: what, where, what kind, who (photos come as files)."""

    description = forms.CharField(
        label=_("What happened?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    area_code = forms.ChoiceField(label=_("Village or community"), required=False)
    grid = forms.CharField(required=False, widget=forms.HiddenInput)
    place = forms.CharField(label=_("Where exactly (optional)"), max_length=200, required=False)
    category = forms.ChoiceField(
        label=_("What kind of problem?"),
        choices=[(k, label) for k, label, _code in PLAIN_CATEGORIES],
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=_("Your name"), max_length=80)
    phone = PhoneField()
    code = forms.CharField(
        label=_("verification code"),
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
    )
    other_name = forms.CharField(
        label=_("The other party's name (optional)"), max_length=80, required=False
    )
    other_phone = PhoneField(label=_("The other party's phone (optional)"), required=False)
    idempotency_key = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area_code"].choices = village_choices()

    def clean(self):
        data = super().clean()
        if not data.get("grid") and not data.get("area_code"):
            self.add_error("area_code", _("Choose the village or community where it happened."))
        return data


class RatingForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label=_("How satisfied are you with how your case was handled?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything you want to tell us (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class DailyItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=ItemKind.choices)
    text = forms.CharField(
        label=_("what"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    party_name = forms.CharField(label=_("person concerned"), max_length=80, required=False)
    party_phone = PhoneField(label=_("phone"), required=False)
    # Set by the page for each offline draft (jiefen/offline.js).
    idempotency_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


class VisitForm(forms.Form):
    place = forms.CharField(label=_("household or place"), max_length=120)
    found = forms.CharField(
        label=_("what was found"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    location = forms.CharField(required=False, widget=forms.HiddenInput)


class ProblemForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=ItemKind.choices)
    text = forms.CharField(
        label=_("problem"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
