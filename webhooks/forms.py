"""The subscriber form of the administration page; webhooks.services validates."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jiefen.pickers import PickerField

from .registry import topics


class SubscriberForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    url = forms.CharField(
        label=_("URL"),
        max_length=500,
        help_text=_("The receiver's web address; redirects are not followed."),
    )
    topics = forms.MultipleChoiceField(
        label=_("events"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    area = PickerField(
        "admin-area",
        label=_("area (with the areas below it)"),
        required=False,
        help_text=_("Empty: every area."),
    )
    unit = PickerField(
        "admin-unit",
        label=_("unit"),
        required=False,
        help_text=_(
            "Empty: every unit. A unit's subscriber gets the cases it handles or is linked "
            "to (a court: the cases it referred)."
        ),
    )
    allow_private_network = forms.BooleanField(
        label=_("allow private network addresses"),
        required=False,
        help_text=_(
            "Only for a receiver on this machine or the internal network, on purpose: "
            "otherwise such addresses are refused (server-side request forgery)."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = list(topics().items())
        self.fields["area"].scope(user)
        self.fields["unit"].scope(user)
