"""Forms of the mediator administration pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from areas.models import Area, UnitKind
from cases.models import Category
from jiefen.pickers import MultiplePickerField, PickerField
from jiefen.spreadsheets import validate_import_size

from .models import Mediator, MediatorKind, Pool, Profession

MEDIATING_UNITS = [UnitKind.MEDIATION_COMMITTEE, UnitKind.PRO_MEDIATION, UnitKind.CENTER]


class MediatorForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=60)
    kind = forms.ChoiceField(label=_("kind"), choices=MediatorKind.choices)
    profession = forms.ChoiceField(
        label=_("profession"), choices=[("", "—"), *Profession.choices], required=False
    )
    unit = PickerField(
        "admin-mediating-unit",
        label=_("unit"),
        required=False,
        help_text=_("The committee or center the mediator works for; empty for an expert."),
    )
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    area_codes = MultiplePickerField(
        "admin-area-code",
        label=_("areas served"),
        help_text=_("Search by name or code; each area is served with all below it."),
    )
    specialities = forms.ModelMultipleChoiceField(
        label=_("specialities"),
        queryset=Category.objects.filter(parent__isnull=True, is_active=True).order_by("code"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    pools = forms.ModelMultipleChoiceField(
        label=_("pools"),
        queryset=Pool.objects.order_by("kind", "name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)

    def __init__(self, *args, user, mediator: Mediator | None = None, **kwargs):
        if mediator is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": mediator.name,
                "kind": mediator.kind,
                "profession": mediator.profession,
                "unit": mediator.unit_id,
                "phone": mediator.phone,
                "area_codes": [a.code for a in mediator.areas.order_by("code")],
                "specialities": list(mediator.specialities.all()),
                "pools": list(mediator.pools.all()),
                "is_active": mediator.is_active,
            }
        super().__init__(*args, **kwargs)
        # The unit and the areas are searched by name; the mediator's own unit stays offered.
        self.fields["unit"].scope(user, mediator=mediator.pk if mediator else "")
        self.fields["area_codes"].scope(user)
        self.fields["specialities"].label_from_instance = lambda c: f"{c.code} {c.name}"
        self.fields["pools"].label_from_instance = lambda p: f"{p.name}（{p.get_kind_display()}）"

    def clean_area_codes(self) -> list[Area]:
        return list(self.cleaned_data["area_codes"])


class RosterForm(forms.Form):
    file = forms.FileField(label=_("roster (.xlsx)"), validators=[validate_import_size])
