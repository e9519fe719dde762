"""Forms of the mediator administration pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from areas.models import Area, Unit, UnitKind
from cases.models import Category
from jiefen.spreadsheets import validate_import_size

from .manage_services import split_list
from .models import Mediator, MediatorKind, Pool, Profession

MEDIATING_UNITS = [UnitKind.MEDIATION_COMMITTEE, UnitKind.PRO_MEDIATION, UnitKind.CENTER]


class MediatorForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=60)
    kind = forms.ChoiceField(label=_("kind"), choices=MediatorKind.choices)
    profession = forms.ChoiceField(
        label=_("profession"), choices=[("", "—"), *Profession.choices], required=False
    )
    unit = forms.ModelChoiceField(
        label=_("unit"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("The committee or center the mediator works for; empty for an expert."),
    )
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    area_codes = forms.CharField(
        label=_("areas served (codes)"),
        help_text=_("12-digit codes, separated by commas; each area is served with all below it."),
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

    def __init__(self, *args, mediator: Mediator | None = None, **kwargs):
        if mediator is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": mediator.name,
                "kind": mediator.kind,
                "profession": mediator.profession,
                "unit": mediator.unit_id,
                "phone": mediator.phone,
                "area_codes": ", ".join(a.code for a in mediator.areas.order_by("code")),
                "specialities": list(mediator.specialities.all()),
                "pools": list(mediator.pools.all()),
                "is_active": mediator.is_active,
            }
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(is_active=True, kind__in=MEDIATING_UNITS)
        if mediator is not None and mediator.unit_id:
            units = units | Unit.objects.filter(pk=mediator.unit_id)
        self.fields["unit"].queryset = units.select_related("area").order_by("area__code", "name")
        self.fields["unit"].label_from_instance = lambda u: f"{u.name}（{u.area.name}）"
        self.fields["specialities"].label_from_instance = lambda c: f"{c.code} {c.name}"
        self.fields["pools"].label_from_instance = lambda p: f"{p.name}（{p.get_kind_display()}）"

    def clean_area_codes(self) -> list[Area]:
        codes = split_list(self.cleaned_data["area_codes"])
        found = {a.code: a for a in Area.objects.filter(code__in=codes)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise forms.ValidationError(
                _("Unknown area codes: %(codes)s") % {"codes": "、".join(unknown)}
            )
        return list(found.values())


class RosterForm(forms.Form):
    file = forms.FileField(label=_("roster (.xlsx)"), validators=[validate_import_size])
