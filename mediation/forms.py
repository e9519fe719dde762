"""Forms of the mediation panel; each turns into one service call."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from areas.models import Unit, UnitKind
from cases.workflow import TransferChannel
from jiefen.forms import id_field
from jiefen.pickers import MultiplePickerField, PickerField

from . import services
from .models import AgreementForm, Decision, MediatorKind, Profession, SessionKind, SessionResult

DATE = forms.DateInput(attrs={"type": "date"})
TEXT = forms.Textarea(attrs={"rows": 3})


class AssignForm(forms.Form):
    """Mediators are searched by name among those serving the case's area; the proposal
    (speciality, nearest area served, lowest load) is offered before anything is typed."""

    mediators = MultiplePickerField("case-mediator", as_key=True, label=_("mediators"))
    lead = PickerField("case-mediator", as_key=True, label=_("lead mediator"), required=False)

    def __init__(self, *args, user, case, candidates=(), **kwargs):
        super().__init__(*args, prefix="assign", **kwargs)
        for name in ("mediators", "lead"):
            self.fields[name].scope(user, case=case.code)
        self.fields["mediators"].widget.suggestions = [
            (
                c.mediator.pk,
                gettext("%(name)s · %(kind)s · %(unit)s · serves %(area)s · %(load)s open cases")
                % {
                    "name": c.mediator.name,
                    "kind": c.mediator.get_kind_display(),
                    "unit": c.mediator.unit.name if c.mediator.unit else "—",
                    "area": c.served_area.name,
                    "load": c.load,
                },
            )
            for c in candidates
        ]

    def ids(self) -> tuple[list[int], int | None]:
        return self.cleaned_data["mediators"], self.cleaned_data["lead"]


# The format a datetime-local input reads and sends back (an initial value must be in it).
DATETIME_LOCAL = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ScheduleForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=SessionKind.choices)
    starts_at = forms.DateTimeField(label=_("time"), widget=DATETIME_LOCAL)
    place = forms.CharField(label=_("place"), required=False, max_length=200)
    online_link = forms.CharField(label=_("online link"), required=False, max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="schedule", **kwargs)


class RescheduleForm(forms.Form):
    """A session not yet held, moved: its new time and place, the current ones filled in."""

    starts_at = forms.DateTimeField(label=_("new time"), widget=DATETIME_LOCAL)
    place = forms.CharField(label=_("place"), required=False, max_length=200)
    online_link = forms.CharField(label=_("online link"), required=False, max_length=300)

    def __init__(self, *args, session, **kwargs):
        initial = {
            "starts_at": session.starts_at,
            "place": session.place,
            "online_link": session.online_link,
        }
        super().__init__(*args, prefix=f"reschedule-{session.pk}", initial=initial, **kwargs)


class RecordForm(forms.Form):
    """The record of one session; the agreement fields count only when one was reached."""

    result = forms.ChoiceField(label=_("result"), choices=SessionResult.choices)
    attendees = forms.CharField(label=_("attendees"), required=False, widget=TEXT)
    interviewee = forms.CharField(label=_("person interviewed"), required=False, max_length=100)
    recorder = forms.CharField(label=_("recorder"), required=False, max_length=60)
    facts = forms.CharField(label=_("facts found"), widget=TEXT)
    proposal = forms.CharField(label=_("mediation proposal"), required=False, widget=TEXT)
    note = forms.CharField(
        label=_("reasons and routes left to the parties"),
        required=False,
        widget=TEXT,
        help_text=_("Needed when the attempt failed or the application was withdrawn."),
    )
    form = forms.ChoiceField(label=_("agreement"), choices=AgreementForm.choices, required=False)
    agreement_facts = forms.CharField(
        label=_("main facts, matters in dispute and responsibilities"), required=False, widget=TEXT
    )
    content = forms.CharField(label=_("agreed terms"), required=False, widget=TEXT)
    performance_method = forms.CharField(
        label=_("manner of performance"), required=False, max_length=200
    )
    performance_due = forms.DateField(label=_("perform by"), required=False, widget=DATE)
    effective_on = forms.DateField(
        label=_("effective on"),
        required=False,
        widget=DATE,
        help_text=_("A written agreement takes effect when all have signed and it is sealed."),
    )
    amount = forms.DecimalField(
        label=_("amount in the agreement (yuan)"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text=_(
            "The money the agreed terms involve, for the statistical return; empty if none."
        ),
    )
    AGREEMENT_FIELDS = (
        "form",
        "agreement_facts",
        "content",
        "performance_method",
        "performance_due",
        "effective_on",
        "amount",
    )

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, prefix=f"record-{session.pk}", **kwargs)
        self.session = session
        self.party_fields = []
        for p in session.case.parties.all():
            name = f"position_{p.pk}"
            self.fields[name] = forms.CharField(
                label=_("position of %(name)s") % {"name": p.name}, required=False, widget=TEXT
            )
            self.party_fields.append((name, p.name))
        if session.kind == SessionKind.INVESTIGATION:
            self.fields["result"].initial = SessionResult.CONTINUE
            for name in self.AGREEMENT_FIELDS:
                del self.fields[name]
        else:
            # No earlier than the session that reaches it (record_session checks it too).
            self.fields["effective_on"].widget.attrs["min"] = services.held_on(session).isoformat()

    def record(self) -> services.SessionRecord:
        d = self.cleaned_data
        return services.SessionRecord(
            result=d.get("result") or SessionResult.CONTINUE,
            attendees=d["attendees"],
            interviewee=d["interviewee"],
            recorder=d["recorder"],
            facts=d["facts"],
            positions=[{"party": label, "text": d[name]} for name, label in self.party_fields],
            proposal=d["proposal"],
            note=d["note"],
        )

    def agreement(self) -> services.AgreementInput | None:
        d = self.cleaned_data
        if d.get("result") != SessionResult.AGREEMENT:
            return None
        return services.AgreementInput(
            form=d["form"],
            facts=d["agreement_facts"],
            content=d["content"],
            performance_method=d["performance_method"],
            performance_due=d["performance_due"],
            effective_on=d["effective_on"],
            amount=d["amount"],
        )


class EndForm(forms.Form):
    note = forms.CharField(
        label=_("why no agreement, and which routes the parties were told of"), widget=TEXT
    )
    channel = forms.ChoiceField(
        label=_("send to"),
        required=False,
        choices=[("", _("nowhere: terminate"))] + TransferChannel.choices,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="end", **kwargs)


class ConfirmForm(forms.Form):
    court = forms.ModelChoiceField(label=_("court"), queryset=Unit.objects.none())

    def __init__(self, *args, agreement, default=None, **kwargs):
        super().__init__(*args, prefix=f"confirm-{agreement.pk}", **kwargs)
        self.fields["court"].queryset = Unit.objects.filter(
            kind__in=[UnitKind.COURT, UnitKind.TRIBUNAL],
            is_active=True,
            area_id__in=agreement.case.area.ancestor_ids,
        )
        self.fields["court"].initial = default


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("court decision"), choices=[c for c in Decision.choices if c[0]]
    )
    reason = forms.CharField(label=_("reason"), required=False, widget=TEXT)

    def __init__(self, *args, confirmation, **kwargs):
        super().__init__(*args, prefix=f"decision-{confirmation.pk}", **kwargs)


class ScanForm(forms.Form):
    file = forms.FileField(label=_("signed scan"))


class DirectoryQuery(forms.Form):
    """The filters of the mediator directory (?pool=&kind=&profession=&q=)."""

    pool = id_field(_("pool"))
    kind = forms.ChoiceField(
        label=_("kind"), required=False, choices=[("", "")] + MediatorKind.choices
    )
    profession = forms.ChoiceField(
        label=_("profession"), required=False, choices=[("", "")] + Profession.choices
    )
    q = forms.CharField(label=_("search"), required=False, max_length=100)
