from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Grade


class GradeForm(forms.Form):
    grade = forms.ChoiceField(label=_("risk grade"), choices=list(reversed(Grade.choices)))
    reason = forms.CharField(
        label=_("reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "grade")
        super().__init__(*args, **kwargs)


class ObligationForm(forms.Form):
    note = forms.CharField(
        label=_("what was done"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, clock: str, **kwargs):
        kwargs.setdefault("prefix", f"obligation-{clock}")
        super().__init__(*args, **kwargs)
        self.clock = clock


class LinkForm(forms.Form):
    code = forms.CharField(label=_("case code"), max_length=40)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "link")
        super().__init__(*args, **kwargs)


class VisitForm(forms.Form):
    note = forms.CharField(
        label=_("visit record"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "visit")
        super().__init__(*args, **kwargs)


class PersonForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=80)
    id_number = forms.CharField(label=_("resident ID number"), max_length=18, required=False)
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    area_code = forms.ChoiceField(label=_("area"))
    responsible_id = forms.ChoiceField(label=_("responsible for control (稳控)"))
    tag_ids = forms.MultipleChoiceField(
        label=_("risk tags"), required=False, widget=forms.CheckboxSelectMultiple
    )
    visit_days = forms.IntegerField(label=_("visit every (days)"), required=False, min_value=1)
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, **kwargs):
        from django.contrib.auth import get_user_model

        from areas.models import Membership
        from areas.selectors import area_subtree_q, scope_of, visible_areas

        from .models import RiskTag

        super().__init__(*args, **kwargs)
        areas = visible_areas(user).filter(level__lte=5).order_by("code")
        self.fields["area_code"].choices = [(a.code, f"{a.code} {a.name}") for a in areas]
        scope = scope_of(user)
        members = Membership.objects.filter(user__is_active=True)
        if not scope.is_superuser:
            members = members.filter(area_subtree_q(scope.area_paths, "unit__area__"))
        people = (
            get_user_model().objects.filter(pk__in=members.values("user_id")).order_by("username")
        )
        self.fields["responsible_id"].choices = [
            (u.pk, u.get_full_name() or u.username) for u in people
        ]
        self.fields["tag_ids"].choices = [
            (t.pk, t.name) for t in RiskTag.objects.filter(is_active=True)
        ]

    def to_input(self):
        from .keypersons import PersonInput

        d = self.cleaned_data
        return PersonInput(
            name=d["name"],
            id_number=d["id_number"],
            phone=d["phone"],
            area_code=d["area_code"],
            responsible_id=int(d["responsible_id"]),
            tag_ids=[int(t) for t in d["tag_ids"]],
            visit_days=d["visit_days"],
            note=d["note"],
        )
