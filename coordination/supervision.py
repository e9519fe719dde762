"""督办: a supervisor (an upper-level center, or the handling unit's own leader) issues a
notice with its own deadline; the handling unit answers it. Reminder and overdue notices
come from the sweep like for any clock."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from areas.models import Membership, Role
from cases.errors import InvalidInput, NotAllowed
from cases.models import Case
from cases.services import acting_membership, append_event
from cases.workflow import CENTER_ROLES, HANDLING_ROLES, OPEN_STATUSES
from clocks import deadlines
from clocks.models import Clock
from jiefen.localtime import minute
from notifications.models import Kind
from notifications.services import notify, unit_leaders, unit_staff

from .models import Supervision


def supervisor_membership(actor, case: Case) -> Membership | None:
    """A center above the handling unit, or a leader of the handling unit itself."""
    m = acting_membership(actor, case, CENTER_ROLES)
    if m is None:
        return None
    if m.unit_id != case.owner_unit_id or m.role == Role.LEADER:
        return m
    return None


def issue_supervision(
    case: Case, actor, instruction: str, due_at: datetime.datetime | None, now: datetime.datetime
) -> Supervision:
    instruction = (instruction or "").strip()
    errors = {}
    if not instruction:
        errors["instruction"] = _("Write what must be done.")
    if due_at is None or due_at <= now:
        errors["due_at"] = _("The answer must be due in the future.")
    if errors:
        raise InvalidInput(_("Please correct the supervision notice."), errors)
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("owner_unit__area", "area")
            .get(pk=case.pk)
        )
        if case.status not in OPEN_STATUSES:
            raise InvalidInput(_("Only an open case can be supervised."))
        m = supervisor_membership(actor, case)
        if m is None:
            raise NotAllowed(_("Only an upper-level center or the unit's leader can supervise."))
        target = case.owner_unit
        supervision = Supervision.objects.create(
            case=case,
            issued_by=actor,
            issuer_unit=m.unit,
            target_unit=target,
            instruction=instruction,
            issued_at=now,
            due_at=due_at,
        )
        deadlines.close_deadlines(case, [Clock.SUPERVISE], now, unit=target)
        deadlines.open_deadline(case, Clock.SUPERVISE, target, now, due_at=due_at)
        append_event(
            case,
            "supervision",
            now,
            actor=actor,
            actor_unit=m.unit,
            note=instruction,
            data={"unit": target.name, "due_at": due_at.isoformat()},
        )
        notify(
            set(unit_staff(target, HANDLING_ROLES)) | set(unit_leaders(target)),
            kind=Kind.SUPERVISION,
            title=_("Supervision notice from %(unit)s, answer by %(due)s: %(case)s")
            % {"unit": m.unit.name, "due": minute(due_at), "case": case.title},
            body=instruction,
            key=f"supervision:{supervision.pk}",
            now=now,
            case=case,
        )
    return supervision


def answer_supervision(
    supervision: Supervision, actor, answer: str, now: datetime.datetime
) -> Supervision:
    answer = (answer or "").strip()
    if not answer:
        raise InvalidInput(_("Please write your answer."), {"answer": _("Required.")})
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).get(pk=supervision.case_id)
        supervision = Supervision.objects.select_related("target_unit", "issuer_unit").get(
            pk=supervision.pk
        )
        if supervision.answered_at:
            raise InvalidInput(_("This supervision notice is already answered."))
        m = Membership.objects.filter(
            user=actor, unit=supervision.target_unit, role__in=HANDLING_ROLES
        ).first()
        if m is None:
            raise NotAllowed(_("Only the supervised unit answers."))
        supervision.answer, supervision.answered_at, supervision.answered_by = answer, now, actor
        supervision.save()
        deadlines.close_deadlines(case, [Clock.SUPERVISE], now, unit=supervision.target_unit)
        append_event(
            case,
            "supervision_answered",
            now,
            actor=actor,
            actor_unit=m.unit,
            note=answer,
            data={"late": now > supervision.due_at},
        )
        notify(
            [supervision.issued_by],
            kind=Kind.SUPERVISION,
            title=_("Supervision answered by %(unit)s: %(case)s")
            % {"unit": supervision.target_unit.name, "case": case.title},
            body=answer,
            key=f"supervision:{supervision.pk}:answer",
            now=now,
            case=case,
        )
    return supervision
