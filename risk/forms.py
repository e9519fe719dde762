from django import forms
from django.utils.translation import gettext_lazy as _

from jiefen.forms import SearchForm

from .models import Grade


class GradeForm(forms.Form):
    grade = forms.ChoiceField(label=_("risk grade"), choices=list(reversed(Grade.choices)))
    reason = forms.CharField(
        label=_("reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "grade")
        super().__init__(*args, **kwargs)


class ObligationForm(forms.Form):
    note = forms.CharField(
        label=_("what was done"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, clock: str, **kwargs):
        kwargs.setdefault("prefix", f"obligation-{clock}")
        super().__init__(*args, **kwargs)
        self.clock = clock


class LinkForm(forms.Form):
    code = forms.CharField(label=_("case code"), max_length=40)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "link")
        super().__init__(*args, **kwargs)


class VisitForm(forms.Form):
    note = forms.CharField(
        label=_("visit record"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "visit")
        super().__init__(*args, **kwargs)


class PersonForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=80)
    id_number = forms.CharField(label=_("resident ID number"), max_length=18, required=False)
    phone = forms.CharField(label=_("phone"), max_length=20, required=False)
    area_code = forms.ChoiceField(label=_("area"))
    responsible_id = forms.ChoiceField(label=_("responsible for control (稳控)"))
    tag_ids = forms.MultipleChoiceField(
        label=_("risk tags"), required=False, widget=forms.CheckboxSelectMultiple
    )
    visit_days = forms.IntegerField(label=_("visit every (days)"), required=False, min_value=1)
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, **kwargs):
        from django.contrib.auth import get_user_model

        from areas.models import Membership
        from areas.selectors import area_subtree_q, scope_of, visible_areas

        from .models import RiskTag

        super().__init__(*args, **kwargs)
        areas = visible_areas(user).filter(level__lte=5).order_by("code")
        self.fields["area_code"].choices = [(a.code, f"{a.code} {a.name}") for a in areas]
        scope = scope_of(user)
        members = Membership.objects.filter(user__is_active=True)
        if not scope.is_superuser:
            members = members.filter(area_subtree_q(scope.area_paths, "unit__area__"))
        people = (
            get_user_model().objects.filter(pk__in=members.values("user_id")).order_by("username")
        )
        self.fields["responsible_id"].choices = [
            (u.pk, u.get_full_name() or u.username) for u in people
        ]
        self.fields["tag_ids"].choices = [
            (t.pk, t.name) for t in RiskTag.objects.filter(is_active=True)
        ]

    def to_input(self):
        from .keypersons import PersonInput

        d = self.cleaned_data
        return PersonInput(
            name=d["name"],
            id_number=d["id_number"],
            phone=d["phone"],
            area_code=d["area_code"],
            responsible_id=int(d["responsible_id"]),
            tag_ids=[int(t) for t in d["tag_ids"]],
            visit_days=d["visit_days"],
            note=d["note"],
        )


class PersonEditForm(PersonForm):
    """What may change in a file after it is opened: responsible, tags, interval, note."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        for name in ("name", "id_number", "phone", "area_code"):
            del self.fields[name]

    def to_input(self):
        from .keypersons import PersonInput

        d = self.cleaned_data
        return PersonInput(
            responsible_id=int(d["responsible_id"]),
            tag_ids=[int(t) for t in d["tag_ids"]],
            visit_days=d["visit_days"],
            note=d["note"],
        )


class MeetingOpenForm(forms.Form):
    center = forms.ChoiceField(label=_("center"))
    date = forms.DateField(
        label=_("date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    kind = forms.ChoiceField(label=_("kind"))
    note = forms.CharField(label=_("note"), required=False, max_length=500)

    def __init__(self, *args, centers, **kwargs):
        from .models import MeetingKind

        kwargs.setdefault("prefix", "meeting")
        super().__init__(*args, **kwargs)
        self.centers = {str(c.pk): c for c in centers}
        self.fields["center"].choices = [(str(c.pk), c.name) for c in centers]
        self.fields["kind"].choices = MeetingKind.choices


class ConclusionForm(forms.Form):
    conclusion = forms.CharField(
        label=_("conclusion"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    grade = forms.ChoiceField(label=_("risk grade"), required=False)
    route_unit_id = forms.ChoiceField(label=_("route to"), required=False)
    responsible_unit_id = forms.ChoiceField(label=_("responsible unit"), required=False)
    due_date = forms.DateField(
        label=_("due date"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    leader_id = forms.ChoiceField(label=_("leader in charge (包案领导)"), required=False)
    measure = forms.CharField(label=_("plan measure (一案一策)"), required=False, max_length=200)
    measure_responsible = forms.CharField(label=_("responsible"), required=False, max_length=80)
    measure_due = forms.DateField(
        label=_("measure due"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )

    def __init__(self, *args, item, units, leaders, can_route, **kwargs):
        kwargs.setdefault("prefix", f"item-{item.pk}")
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [("", _("unchanged")), *reversed(Grade.choices)]
        unit_choices = [("", "—")] + [(str(u.pk), u.name) for u in units]
        self.fields["responsible_unit_id"].choices = unit_choices
        if can_route:
            self.fields["route_unit_id"].choices = unit_choices
        else:
            del self.fields["route_unit_id"]
        self.fields["leader_id"].choices = [("", "—")] + [
            (str(u.pk), u.get_full_name() or u.username) for u in leaders
        ]

    def clean(self):
        d = super().clean()
        if d.get("leader_id") and not d.get("measure"):
            self.add_error("measure", _("Write at least one measure of the plan."))
        return d


class NoticeForm(forms.Form):
    units = forms.MultipleChoiceField(label=_("units"), widget=forms.CheckboxSelectMultiple)
    text = forms.CharField(label=_("notice"), widget=forms.Textarea(attrs={"rows": 3}))
    hours = forms.IntegerField(label=_("acknowledge within (hours)"), min_value=1, initial=24)

    def __init__(self, *args, units, **kwargs):
        kwargs.setdefault("prefix", "notice")
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = [(str(u.pk), u.name) for u in units]


class MeasureForm(forms.Form):
    """One measure of the plan (一案一策): what, who is responsible, by when."""

    text = forms.CharField(label=_("measure"), max_length=200, required=False)
    responsible = forms.CharField(label=_("responsible"), max_length=80, required=False)
    due_date = forms.DateField(
        label=_("due date"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )

    def is_blank(self) -> bool:
        d = getattr(self, "cleaned_data", {})
        return not (d.get("text") or d.get("responsible") or d.get("due_date"))

    def clean(self):
        d = super().clean()
        if (d.get("responsible") or d.get("due_date")) and not (d.get("text") or "").strip():
            self.add_error("text", _("Say what the measure is."))
        if (d.get("text") or "").strip():
            if not (d.get("responsible") or "").strip():
                self.add_error("responsible", _("Name who is responsible."))
            if d.get("due_date") is None and "due_date" not in self.errors:
                self.add_error("due_date", _("Give a due date from today on."))
        return d


MeasureFormSet = forms.formset_factory(
    MeasureForm, extra=3, max_num=20, absolute_max=20, validate_max=True
)


class AssignmentForm(forms.Form):
    leader_id = forms.ChoiceField(label=_("leader in charge (包案领导)"))
    report_days = forms.IntegerField(
        label=_("progress report every (days)"), min_value=1, initial=7
    )
    members = forms.MultipleChoiceField(
        label=_("task force (一案一专班)"), required=False, widget=forms.SelectMultiple
    )
    member_role = forms.CharField(
        label=_("role in the task force"), required=False, initial="专班成员"
    )

    def __init__(self, *args, leaders, members, **kwargs):
        kwargs.setdefault("prefix", "assign")
        super().__init__(*args, **kwargs)
        self.fields["leader_id"].choices = [("", "—")] + [
            (str(u.pk), u.get_full_name() or u.username) for u in leaders
        ]
        self.fields["members"].choices = [
            (str(m.user_id), f"{m.user.get_full_name() or m.user.username}（{m.unit.name}）")
            for m in members
        ]
        # The plan (一案一策): one row per measure.
        self.plan = MeasureFormSet(self.data or None, prefix=f"{self.prefix}-measures")

    def is_valid(self) -> bool:
        form_ok = super().is_valid()
        plan_ok = self.plan.is_valid()
        if form_ok and plan_ok and not self.plan_rows():
            self.add_error(None, _("Write at least one measure of the plan."))
            return False
        return form_ok and plan_ok

    def has_problems(self) -> bool:
        return bool(self.errors or self.plan.total_error_count())

    def plan_rows(self) -> list:
        return [f for f in self.plan.forms if f.is_valid() and not f.is_blank()]

    def to_input(self):
        from .assignments import AssignmentInput, MeasureInput, MemberInput

        d = self.cleaned_data
        return AssignmentInput(
            leader_id=int(d["leader_id"]),
            report_days=d["report_days"],
            members=[
                MemberInput(user_id=int(u), role=d["member_role"] or "专班成员")
                for u in d["members"]
            ],
            measures=[
                MeasureInput(
                    text=f.cleaned_data["text"],
                    responsible=f.cleaned_data["responsible"],
                    due_date=f.cleaned_data["due_date"],
                )
                for f in self.plan_rows()
            ],
        )


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("progress"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "progress")
        super().__init__(*args, **kwargs)


class ReviewForm(forms.Form):
    """稳控 review: the measures and the responsible go on, to a new review date."""

    def __init__(self, *args, **kwargs):
        from .stability import control_fields

        kwargs.setdefault("prefix", "review")
        super().__init__(*args, **kwargs)
        self.fields.update(control_fields(None))


class EndAssignmentForm(forms.Form):
    reason = forms.CharField(
        label=_("reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "end")
        super().__init__(*args, **kwargs)


class PersonQuery(SearchForm):
    """The key persons' list: ?q= (a name) and ?missed= (only files with a missed visit)."""

    missed = forms.BooleanField(required=False)
