"""The batch action `cases` offers itself: 批量受理 (accept), each case by perform_transition."""

import datetime

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from areas.selectors import scope_of

from .forms import category_choices
from .models import Case
from .registry import BatchAction, register_batch_action
from .services import perform_transition
from .workflow import CENTER_ROLES, TRANSITIONS, Status


class BatchAcceptForm(forms.Form):
    category_code = forms.ChoiceField(
        label=_("category for cases that have none"),
        required=False,
        help_text=_("A case that already has a category keeps it."),
    )
    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="batch", **kwargs)
        self.fields["category_code"].choices = category_choices()


def accept_form(user, cases, data):
    return BatchAcceptForm(data)


def accept(case: Case, user, now: datetime.datetime, options: dict) -> None:
    # The batch's category only fills a gap: a case categorised at intake (a court's
    # referral always is) keeps what its sender decided.
    category = "" if case.category_id else options.get("category_code", "")
    perform_transition(
        case, "accept", user, now, note=options.get("note", ""), category_code=category
    )


def status_check(case: Case, action: str) -> str:
    """Before a batch runs: the refusal the service will give if the case's status does not
    allow `action` (its own words), or "" when it does."""
    transition = TRANSITIONS[action]
    if case.status in transition.sources:
        return ""
    return gettext("A case that is “%(status)s” cannot be moved by “%(action)s”.") % {
        "status": Status(case.status).label,
        "action": transition.label,
    }


def accept_detail(case: Case) -> str:
    return status_check(case, "accept") or gettext("can be accepted")


def may_dispatch(user) -> bool:
    """Center clerks and leaders accept and route (cases.workflow.TRANSITIONS)."""
    return scope_of(user).has_role(*CENTER_ROLES)


def register() -> None:
    register_batch_action(
        BatchAction(
            "accept",
            _("Accept"),
            may_dispatch,
            accept_form,
            accept,
            detail=accept_detail,
            detail_label=_("check"),
            order=10,
        )
    )
