"""Forms of the clerk pages. They only collect input: validation rules live in the services,
whose field errors are mapped back onto these forms (jiefen.forms.apply_errors)."""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from areas.models import Area
from areas.selectors import area_subtree_q, memberships_of
from clocks.models import Complexity
from jiefen.pickers import PickerField

from .data.ethnicities import ETHNIC_GROUPS
from .models import (
    Category,
    Channel,
    MojCategory,
    PartyKind,
    PartyRole,
    PauseReason,
    Scale,
    TriageClass,
)
from .registry import Satisfaction, intake_extensions, list_extensions, transition_extensions
from .services import MAX_PARTIES, REGISTER_ROLES, CaseInput, PartyInput, idempotency_ref
from .workflow import Status, TransferChannel

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
SATISFACTION_CHOICES = Satisfaction.choices


def category_choices(majors_selectable: bool = False) -> list:
    """Active categories grouped by their major (GB/T 31000 two levels)."""
    groups: dict = {}
    for c in Category.objects.filter(is_active=True).select_related("parent"):
        if c.parent_id is None:
            groups.setdefault(c.code, [c, []])[0] = c
        else:
            groups.setdefault(c.parent.code, [c.parent, []])[1].append((c.code, str(c)))
    choices: list = [("", "—")]
    for major, minors in groups.values():
        if majors_selectable:
            minors = [(major.code, _("%(name)s (all)") % {"name": major})] + minors
        choices.append((str(major), minors))
    return choices


def registrable_areas(user):
    """Areas the user may register cases in: the subtrees of their registering memberships."""
    if user.is_superuser:
        return Area.objects.all()
    paths = tuple(m.scope_area.path for m in memberships_of(user) if m.role in REGISTER_ROLES)
    return Area.objects.filter(area_subtree_q(paths))


