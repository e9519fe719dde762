"""Paused time limits in the demo: open cases waiting for a party's 容缺 materials, for an
appraisal, and one whose pause has ended (its due time moved by the paused working time)."""

import datetime

from cases.models import Case, MissingMaterial
from cases.services import pause_case, resume_case
from cases.workflow import Status
from clocks.models import Clock, DeadlineState
from jiefen.errors import ServiceError

from .county import Demo

PAUSES = [
    ("materials", "等待申请人补交房屋产权证明复印件（容缺受理时缺）", False),
    ("appraisal", "等待司法鉴定机构出具伤残等级鉴定意见", False),
    ("court", "等待人民法院对相关合同效力作出判决", True),
]


def build_time_limits(demo: Demo, now: datetime.datetime) -> None:
    """Pause the resolve clocks of a few cases in handling, each with its reason on record."""
    candidates = (
        Case.objects.filter(
            status=Status.IN_HANDLING,
            updated_at__lt=now - datetime.timedelta(days=4),
            deadlines__clock=Clock.RESOLVE,
            deadlines__state=DeadlineState.OPEN,
            deadlines__due_at__gt=now + datetime.timedelta(days=1),
        )
        .select_related("owner_unit__area", "area")
        .order_by("pk")
    )
    todo = list(PAUSES)
    for case in candidates:
        if not todo:
            return
        reason, note, ended = todo[0]
        actor = demo.staff.get(case.owner_unit_id)
        if actor is None:
            continue
        paused_at = now - datetime.timedelta(days=3 if ended else 1)
        try:
            if reason == "materials":
                MissingMaterial.objects.create(case=case, name="房屋产权证明复印件")
            pause_case(case, actor, reason, note, paused_at)
            if ended:
                resume_case(case, actor, now - datetime.timedelta(hours=20), "法院判决书已送达")
        except ServiceError:
            continue
        todo.pop(0)
