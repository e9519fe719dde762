"""The form of the key pages (api.manage_views)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Channel
from jiefen.pickers import MultiplePickerField, PickerField


class SystemKeyForm(forms.Form):
    name = forms.CharField(
        label=_("connected system"),
        max_length=100,
        help_text=_("Who will use the key, e.g. the city's 12345 platform."),
    )
    user = PickerField(
        "admin-service-user",
        label=_("service user"),
        help_text=_(
            "The key acts as this account: it sees and registers what the account may. Give "
            "each system an account of its own."
        ),
    )
    channels = forms.MultipleChoiceField(
        label=_("allowed channels"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The intake channels the system may register cases on."),
    )
    areas = MultiplePickerField(
        "admin-area",
        label=_("allowed areas"),
        required=False,
        help_text=_(
            "Empty: wherever the service user may register. An area includes everything below it."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].scope(user)
        self.fields["areas"].scope(user)
