from django import forms
from django.utils.translation import gettext_lazy as _

from .services import MAX_TEXT


def _text(label):
    return forms.CharField(
        label=label, max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )


class SignForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "sign")
        super().__init__(*args, **kwargs)


class ReturnForm(forms.Form):
    reason = _text(_("reason for returning"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "return")
        super().__init__(*args, **kwargs)


class ProgressForm(forms.Form):
    text = _text(_("progress reply"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "progress")
        super().__init__(*args, **kwargs)


class AnswerForm(forms.Form):
    reply = _text(_("reply to the caller"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "answer")
        super().__init__(*args, **kwargs)


FORMS = {
    "sign": SignForm,
    "return": ReturnForm,
    "progress": ProgressForm,
    "answer": AnswerForm,
}
