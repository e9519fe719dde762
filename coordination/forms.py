"""Forms of the 吹哨报到 and 督办 panel on the case page; rules live in the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.forms import DATETIME_LOCAL
from jiefen.pickers import MultiplePickerField

from .whistles import DEFAULT_REPORT_HOURS, SCORES


def _when(label, required=True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )


class WhistleForm(forms.Form):
    units = MultiplePickerField("whistle-unit", as_key=True, label=_("units to summon"))
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))
    report_hours = forms.IntegerField(
        label=_("report within (hours)"), initial=DEFAULT_REPORT_HOURS, min_value=1
    )

    def __init__(self, *args, user, case, **kwargs):
        super().__init__(*args, prefix="whistle", **kwargs)
        self.fields["units"].scope(user, case=case.code)


class MeetingForm(forms.Form):
    """会商: where and when, what was decided, and a task with its due time for every unit
    that reported (the released ones have none)."""

    held_at = _when(_("held at"))
    place = forms.CharField(label=_("place"), required=False)
    decisions = forms.CharField(label=_("decisions"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, whistle, **kwargs):
        super().__init__(*args, prefix=f"meeting-{whistle.pk}", **kwargs)
        self.whistle = whistle
        self.task_fields = []
        for s in whistle.summonses.all():
            if s.released_at:
                continue
            self.fields[f"task_{s.pk}"] = forms.CharField(
                label=_("task for %(unit)s") % {"unit": s.unit.name},
                initial=s.task,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"due_{s.pk}"] = _when(_("feed back by"))
            self.task_fields.append(s.pk)

    def tasks(self) -> list[tuple[int, str, object]]:
        return [
            (pk, self.cleaned_data.get(f"task_{pk}") or "", self.cleaned_data.get(f"due_{pk}"))
            for pk in self.task_fields
        ]


class FeedbackForm(forms.Form):
    feedback = forms.CharField(
        label=_("what your unit did"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, summons, **kwargs):
        super().__init__(*args, prefix=f"feedback-{summons.pk}", **kwargs)


class EvaluationForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("score"), coerce=int, choices=[(i, "★" * i) for i in reversed(SCORES)]
    )
    evaluation = forms.CharField(
        label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, summons, **kwargs):
        super().__init__(*args, prefix=f"evaluate-{summons.pk}", **kwargs)


class ReleaseForm(forms.Form):
    """The caller lets a summoned unit go, with a reason."""

    reason = forms.CharField(
        label=_("reason for the release"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, summons, **kwargs):
        super().__init__(*args, prefix=f"release-{summons.pk}", **kwargs)


class SupervisionForm(forms.Form):
    instruction = forms.CharField(label=_("instruction"), widget=forms.Textarea(attrs={"rows": 2}))
    due_at = _when(_("answer by"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="supervise", **kwargs)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, supervision, **kwargs):
        super().__init__(*args, prefix=f"answer-{supervision.pk}", **kwargs)
