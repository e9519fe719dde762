"""The case page and the case table, which other apps' pages show too: the case page comes
back with their bound forms in its panels (`render_case_page`), the table lists the cases
behind a figure (`case_table_page`)."""

import datetime

import segno
from django.core.paginator import Page
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.models import Level
from clocks.models import Complexity, Deadline, DeadlineState
from jiefen import clock
from jiefen.identity import mask_id_number, mask_phone
from jiefen.pagination import page_of
from jiefen.panels import run_panel_action

from . import attachments, services
from .forms import (
    SATISFACTION_CHOICES,
    AttachmentForm,
    ComplexityForm,
    PauseForm,
    ResumeForm,
    TransitionForm,
)
from .models import PauseReason, ResumedHow, TriageClass
from .registry import event_label, propose_route
from .workflow import Status

PAGE_SIZE = 25
PAGE_SIZES = (25, 50, 100)  # ?per= on the queue and the list: a court's batch on one page
CHANGE_LABELS = {
    "status": gettext_lazy("status"),
    "owner_unit": gettext_lazy("handling unit"),
    "level": gettext_lazy("handling level"),
}

# Details an action stores in its event's data that the timeline shows.
DATA_LABELS = {
    "triage_class": gettext_lazy("triage"),
    "proposed_unit": gettext_lazy("proposed unit"),
    "subject_unit": gettext_lazy("subject-matter unit"),
    "override_reason": gettext_lazy("reason for not following the proposal"),
    "returned_to": gettext_lazy("returned to"),
    "satisfaction": gettext_lazy("satisfaction"),
    "agreement": gettext_lazy("what the parties agreed"),
    "units": gettext_lazy("units"),
    "unit": gettext_lazy("unit"),
    "score": gettext_lazy("score"),
    "complexity_before": gettext_lazy("complexity before"),
    "complexity": gettext_lazy("complexity"),
    "pause_reason": gettext_lazy("reason for the pause"),
    "resumed_how": gettext_lazy("resumed by"),
    "paused_hours": gettext_lazy("paused working hours"),
}
DATA_VALUES = {
    **dict(TriageClass.choices),
    **dict(SATISFACTION_CHOICES),
    **dict(Complexity.choices),
    **dict(PauseReason.choices),
    **dict(ResumedHow.choices),
}


def page_size(request) -> int:
    per = request.GET.get("per", "")
    return int(per) if per in {str(n) for n in PAGE_SIZES} else PAGE_SIZE


def case_table_page(request, qs, count: int | None = None) -> Page:
    """One page of cases, each with a masked summary of its parties for the table (`count`:
    how many cases `qs` has, when the caller already knows)."""
    page = page_of(request, qs.prefetch_related("parties"), page_size(request), count)
    for case in page:
        case.party_summary = ", ".join(
            f"{p.name} {mask_phone(p.phone)}".strip() for p in case.parties.all()
        )
    return page


def _party_rows(parties, full: bool):
    return [
        {
            "party": p,
            "id_number": p.id_number if full else mask_id_number(p.id_number),
            "phone": p.phone if full else mask_phone(p.phone),
        }
        for p in parties
    ]


def _change_rows(event):
    """Before → after of the case's status, handling unit and level, then the action's details."""
    rows = []
    for key, (before, after) in (event.data.get("changes") or {}).items():
        if key == "status":
            before, after = Status(before).label, Status(after).label
        elif key == "level":
            before, after = Level(before).label, Level(after).label
        rows.append((CHANGE_LABELS.get(key, key), before, after))
    for key, label in DATA_LABELS.items():
        value = event.data.get(key)
        if isinstance(value, list):
            rows.append((label, None, "、".join(map(str, value))))
        elif value:
            rows.append((label, None, DATA_VALUES.get(value, value)))
    return rows


def transition_form(request, case, transition, data=None):
    """The form of one action, with the choices and the triage proposal it needs."""
    proposal = None
    if transition.name in ("route", "guide"):
        proposal = propose_route(case)
    return TransitionForm(
        data, transition=transition, case=case, user=request.user, proposal=proposal
    )


