"""The petition panel's forms, the reception days' forms and the catalogue's form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import category_choices

from .models import (
    ChannelGuide,
    Decision,
    Form,
    OpinionKind,
    OpinionResult,
    ReceptionKind,
    Stage,
)

TEXTAREA = forms.Textarea(attrs={"rows": 3})


class DecideForm(forms.Form):
    prefix = "decide"
    decision = forms.ChoiceField(label=_("decision"), choices=Decision.choices)
    form = forms.ChoiceField(label=_("form"), choices=Form.choices, required=False)
    unit_id = forms.ChoiceField(label=_("forward to"), required=False)
    guide_id = forms.ChoiceField(label=_("channel (访诉分离)"), required=False)
    note = forms.CharField(label=_("note"), required=False, widget=TEXTAREA)

    def __init__(self, *args, units=(), needs_category=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_id"].choices = [("", "—")] + [
            (u.pk, f"{u.area.name} · {u.name}") for u in units
        ]
        self.fields["guide_id"].choices = [("", "—")] + [
            (g.pk, f"{g.name}（{g.competent}）")
            for g in ChannelGuide.objects.filter(is_active=True)
        ]
        if needs_category:
            self.fields["category_code"] = forms.ChoiceField(
                label=_("category"), choices=category_choices(), required=False
            )


class ExtendForm(forms.Form):
    prefix = "extend"
    days = forms.IntegerField(label=_("extend by (days)"))
    reason = forms.CharField(label=_("reason told to the petitioner"), widget=TEXTAREA)


class OpinionForm(forms.Form):
    facts = forms.CharField(label=_("facts found"), widget=TEXTAREA)
    text = forms.CharField(label=_("opinion"), widget=TEXTAREA)
    basis = forms.CharField(label=_("legal and policy basis"), required=False, widget=TEXTAREA)
    result = forms.ChoiceField(label=_("result"))

    def __init__(self, *args, kind: str, **kwargs):
        kwargs.setdefault("prefix", f"opinion-{kind}")
        super().__init__(*args, **kwargs)
        results = (
            [OpinionResult.SUPPORT, OpinionResult.EXPLAIN, OpinionResult.REJECT]
            if kind == OpinionKind.HANDLING
            else [OpinionResult.UPHOLD, OpinionResult.CHANGE]
        )
        self.fields["result"].choices = [(r.value, r.label) for r in results]


class RequestForm(forms.Form):
    note = forms.CharField(label=_("what the petitioner asks, and why"), widget=TEXTAREA)

    def __init__(self, *args, kind: str, **kwargs):
        kwargs.setdefault("prefix", f"request-{kind}")
        super().__init__(*args, **kwargs)


class BookForm(forms.Form):
    prefix = "book"
    day_id = forms.ChoiceField(label=_("reception day"))

    def __init__(self, *args, days=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["day_id"].choices = [
            (
                d.pk,
                f"{d.date:%Y-%m-%d} · {d.leader.get_full_name() or d.leader.username} · "
                f"{d.place}（{d.get_kind_display()}）",
            )
            for d in days
        ]


class ReceptionForm(forms.Form):
    unit_id = forms.ChoiceField(label=_("center"))
    leader_id = forms.ChoiceField(label=_("leader"))
    date = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("place"), max_length=100)
    kind = forms.ChoiceField(label=_("kind"), choices=ReceptionKind.choices)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, units=(), leaders=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit_id"].choices = [(u.pk, u.name) for u in units]
        self.fields["leader_id"].choices = [
            (u.pk, u.get_full_name() or u.username) for u in leaders
        ]


class OutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("outcome of the reception"), widget=TEXTAREA)


class GuideForm(forms.ModelForm):
    class Meta:
        model = ChannelGuide
        fields = ["name", "kind", "competent", "how", "order", "is_active"]
        widgets = {"how": TEXTAREA}


class PetitionQuery(forms.Form):
    stage = forms.ChoiceField(label=_("stage"), required=False)
    overdue = forms.BooleanField(label=_("overdue only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [("", "—"), *Stage.choices]
