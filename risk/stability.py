"""稳控: a stabilised case names its control measures, a responsible person and a review date;
the review is a clock (`review`) the sweep watches. A follow-up or a reopening ends it.

These are steps of the case's own transitions (cases.registry.TransitionExtension): the
stabilise action's form carries the three fields, and a refusal writes nothing."""

import datetime

from django import forms
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.errors import InvalidInput, NotAllowed
from cases.models import Case
from cases.services import acting_membership, append_event
from cases.workflow import HANDLING_ROLES, Status
from clocks import deadlines
from clocks.models import Clock
from jiefen.localtime import LOCAL_TZ

from .models import StabilityControl

MAX_REVIEW_DAYS = 366


def control_fields(case) -> dict:
    return {
        "measures": forms.CharField(
            label=gettext_lazy("control measures"),
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 2}),
        ),
        "responsible": forms.CharField(
            label=gettext_lazy("responsible for control (稳控)"), max_length=80
        ),
        "review_date": forms.DateField(
            label=gettext_lazy("review date"),
            widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        ),
    }


def _review_date(value) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value or ""))
    except ValueError:
        return None


def _write(case, actor, now, measures, responsible, review) -> dict:
    errors = {}
    measures = (measures or "").strip()
    responsible = (responsible or "").strip()
    today = now.astimezone(LOCAL_TZ).date()
    if not measures:
        errors["measures"] = _("Name the control measures.")
    if not responsible:
        errors["responsible"] = _("Name the person responsible for control.")
    if review is None or not today < review <= today + datetime.timedelta(days=MAX_REVIEW_DAYS):
        errors["review_date"] = _("Give a review date after today, within a year.")
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors)
    StabilityControl.objects.create(
        case=case,
        measures=measures,
        responsible=responsible[:80],
        review_date=review,
        set_at=now,
        set_by=actor,
    )
    deadlines.cancel_deadlines(case, [Clock.REVIEW], now)
    # Due at the end of the review date, Asia/Shanghai.
    due = datetime.datetime.combine(review + datetime.timedelta(days=1), datetime.time(), LOCAL_TZ)
    deadlines.open_deadline(case, Clock.REVIEW, case.owner_unit, now, due_at=due)
    return {"measures": measures, "responsible": responsible, "review_date": review.isoformat()}


def on_stabilise(case, actor, actor_unit, now, note, params) -> dict:
    return _write(
        case,
        actor,
        now,
        params.get("measures"),
        params.get("responsible"),
        _review_date(params.get("review_date")),
    )


def on_leaving(case, actor, actor_unit, now, note, params) -> dict:
    """A follow-up or a reopening: the review clock is met (or missed) now."""
    deadlines.close_deadlines(case, [Clock.REVIEW], now)
    return {}


def review(actor, case: Case, measures, responsible, review_date, now) -> StabilityControl:
    """The handling unit reviews a stabilised case: the control goes on to a new date."""
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("owner_unit__area", "area")
            .get(pk=case.pk)
        )
        membership = acting_membership(actor, case, HANDLING_ROLES)
        if membership is None:
            raise NotAllowed(_("You are not allowed to do this on this case."))
        if case.status != Status.STABILISED:
            raise InvalidInput(_("Only a stabilised case is reviewed."))
        deadlines.close_deadlines(case, [Clock.REVIEW], now)
        data = _write(case, actor, now, measures, responsible, _review_date(review_date))
        append_event(
            case, "stability_reviewed", now, actor=actor, actor_unit=membership.unit, data=data
        )
    return StabilityControl.objects.filter(case=case).first()


def current(case: Case) -> StabilityControl | None:
    if case.status != Status.STABILISED:
        return None
    return StabilityControl.objects.filter(case=case).first()