def _transition_forms(request, case, bound=None):
    return [
        bound
        if bound is not None and bound.transition.name == t.name
        else transition_form(request, case, t)
        for t in services.allowed_transitions(request.user, case)
    ]


def render_case_page(
    request, case, *, bound_action=None, attachment_form=None, extra=None, status=200
):
    """The case page; `extra` carries other apps' bound forms back to their panels."""
    now = clock.now()
    full = services.open_case_record(
        case, request.user, "web", request.META.get("REMOTE_ADDR"), now
    )
    parties = list(case.parties.all())
    events = case.timeline.select_related("actor", "actor_unit")
    short_url = request.build_absolute_uri(reverse("portal:track", args=[case.code]))
    context = {
        "case": case,
        "parties": _party_rows(parties, full),
        "full_record": full,
        "attachments": case.attachments.all(),
        "viewable_types": attachments.INLINE_TYPES,
        "image_types": attachments.IMAGE_TYPES,
        "attachment_form": attachment_form or AttachmentForm(),
        "materials": case.missing_materials.all(),
        "deadlines": [
            (d, d.state == DeadlineState.OPEN and d.due_at < now)
            for d in Deadline.objects.filter(case=case).select_related("unit")
        ],
        "events": [(e, event_label(e.kind), _change_rows(e)) for e in events],
        "transition_forms": _transition_forms(request, case, bound_action),
        **_clock_context(request, case, extra or {}),
        "qr_svg": segno.make(short_url, micro=False).svg_inline(scale=3),
        "short_url": short_url,
        **(extra or {}),
    }
    return render(request, "cases/detail.html", context, status=status)


def duration_text(span: datetime.timedelta) -> str:
    """A paused working time as a reader says it: 1 天 6 小时 20 分."""
    minutes = int(span.total_seconds()) // 60
    days, rest = divmod(minutes, 24 * 60)
    return _("%(days)d d %(hours)d h %(minutes)d min") % {
        "days": days,
        "hours": rest // 60,
        "minutes": rest % 60,
    }


def _clock_context(request, case, bound: dict) -> dict:
    """The case's complexity and pauses, with the forms the user may use on them."""
    pauses = list(case.pauses.select_related("paused_by", "resumed_by"))
    for p in pauses:
        p.working_text = duration_text(p.working_time) if p.working_time is not None else ""
    paused = next((p for p in pauses if p.resumed_at is None), None)
    running = case.accepted_at is not None and case.closed_at is None
    may_pause = running and (
        services.acting_membership(request.user, case, services.PAUSE_ROLES) is not None
    )
    may_classify = running and (
        services.acting_membership(request.user, case, services.COMPLEXITY_ROLES) is not None
    )
    return {
        "pauses": pauses,
        "open_pause": paused,
        "paused_total": duration_text(
            sum((p.working_time for p in pauses if p.working_time), datetime.timedelta())
        ),
        "pause_form": (bound.get("pause_form") or PauseForm())
        if may_pause and not paused
        else None,
        "resume_form": (bound.get("resume_form") or ResumeForm()) if may_pause and paused else None,
        "complexity_form": (
            (
                bound.get("complexity_form")
                or ComplexityForm(initial={"complexity": case.complexity})
            )
            if may_classify
            else None
        ),
    }


def run_case_panel_action(request, case, form, call, done: str, bound_key: str):
    """A panel's action on the case page (jiefen.panels.run_panel_action): back to the case
    page when the service succeeds; otherwise the case page again, with the bound form handed
    to the panel under its `bound_key` (CasePanel.bound_key)."""
    return run_panel_action(
        request,
        form,
        call,
        success=done,
        next_url=reverse("cases:detail", args=[case.code]),
        show_again=lambda bound: render_case_page(request, case, extra={bound_key: bound}),
    )
