"""Forms of the administration pages; they only parse input, the services validate and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jiefen.forms import id_field
from jiefen.pickers import PickerField
from jiefen.spreadsheets import validate_import_size

from .models import Level, Role, Speciality, UnitKind


class AreaForm(forms.Form):
    code = forms.CharField(
        label=_("division code"),
        max_length=15,
        help_text=_(
            "12 digits: county ends 000000, town ends 000; a grid is its village's code + 3 digits."
        ),
    )
    name = forms.CharField(label=_("name"), max_length=100)
    level = forms.TypedChoiceField(
        label=_("level"), choices=[(v, lbl) for v, lbl in Level.choices if v >= 3], coerce=int
    )
    parent_code = PickerField(
        "admin-area-code",
        as_key=True,
        label=_("parent area"),
        required=False,
        help_text=_("Search by name or code; leave empty to derive it from the code."),
    )
    population = forms.IntegerField(label=_("resident population"), min_value=0, initial=0)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent_code"].scope(user)

    def clean_parent_code(self):
        return self.cleaned_data["parent_code"] or ""


class UnitForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=120)
    kind = forms.ChoiceField(label=_("kind"), choices=UnitKind.choices)
    area_code = PickerField(
        "admin-area-code", as_key=True, label=_("area"), help_text=_("Search by name or code.")
    )
    speciality = forms.ChoiceField(
        label=_("speciality"),
        required=False,
        help_text=_("For departments and professional committees, e.g. labour, medical, property."),
    )
    phone = forms.CharField(label=_("phone"), max_length=30, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area_code"].scope(user)
        current = (self.initial.get("speciality") or self.data.get("speciality") or "").strip()
        self.fields["speciality"].choices = Speciality.form_choices(current)


class MembershipForm(forms.Form):
    """A place in a unit: the unit and the grid (or sub-area) are searched by name, among
    those the administrator's own scope holds."""

    unit = PickerField("admin-unit", label=_("unit"))
    role = forms.ChoiceField(label=_("role"), choices=Role.choices)
    area = PickerField(
        "admin-area",
        label=_("grid or sub-area"),
        required=False,
        help_text=_("Optional: narrows the scope, e.g. the grid a grid worker walks."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].scope(user)
        self.fields["area"].scope(user)


class StaffCreateForm(MembershipForm):
    username = forms.CharField(label=_("username"), max_length=150)
    full_name = forms.CharField(label=_("full name"), max_length=150)
    password = forms.CharField(label=_("password"), widget=forms.PasswordInput, min_length=8)
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)

    field_order = ["username", "full_name", "password", "phone", "unit", "role", "area"]


class StaffEditForm(forms.Form):
    full_name = forms.CharField(label=_("full name"), max_length=150)
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    password = forms.CharField(
        label=_("new password"),
        widget=forms.PasswordInput,
        required=False,
        help_text=_("Leave empty to keep the current password."),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("file"),
        help_text=_("CSV or Excel (.xlsx) with the columns described below."),
        validators=[validate_import_size],
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        return f


class ParentQuery(forms.Form):
    """?parent= on the new-area page: the area the new one goes under."""

    parent = id_field(_("parent area"))


class AreaQuery(forms.Form):
    """?area= on the new-unit page: the unit's area."""

    area = id_field(_("area"))
