"""Who is told what when a deadline nears or passes, or a case moves up.

Keys make each notice idempotent: "deadline:<pk>:warn" reaches each recipient once, however
many sweeps see the row.
"""

import datetime

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from areas.models import Role, Unit
from cases.models import Case
from cases.workflow import CENTER_ROLES, HANDLING_ROLES
from clocks.models import Deadline
from jiefen.localtime import minute
from notifications.models import Kind
from notifications.services import Notice, memo, notify, notify_many, unit_leaders, unit_staff

# Who works a case day to day; leaders hear of it only when a deadline is missed.
WORKING_ROLES = HANDLING_ROLES - {Role.LEADER}


def responsible_users(deadline: Deadline) -> set:
    """The working staff of the unit that owes the deadline, and the grid worker who
    reported a case still at grid level."""
    users = set(unit_staff(deadline.unit, WORKING_ROLES))
    case = deadline.case
    if deadline.unit_id == case.owner_unit_id and _is_grid_worker(case.reporter, deadline.unit):
        users.add(case.reporter)
    return users


def remind_notice(deadline: Deadline) -> Notice:
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Due soon: %(clock)s %(due)s — %(case)s") % {
            "clock": deadline.get_clock_display(),
            "due": minute(deadline.due_at),
            "case": deadline.case.title,
        }
    return Notice(
        responsible_users(deadline),
        kind=Kind.REMINDER,
        title=title,
        body=deadline.case.code,
        key=f"deadline:{deadline.pk}:warn",
        case=deadline.case,
    )


def overdue_notice(deadline: Deadline) -> Notice:
    with translation.override(settings.LANGUAGE_CODE):
        title = _("Overdue: %(clock)s %(due)s passed — %(unit)s, %(case)s") % {
            "clock": deadline.get_clock_display(),
            "due": minute(deadline.due_at),
            "unit": deadline.unit.name,
            "case": deadline.case.title,
        }
    return Notice(
        responsible_users(deadline) | set(unit_leaders(deadline.unit)),
        kind=Kind.OVERDUE,
        title=title,
        body=deadline.case.code,
        key=f"deadline:{deadline.pk}:overdue",
        case=deadline.case,
    )


def remind(deadline: Deadline, now: datetime.datetime) -> int:
    return notify_many([remind_notice(deadline)], now)


def overdue(deadline: Deadline, now: datetime.datetime) -> int:
    return notify_many([overdue_notice(deadline)], now)


def escalated(
    case: Case, from_unit: Unit, to_unit: Unit, reason: str, event_pk: int, now: datetime.datetime
) -> int:
    """The upper center gets the case; the lower unit is told it moved (it keeps read access)."""
    with translation.override(settings.LANGUAGE_CODE):
        why = _("attempts used up") if reason == "attempts" else _("time limit passed")
        to_title = _("Escalated to you (%(why)s): %(case)s") % {"why": why, "case": case.title}
        from_title = _("Moved up to %(unit)s (%(why)s): %(case)s") % {
            "unit": to_unit.name,
            "why": why,
            "case": case.title,
        }
    sent = notify(
        unit_staff(to_unit, CENTER_ROLES),
        kind=Kind.ESCALATED,
        title=to_title,
        body=case.code,
        key=f"escalated:{event_pk}:to",
        now=now,
        case=case,
    )
    if from_unit.pk == to_unit.pk:
        # Grid → village: the center already owned it; the grid worker who had it is told.
        losing = [case.reporter] if _is_grid_worker(case.reporter, from_unit) else []
    else:
        losing = unit_staff(from_unit, HANDLING_ROLES)
    return sent + notify(
        losing,
        kind=Kind.ESCALATED,
        title=from_title,
        body=case.code,
        key=f"escalated:{event_pk}:from",
        now=now,
        case=case,
    )


def _is_grid_worker(user, unit: Unit) -> bool:
    if not user:
        return False
    return memo(
        ("grid_worker", user.pk, unit.pk),
        lambda: user.memberships.filter(unit=unit, role=Role.GRID_WORKER).exists(),
    )
