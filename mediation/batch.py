"""批量指派调解员: put one mediator on each selected case, each by services.assign_mediators
(its checks, case lock, timeline event and the mediator's notice)."""

import datetime

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from areas.selectors import scope_of
from cases.models import Case
from cases.registry import BatchAction, register_batch_action
from cases.workflow import HANDLING_ROLES
from jiefen.pickers import PickerField

from . import services
from .models import Mediator


def batch_mediators(cases: list[Case]):
    """Active mediators who may serve every one of the cases: each case's area, or an area
    above it, is among those they serve (as for one case, mediation.pickers.case_mediators)."""
    chains = {case.area_id: set(case.area.ancestor_ids) for case in cases}
    if not chains:
        return Mediator.objects.none()
    served: dict[int, set[int]] = {}
    pairs = Mediator.areas.through.objects.filter(
        mediator__is_active=True, area_id__in=set().union(*chains.values())
    ).values_list("mediator_id", "area_id")
    for mediator_id, area_id in pairs:
        served.setdefault(mediator_id, set()).add(area_id)
    ids = [m for m, areas in served.items() if all(areas & chain for chain in chains.values())]
    return Mediator.objects.filter(pk__in=ids).select_related("unit")


class BatchAssignForm(forms.Form):
    # Searched by name or unit among the mediators of the selected cases (mediation.pickers).
    mediator = PickerField("batch-mediator", as_key=True, label=_("mediator"))

    def __init__(self, *args, user, cases=(), **kwargs):
        super().__init__(*args, prefix="batch", **kwargs)
        self.fields["mediator"].scope(user, cases=",".join(c.code for c in cases))


def assign_form(user, cases, data):
    return BatchAssignForm(data, user=user, cases=cases)


def on_case(case: Case) -> str:
    """The mediators already on the case, shown beside it before the batch runs (or why none
    can be assigned now)."""
    if case.status not in services.ASSIGNABLE_STATUSES:
        return gettext("Mediators can only be assigned to a case that is still open.")
    names = case.mediator_assignments.filter(ended_at__isnull=True).values_list(
        "mediator__name", flat=True
    )
    names = list(names)
    if not names:
        return gettext("no mediator yet")
    return gettext("mediators: %(names)s") % {"names": "、".join(names)}


def assign(case: Case, user, now: datetime.datetime, options: dict) -> None:
    services.assign_mediators(case, user, now, [int(options["mediator"])])


def may_assign(user) -> bool:
    return scope_of(user).has_role(*HANDLING_ROLES)


def register() -> None:
    register_batch_action(
        BatchAction(
            "assign_mediator",
            _("Assign a mediator"),
            may_assign,
            assign_form,
            assign,
            detail=on_case,
            detail_label=_("mediators on the case"),
            order=30,
        )
    )
