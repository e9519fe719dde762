from django import forms
from django.utils.translation import gettext_lazy as _

from .services import REASON_MAX


class MergeForm(forms.Form):
    main = forms.CharField(
        label=_("main case (code)"),
        max_length=40,
        help_text=_("The case this report repeats; it keeps handling the dispute."),
    )
    reason = forms.CharField(
        label=_("reason"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "merge")
        super().__init__(*args, **kwargs)


class UnmergeForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "unmerge")
        super().__init__(*args, **kwargs)
