"""Forms of the docking pages; they only collect input (the services validate)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Channel
from jiefen.forms import check_date_bounds, id_field
from jiefen.spreadsheets import validate_import_size

from .models import Outcome


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Excel file"),
        help_text=_("The template filled in, one referred case per row (.xlsx or CSV)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        validators=[validate_import_size],
    )


class ReferralFilterForm(forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    outcome = forms.ChoiceField(
        label=_("outcome"), required=False, choices=[("", _("all"))] + Outcome.choices
    )
    channel = forms.ChoiceField(
        label=_("intake channel"),
        required=False,
        choices=[
            ("", _("all")),
            (Channel.COURT, Channel.COURT.label),
            (Channel.POLICE, Channel.POLICE.label),
        ],
    )
    date_from = forms.DateField(
        label=_("received from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[check_date_bounds],
    )
    date_to = forms.DateField(
        label=_("received to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=[check_date_bounds],
    )
    batch = id_field(_("batch"), widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["placeholder"] = _("reference, case code or title")

    def filters(self) -> dict:
        """Keyword arguments for selectors.filter_referrals; invalid values are left out."""
        self.is_valid()
        d = getattr(self, "cleaned_data", {})
        return {
            k: d.get(k) or ("" if k in ("q", "outcome", "channel") else None) for k in self.fields
        }