def area_label(area: Area) -> str:
    return f"{area.name}（{area.code}）"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class CaseForm(forms.Form):
    # Most fields are optional here on purpose: register_case decides what is missing,
    # so the same rules (and messages) apply to the form, the API and imports.
    title = forms.CharField(label=_("title"), required=False, max_length=200)
    description = forms.CharField(
        label=_("description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    category_code = forms.ChoiceField(label=_("category"), required=False)
    scale = forms.ChoiceField(
        label=_("scale"),
        choices=[(v, format_lazy("{} {}", v, label)) for v, label in Scale.choices],
        initial=Scale.INDIVIDUAL,
    )
    people_involved = forms.CharField(
        label=_("people involved"),
        required=False,
        initial=1,
        widget=forms.NumberInput(attrs={"min": 1}),
    )
    amount_involved = forms.CharField(
        label=_("amount involved (yuan)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    occurred_at = forms.DateTimeField(
        label=_("occurred at"),
        required=False,
        input_formats=[DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
    )
    area_code = PickerField("register-area", as_key=True, label=_("area"), required=False)
    address = forms.CharField(label=_("address"), required=False, max_length=200)
    channel = forms.ChoiceField(label=_("intake channel"), choices=Channel.choices)
    missing_materials = forms.CharField(
        label=_("missing materials (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Accept now and list what the party still has to hand in."),
    )
    attachments = MultipleFileField(label=_("attachments"), required=False)
    # 随手拍: a phone offers its camera directly.
    photos = MultipleFileField(
        label=_("photos (camera)"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    location = forms.CharField(required=False, widget=forms.HiddenInput)
    # Set by the page (jiefen/offline.js) for each draft: a resend never makes a second case.
    idempotency_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category_code"].choices = category_choices()
        # Searched by name among the areas the user may register in; a grid worker's one
        # grid is filled in.
        self.fields["area_code"].scope(user)
        areas = list(registrable_areas(user).order_by("code")[:2])
        if len(areas) == 1:
            self.fields["area_code"].initial = areas[0].code
        # Other apps' intake fields (the risk grade), for the users who may fill them.
        self.extension_names: list[str] = []
        self.extension_groups: list[tuple] = []
        for extension in intake_extensions():
            fields = extension.fields(user)
            self.fields.update(fields)
            self.extension_names += list(fields)
            if fields:
                self.extension_groups.append((extension.label, list(fields)))

    def extension_sections(self):
        return [(label, [self[n] for n in names]) for label, names in self.extension_groups]

    def extension_errors(self) -> bool:
        return any(self.errors.get(name) for name in self.extension_names)

    def to_input(self, party_forms) -> CaseInput:
        d = self.cleaned_data
        return CaseInput(
            title=d["title"],
            description=d["description"],
            area_code=d["area_code"] or "",
            channel=d["channel"],
            category_code=d["category_code"],
            scale=d["scale"],
            people_involved=d["people_involved"] or 1,
            amount_involved=d["amount_involved"] or None,
            occurred_at=d["occurred_at"],
            address=d["address"],
            location=d["location"],
            external_ref=idempotency_ref("intake", d["idempotency_key"]),
            parties=[PartyInput(**f.party_data()) for f in party_forms],
            missing_materials=[
                line.strip() for line in d["missing_materials"].splitlines() if line.strip()
            ],
            extensions={name: d.get(name) for name in self.extension_names},
        )


class PartyForm(forms.Form):
    name = forms.CharField(label=_("name of person or organisation"), required=False, max_length=80)
    role = forms.ChoiceField(label=_("role"), choices=PartyRole.choices)
    kind = forms.ChoiceField(label=_("kind"), choices=PartyKind.choices)
    id_number = forms.CharField(label=_("resident ID number"), required=False, max_length=30)
    credit_code = forms.CharField(
        label=_("unified social credit code"), required=False, max_length=30
    )
    # 民族 (GB 3304) and 职业: the MoJ documents print them; blank for organisations or unknown.
    ethnicity = forms.ChoiceField(
        label=_("ethnic group"),
        required=False,
        choices=[("", "—")] + [(code, f"{code} {name}") for code, name in ETHNIC_GROUPS],
    )
    occupation = forms.CharField(label=_("occupation"), required=False, max_length=60)
    phone = forms.CharField(
        label=_("phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    address = forms.CharField(label=_("address"), required=False, max_length=200)

    def party_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.fields}


# At most MAX_PARTIES rows, also when a client posts more than the page offers.
PartyFormSet = forms.formset_factory(
    PartyForm, extra=0, min_num=1, max_num=MAX_PARTIES, absolute_max=MAX_PARTIES, validate_max=True
)


def filled_party_forms(formset) -> list:
    """Party rows with something typed in; blank rows (role and kind alone) are ignored."""
    typed = ("name", "id_number", "credit_code", "ethnicity", "occupation", "phone", "address")
    return [f for f in formset.forms if any(f.cleaned_data.get(k) for k in typed)]


class CaseFilterForm(forms.Form):
    q = forms.CharField(label=_("search"), required=False)
    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", _("all"))] + Status.choices
    )
    category = forms.ChoiceField(label=_("category"), required=False)
    area = PickerField("area", label=_("area"), required=False)
    channel = forms.ChoiceField(
        label=_("intake channel"), required=False, choices=[("", _("all"))] + Channel.choices
    )
    date_from = forms.DateField(
        label=_("registered from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("registered to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(majors_selectable=True)
        self.fields["area"].scope(user)
        self.fields["q"].widget.attrs["placeholder"] = _("code, party name or words")
        # Filters other apps add to the list (the risk grade…), after the case's own.
        for extension in list_extensions():
            self.fields[extension.name] = forms.ChoiceField(
                label=extension.label,
                required=False,
                choices=[("", _("all")), *extension.choices()],
            )

    def active_count(self) -> int:
        """How many filters are set (shown on the collapsed filter block)."""
        return sum(1 for name in self.fields if self.data.get(name))

    def filters(self) -> dict:
        """Keyword arguments for selectors.filter_cases; invalid values are left out."""
        self.is_valid()  # fills cleaned_data with the fields that are valid
        d = getattr(self, "cleaned_data", {})
        text = {k: d.get(k) or "" for k in ("q", "status", "category", "channel")}
        extra = {e.name: d.get(e.name) or "" for e in list_extensions()}
        return {**text, **{k: d.get(k) for k in ("area", "date_from", "date_to")}, "extra": extra}


class TransitionForm(forms.Form):
    """One action of the state machine, with the extra fields that action needs."""

    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, transition, case, user=None, proposal=None, **kwargs):
        super().__init__(*args, prefix=transition.name, **kwargs)
        self.transition = transition
        self.proposal = proposal
        if transition.note_required:
            self.fields["note"].widget.attrs["required"] = True
        for extension in transition_extensions(transition.name):
            self.fields.update(extension.fields(case))
        if transition.name in ("accept", "route"):
            # 简单 / 一般 / 疑难: the case's resolve limit follows it (the region's policy).
            self.fields["complexity"] = forms.ChoiceField(
                label=_("complexity"),
                choices=[("", "—"), *Complexity.choices],
                initial=case.complexity
                or (Complexity.ORDINARY if transition.name == "accept" else ""),
                required=False,
            )
        if transition.name == "accept":
            self.fields["category_code"] = forms.ChoiceField(
                label=_("category"),
                choices=category_choices(),
                initial=case.category.code if case.category_id else "",
                required=False,
            )
        elif transition.name == "route":
            # 三事分流: the routing rules' proposal is preselected; choosing another unit
            # needs a reason (the service enforces it). Both units are searched by name among
            # the units this case can go to (the route picker).
            self.fields["triage_class"] = forms.ChoiceField(
                label=_("triage"),
                choices=[
                    (TriageClass.MAJOR, TriageClass.MAJOR.label),
                    (TriageClass.MINOR, TriageClass.MINOR.label),
                ],
                initial=(proposal and proposal.triage_class) or TriageClass.MINOR,
                required=False,
            )
            proposed = proposal.unit if proposal else None
            self.fields["unit_id"] = PickerField(
                "route-unit",
                as_key=True,
                label=_("handling unit"),
                initial=proposed.pk if proposed else None,
                required=False,
            )
            self.fields["subject_unit_id"] = PickerField(
                "route-unit",
                as_key=True,
                label=_("subject-matter unit"),
                initial=proposal.subject_unit.pk if proposal and proposal.subject_unit else None,
                required=False,
            )
            for name in ("unit_id", "subject_unit_id"):
                self.fields[name].scope(user, case=case.code)
            if proposed:
                # Asked for only when a proposal exists; app.js shows it once another unit
                # is chosen (the service asks for it then too).
                self.fields["unit_id"].widget.attrs.update(
                    {
                        "data-proposed": proposed.pk,
                        "data-reason": f"id_{self.prefix}-override_reason",
                    }
                )
                self.fields["override_reason"] = forms.CharField(
                    label=_("reason for not following the proposal"),
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
        elif transition.name == "guide":
            self.fields["note"].initial = proposal.guidance if proposal else ""
        elif transition.name == "transfer":
            self.fields["channel"] = forms.ChoiceField(
                label=_("sent to"),
                choices=[("", "—")] + TransferChannel.choices,
                required=False,
            )
        elif transition.name == "settle_at_grid":
            self.fields["agreement"] = forms.CharField(
                label=_("what the parties agreed"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields["oral_agreement"] = forms.BooleanField(
                label=_("an oral agreement (口头协议登记)"), required=False
            )

    def params(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "note"}


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("file"))
    # Shown while the case's clocks are paused: this file is what the case waited for.
    resumes_pause = forms.BooleanField(
        label=_("This is the awaited material: resume the time limit"), required=False
    )


class PauseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("reason for the pause"), choices=[("", "—"), *PauseReason.choices], required=False
    )
    note = forms.CharField(
        label=_("what is awaited"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ResumeForm(forms.Form):
    note = forms.CharField(label=_("note"), required=False, max_length=2000)


class ComplexityForm(forms.Form):
    complexity = forms.ChoiceField(
        label=_("complexity"), choices=[("", "—"), *Complexity.choices], required=False
    )
    reason = forms.CharField(
        label=_("reason for the change"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CategoryAddForm(forms.Form):
    major = forms.ModelChoiceField(
        label=_("major category"), queryset=Category.objects.filter(parent__isnull=True)
    )
    code = forms.CharField(label=_("code"), max_length=4, min_length=4)
    name = forms.CharField(label=_("name"), max_length=60)
    moj_category = forms.ModelChoiceField(
        label=_("MoJ statistical category"),
        queryset=MojCategory.objects.all(),
        required=False,
        help_text=_("Empty: the major category's mapping."),
    )


class CategoryEditForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=60)
    moj_category = forms.ModelChoiceField(
        label=_("MoJ statistical category"), queryset=MojCategory.objects.all(), required=False
    )
    is_active = forms.BooleanField(label=_("active"), required=False)
