"""Mediators, an expert pool and a hearing-officer pool, and one mediation under way."""

import datetime

from areas.models import UnitKind
from cases.models import Case, Category
from cases.workflow import Status
from mediation.models import Mediator, MediatorKind, Pool, PoolKind
from mediation.services import assign_mediators, schedule_session

from .county import Demo

D = datetime.timedelta(days=1)


def build_mediation(demo: Demo, now: datetime.datetime) -> None:
    """Mediator profiles for the committees' staff, an expert pool and a hearing-officer pool,
    and one case in handling with its mediator assigned and a session scheduled."""
    for unit in demo.units.values():
        staff = demo.staff.get(unit.pk)
        if unit.kind == UnitKind.MEDIATION_COMMITTEE and staff is not None:
            m = Mediator.objects.create(
                user=staff,
                name=staff.get_full_name() or staff.username,
                unit=unit,
                kind=MediatorKind.PEOPLE,
            )
            m.areas.set([unit.area])
    county = demo.county
    experts = Pool.objects.create(name="青山县人民调解专家库", kind=PoolKind.EXPERT, area=county)
    hearing = Pool.objects.create(name="青山县检察听证员库", kind=PoolKind.HEARING, area=county)
    for name, kind, profession, codes, pool in [
        ("周律师", MediatorKind.EXPERT, "lawyer", ["04", "06"], experts),
        ("吴医生", MediatorKind.EXPERT, "doctor", ["06"], experts),
        ("郑心理咨询师", MediatorKind.EXPERT, "psychologist", ["01"], experts),
        ("冯工程师", MediatorKind.EXPERT, "engineer", ["02", "03"], experts),
        ("陈听证员", MediatorKind.HEARING, "retired", [], hearing),
        ("褚听证员", MediatorKind.HEARING, "teacher", [], hearing),
    ]:
        m = Mediator.objects.create(name=name, kind=kind, profession=profession)
        m.areas.set([county])
        m.specialities.set(Category.objects.filter(code__in=codes))
        m.pools.add(pool)
    # The demo's `mediator` account gets the mediation when its committee has a case in
    # handling, so that logging in as the mediator shows the work; otherwise the latest one.
    own_unit = demo.users["mediator"].memberships.values("unit_id")
    in_handling = Case.objects.filter(
        status=Status.IN_HANDLING, owner_unit__mediators__isnull=False
    ).order_by("-created_at")
    case = in_handling.filter(owner_unit__in=own_unit).first() or in_handling.first()
    if case is None:
        return
    actor = demo.staff[case.owner_unit_id]
    own = Mediator.objects.filter(unit=case.owner_unit).values_list("pk", flat=True)
    assign_mediators(case, actor, now, list(own[:1]))
    schedule_session(case, actor, now, starts_at=now + D, place=f"{case.owner_unit.name}调解室")
