from django import forms
from django.utils.translation import gettext_lazy as _

from cases.registry import Satisfaction

from .models import PerformanceResult, Rebound, Remedy, VisiteeKind, VisitMethod

DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class VisitForm(forms.Form):
    """One follow-up visit; the service checks the time against the closing and the rules."""

    prefix = "visit"

    visited_at = forms.DateTimeField(label=_("visited at"), widget=DATETIME_LOCAL)
    visitee_kind = forms.ChoiceField(label=_("visited"), choices=VisiteeKind.choices)
    party_id = forms.TypedChoiceField(
        label=_("party"), coerce=int, required=False, empty_value=None
    )
    visitee_name = forms.CharField(
        label=_("name of the person visited"),
        max_length=50,
        required=False,
        help_text=_("For a neighbour, a relative or a cadre."),
    )
    method = forms.ChoiceField(label=_("how"), choices=VisitMethod.choices)
    findings = forms.CharField(
        label=_("what was found"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    satisfaction = forms.ChoiceField(
        label=_("satisfaction"), choices=[("", "—"), *Satisfaction.choices], required=False
    )
    rebound = forms.ChoiceField(label=_("rebound risk"), choices=Rebound.choices)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        parties = list(case.parties.all()) if case is not None else []
        self.fields["party_id"].choices = [("", "—")] + [
            (p.pk, f"{p.name}（{p.get_role_display()}）") for p in parties
        ]


class PerformanceForm(forms.Form):
    result = forms.ChoiceField(label=_("performance"), choices=PerformanceResult.choices)
    note = forms.CharField(
        label=_("what was (not) performed"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    remedy = forms.ChoiceField(
        label=_("route offered to the parties"),
        choices=Remedy.choices,
        required=False,
        help_text=_(
            "Not performed: the parties may apply for judicial confirmation of a written "
            "agreement and then for enforcement (People's Mediation Law art. 33), or sue "
            "over its performance (art. 32)."
        ),
    )
