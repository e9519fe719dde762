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

from . import services
from .models import Mediator
from .selectors import with_load


def batch_mediators(cases: list[Case]):
    """Active mediators serving the area of one of the cases or an area above it (those
    propose_mediators would consider), with their current load."""
    chain = {pk for case in cases for pk in case.area.ancestor_ids}
    qs = Mediator.objects.filter(is_active=True, areas__in=chain).distinct()
    return with_load(qs).select_related("unit").order_by("kind", "name")


class BatchAssignForm(forms.Form):
    mediator = forms.ChoiceField(label=_("mediator"))

    def __init__(self, *args, mediators=(), **kwargs):
        super().__init__(*args, prefix="batch", **kwargs)
        self.fields["mediator"].choices = [
            ("", "—"),
            *(
                (
                    str(m.pk),
                    gettext("%(name)s · %(kind)s · %(unit)s · %(load)s open cases")
                    % {
                        "name": m.name,
                        "kind": m.get_kind_display(),
                        "unit": m.unit.name if m.unit else "—",
                        "load": m.load,
                    },
                )
                for m in mediators
            ),
        ]


def assign_form(user, cases, data):
    return BatchAssignForm(data, mediators=batch_mediators(cases))


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
