"""Forms of the risk administration pages (risk.manage_views)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jiefen.pickers import PickerField

from .models import Grade, RuleKind


class RuleForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100, required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=RuleKind.choices)
    grade = forms.ChoiceField(
        label=_("grade proposed"),
        choices=[(g, Grade(g).label) for g in (Grade.RED, Grade.ORANGE, Grade.YELLOW)],
    )
    threshold = forms.DecimalField(
        label=_("threshold"),
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text=_("People, yuan, earlier cases, or the scale code (2 or 3)."),
    )
    words = forms.CharField(
        label=_("words"),
        required=False,
        max_length=400,
        help_text=_("Words in the title or description, separated by 、 or commas."),
    )
    category_code = forms.CharField(
        label=_("category code (prefix)"),
        required=False,
        max_length=4,
        help_text=_("e.g. 03 or 0301"),
    )
    area_code = PickerField(
        "admin-area-code",
        label=_("area"),
        required=False,
        help_text=_("Empty: every case; otherwise the cases of this area and below."),
    )
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area_code"].scope(user)


class PlanForm(forms.Form):
    notify_levels_up = forms.IntegerField(
        label=_("centers told above the handling unit"),
        min_value=0,
        max_value=2,
        help_text=_("0: the handling unit and its leader only; 1 or 2: the centers above too."),
    )
    report_hours = forms.IntegerField(
        label=_("report up within (hours)"),
        required=False,
        min_value=1,
        help_text=_("Empty: no report up is required."),
    )
    handle_hours = forms.IntegerField(
        label=_("take in hand within (hours)"), required=False, min_value=1
    )
    handle_label = forms.CharField(
        label=_("what taking in hand means"),
        required=False,
        max_length=60,
        help_text=_("e.g. 包案"),
    )
    measures = forms.CharField(
        label=_("measures (one a line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class TagForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=30, required=False)
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)


class ScheduleForm(forms.Form):
    center = forms.ChoiceField(label=_("center"))
    name = forms.CharField(label=_("name"), max_length=60, required=False)
    weekdays = forms.CharField(
        label=_("weekdays"),
        max_length=20,
        required=False,
        help_text=_("1 = Monday … 7 = Sunday, e.g. 3,5"),
    )
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)

    def __init__(self, *args, centers, **kwargs):
        super().__init__(*args, **kwargs)
        self.centers = {str(c.pk): c for c in centers}
        self.fields["center"].choices = [(str(c.pk), f"{c.area.name} · {c.name}") for c in centers]
