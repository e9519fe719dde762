"""What the mediation panel of a case page shows to one user, and which forms."""

import datetime

from cases.models import Case
from cases.services import acting_membership
from cases.workflow import HANDLING_ROLES, OPEN_STATUSES
from jiefen import clock

from . import selectors
from .forms import (
    AssignForm,
    ConfirmForm,
    DecisionForm,
    EndForm,
    RecordForm,
    RescheduleForm,
    ScanForm,
    ScheduleForm,
)
from .models import AgreementForm, Confirmation, Session
from .services import WORKING_STATUSES


def case_page_context(user, case: Case, bound: dict | None) -> dict:
    """The panel on the case page (cases.registry.CasePanel): as it is now."""
    return panel_context(user, case, clock.now(), bound)


def panel_context(user, case: Case, now: datetime.datetime, bound: dict | None = None) -> dict:
    """Everything the panel needs at `now`; `bound` holds a form that failed, by its prefix.

    A session not yet held can be moved while the case is open; it can be recorded once its
    time has come (record_session refuses it before).
    """
    bound = bound or {}
    can_act = acting_membership(user, case, HANDLING_ROLES) is not None
    working = case.status in WORKING_STATUSES
    is_open = case.status in OPEN_STATUSES or working
    sessions = list(case.mediation_sessions.select_related("case").order_by("number"))
    agreements = []
    for a in case.agreements.order_by("created_at"):
        conf = Confirmation.objects.filter(agreement=a).select_related("court").first()
        row = {"agreement": a, "confirmation": conf}
        if can_act and a.form == AgreementForm.WRITTEN and conf is None:
            row["confirm_form"] = bound.get(f"confirm-{a.pk}") or ConfirmForm(
                agreement=a, default=selectors.competent_court(case)
            )
        if conf and conf.filed_at and not conf.decision:
            row["decision_form"] = bound.get(f"decision-{conf.pk}") or DecisionForm(
                confirmation=conf
            )
        agreements.append(row)
    ctx = {
        "case": case,
        "can_act": can_act,
        "assignments": case.mediator_assignments.select_related("mediator__unit"),
        "sessions": [
            {
                "session": s,
                "upcoming": s.held_at is None and s.starts_at > now,
                "form": (bound.get(f"record-{s.pk}") or RecordForm(session=s))
                if can_act and working and s.held_at is None and s.starts_at <= now
                else None,
                "reschedule_form": (bound.get(f"reschedule-{s.pk}") or RescheduleForm(session=s))
                if can_act and is_open and s.held_at is None
                else None,
            }
            for s in sessions
        ],
        "agreements": agreements,
    }
    if can_act and is_open:
        ctx["assign_form"] = bound.get("assign") or AssignForm(
            user=user, case=case, candidates=selectors.propose_mediators(case, limit=8)
        )
        ctx["schedule_form"] = bound.get("schedule") or ScheduleForm()
    if can_act and working:
        ctx["end_form"] = bound.get("end") or EndForm()
    if can_act:
        ctx["scan_form"] = ScanForm()
    return ctx


def session_of(case: Case, pk: int) -> Session | None:
    return case.mediation_sessions.filter(pk=pk).first()
