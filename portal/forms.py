from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from jiefen.identity import validate_phone


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
