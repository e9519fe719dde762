"""批量分流: route the selected cases to one unit, or each to the unit 三事分流 proposes for it,
each case by cases.services.perform_transition (the route form's checks, lock and event)."""

import datetime

from django import forms
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from areas.models import Unit
from areas.selectors import area_subtree_q, scope_of
from cases.bulk_actions import may_dispatch, status_check
from cases.errors import InvalidInput
from cases.models import Case, TriageClass
from cases.registry import BatchAction, register_batch_action
from cases.services import perform_transition
from jiefen.pickers import PickerField

from .triage import propose

ONE_UNIT = "one"  # every selected case to the one unit chosen
PROPOSED = "proposed"  # each case to the unit its rule proposes


def batch_units(user, cases: list[Case]):
    """Units the batch can go to: the union of what each selected case may be routed to
    (cases.services.routable_units): the dispatcher's area and the cases' areas upwards."""
    qs = Unit.objects.filter(is_active=True).select_related("area")
    scope = scope_of(user)
    if scope.is_superuser:
        return qs
    upwards = {pk for case in cases for pk in case.area.ancestor_ids}
    return qs.filter(area_subtree_q(scope.area_paths, "area__") | Q(area_id__in=upwards))


class BatchRouteForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("route to"),
        choices=[
            (ONE_UNIT, _("one unit for every case")),
            (PROPOSED, _("each case to the unit its rule proposes")),
        ],
        initial=ONE_UNIT,
        widget=forms.RadioSelect,
    )
    # The units of the selected cases (routing.pickers), searched by name: a province has
    # tens of thousands. Needed only when every case goes to one unit.
    unit = PickerField("batch-route-unit", as_key=True, label=_("handling unit"), required=False)
    triage_class = forms.ChoiceField(
        label=_("triage"),
        required=False,
        choices=[
            ("", _("as each case's rule proposes")),
            (TriageClass.MAJOR, TriageClass.MAJOR.label),
            (TriageClass.MINOR, TriageClass.MINOR.label),
        ],
    )
    override_reason = forms.CharField(
        label=_("reason for not following the proposal"),
        required=False,
        help_text=_("Needed for the cases whose rule proposes another unit."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, cases=(), **kwargs):
        super().__init__(*args, prefix="batch", **kwargs)
        self.fields["unit"].scope(user, cases=",".join(c.code for c in cases))

    def clean(self):
        data = super().clean()
        if data.get("mode") == PROPOSED:
            data["unit"] = None
        elif data.get("mode") == ONE_UNIT and not data.get("unit") and "unit" not in self.errors:
            self.add_error("unit", gettext("Choose the unit, or route each case to its proposal."))
        return data


def route_form(user, cases, data):
    return BatchRouteForm(data, user=user, cases=cases)


def proposal_line(case: Case) -> str:
    """What 三事分流 proposes for the case, as the batch shows it beside the case (or why the
    case cannot be routed now)."""
    refused = status_check(case, "route")
    if refused:
        return refused
    p = propose(case)
    if p.unit is None:
        return gettext("no proposal")
    parts = [p.unit.name]
    if p.triage_class:
        parts.append(str(TriageClass(p.triage_class).label))
    if p.rule is not None:
        parts.append(gettext("rule: %(rule)s") % {"rule": p.rule.name})
    return gettext("proposed: %(proposal)s") % {"proposal": " · ".join(parts)}


def route(case: Case, user, now: datetime.datetime, options: dict) -> None:
    unit_id = options.get("unit")
    if options.get("mode") == PROPOSED:
        proposal = propose(case)
        if proposal.unit is None:
            raise InvalidInput(
                gettext("No routing rule proposes a unit for this case; choose one."),
                {"unit_id": gettext("No proposal.")},
            )
        unit_id = proposal.unit.pk
    perform_transition(
        case,
        "route",
        user,
        now,
        note=options.get("note", ""),
        unit_id=unit_id,
        triage_class=options.get("triage_class", ""),
        override_reason=options.get("override_reason", ""),
    )


def register() -> None:
    register_batch_action(
        BatchAction(
            "route",
            _("Route"),
            may_dispatch,
            route_form,
            route,
            detail=proposal_line,
            detail_label=_("routing proposal"),
            order=20,
        )
    )
