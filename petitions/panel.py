"""The petition panel of the case page: the stage, the running clock and the step's form,
the written opinions, and the leader reception days the case is booked to."""

from areas.models import Role
from cases.models import Case
from cases.services import acting_membership
from cases.workflow import CENTER_ROLES
from jiefen import clock as jclock

from . import services
from .forms import BookForm, DecideForm, ExtendForm, OpinionForm, RequestForm
from .models import Booking, OpinionKind, Petition, Stage


def decide_form(user, case: Case, data=None) -> DecideForm:
    return DecideForm(
        data,
        units=services.forward_units(case, user).order_by("area__level", "name")[:200],
        needs_category=case.category_id is None,
    )


def book_form(case: Case, data=None) -> BookForm:
    return BookForm(data, days=list(services.days_for(case)[:50]))


def panel_context(user, case: Case, bound: dict | None = None) -> dict:
    bound = bound or {}
    bookings = list(Booking.objects.filter(case=case).select_related("day__leader", "day__unit"))
    may_book = acting_membership(user, case, CENTER_ROLES) is not None
    booking = {
        "bookings": bookings,
        "book_form": bound.get("book")
        or (book_form(case) if may_book and services.days_for(case).exists() else None),
    }
    petition = Petition.objects.filter(case=case).select_related("guide", "forwarded_to").first()
    if petition is None:
        return {"case": case, "petition": None, **booking}
    deadline = services.open_deadline(petition)
    now = jclock.now()
    forms = {}
    stage = petition.stage
    if stage == Stage.REGISTERED and acting_membership(user, case, CENTER_ROLES):
        forms["decide"] = bound.get("decide") or decide_form(user, case)
    if stage == Stage.HANDLING:
        if acting_membership(user, case, {Role.LEADER}) and not petition.extended_days:
            forms["extend"] = bound.get("extend") or ExtendForm()
    for kind, (before, _after, roles, *_rest) in services.STEPS.items():
        if stage == before and acting_membership(user, case, roles):
            key = f"opinion-{kind}"
            forms["opinion"] = bound.get(key) or OpinionForm(kind=kind)
            forms["opinion_kind"] = kind
    for kind, (before, *_rest) in services.REQUESTS.items():
        if stage == before and acting_membership(user, case, CENTER_ROLES):
            ends = services.request_window_ends(petition, kind)
            if ends and now <= ends:
                forms["request"] = bound.get(f"request-{kind}") or RequestForm(kind=kind)
                forms["request_kind"] = kind
                forms["request_ends"] = ends
    return {
        "case": case,
        "petition": petition,
        "deadline": deadline,
        "late": bool(deadline and deadline.due_at < now),
        "opinions": list(petition.opinions.select_related("unit", "issued_by")),
        "forms": forms,
        "kinds": OpinionKind,
        **booking,
    }
