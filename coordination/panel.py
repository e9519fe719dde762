"""What the 吹哨报到 / 督办 panel of a case page shows to one user, and which forms."""

from areas.models import Membership, UnitKind
from cases.errors import CaseError
from cases.models import Case
from cases.services import routable_units
from cases.workflow import HANDLING_ROLES, OPEN_STATUSES

from . import whistles
from .forms import (
    AnswerForm,
    EvaluationForm,
    FeedbackForm,
    MeetingForm,
    ReleaseForm,
    SupervisionForm,
    WhistleForm,
)
from .supervision import supervisor_membership


def summonable_units(case: Case, actor, caller_unit_id: int):
    """Units a center can summon: any reachable unit that is not a governance center."""
    return (
        routable_units(case, actor)
        .exclude(kind=UnitKind.CENTER)
        .exclude(pk=caller_unit_id)
        .order_by("area__level", "name")
    )


def _caller_unit_id(user, case: Case) -> int | None:
    try:
        return whistles.caller_membership(user, case).unit_id
    except CaseError:
        return None


def panel_context(user, case: Case, bound: dict | None = None) -> dict:
    bound = bound or {}
    is_open = case.status in OPEN_STATUSES
    my_units = set(
        Membership.objects.filter(user=user, role__in=HANDLING_ROLES).values_list(
            "unit_id", flat=True
        )
    )
    caller_unit_id = _caller_unit_id(user, case) if is_open else None
    rows = []
    for w in case.whistles.select_related("caller_unit", "called_by").prefetch_related(
        "summonses__unit"
    ):
        # Only the step that is due, for each unit and role (the services refuse the rest).
        is_caller = not w.closed_at and caller_unit_id == w.caller_unit_id
        all_summonses = list(w.summonses.all())
        waiting = [s for s in all_summonses if not s.reported_at and not s.released_at]
        meeting_due = is_caller and not w.meeting_at and not waiting
        meeting = bound.get(f"meeting-{w.pk}") or (MeetingForm(whistle=w) if meeting_due else None)
        summonses = []
        for s in all_summonses:
            active = not w.closed_at and not s.released_at
            mine = active and s.unit_id in my_units
            ours = active and is_caller
            summonses.append(
                {
                    "summons": s,
                    "can_report": mine and not s.reported_at,
                    "feedback_form": bound.get(f"feedback-{s.pk}")
                    or (FeedbackForm(summons=s) if mine and s.task and not s.feedback_at else None),
                    "evaluation_form": bound.get(f"evaluate-{s.pk}")
                    or (
                        EvaluationForm(summons=s)
                        if ours and s.feedback_at and not s.evaluated_at
                        else None
                    ),
                    "release_form": bound.get(f"release-{s.pk}")
                    or (ReleaseForm(summons=s) if ours and not s.feedback_at else None),
                }
            )
        rows.append(
            {
                "whistle": w,
                "summonses": summonses,
                "meeting_form": meeting,
                # The caller sees whom the meeting waits for.
                "meeting_waits_for": waiting if is_caller and not w.meeting_at else [],
            }
        )
    whistle_form = None
    if caller_unit_id:
        whistle_form = bound.get("whistle") or WhistleForm(user=user, case=case)
    supervisions = [
        {
            "supervision": sv,
            "answer_form": bound.get(f"answer-{sv.pk}")
            or (
                AnswerForm(supervision=sv)
                if not sv.answered_at and sv.target_unit_id in my_units
                else None
            ),
        }
        for sv in case.supervisions.select_related("issuer_unit", "target_unit", "issued_by")
    ]
    supervision_form = None
    if is_open and supervisor_membership(user, case):
        supervision_form = bound.get("supervise") or SupervisionForm()
    return {
        "case": case,
        "whistles": rows,
        "whistle_form": whistle_form,
        "supervisions": supervisions,
        "supervision_form": supervision_form,
    }
