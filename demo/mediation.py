"""Mediators, an expert pool and a hearing-officer pool, and one mediation under way."""

import datetime

from areas.models import UnitKind
from cases.models import Case, Category, Channel
from cases.services import perform_transition
from cases.workflow import Status
from mediation.models import Mediator, MediatorKind, Pool, PoolKind
from mediation.services import assign_mediators, schedule_session

from .county import Demo

D = datetime.timedelta(days=1)
H = datetime.timedelta(hours=1)


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
    # The demo's `mediator` account gets the mediation (its committee's case in handling, or
    # one its village center hands over now), so that logging in as the mediator shows it.
    mediator = demo.users["mediator"]
    committee = Mediator.objects.get(user=mediator).unit
    in_handling = Case.objects.filter(
        status=Status.IN_HANDLING, owner_unit__mediators__isnull=False
    ).order_by("-created_at")
    case = (
        in_handling.filter(owner_unit=committee).first()
        or hand_to_committee(demo, committee, now)
        or in_handling.first()
    )
    if case is None:
        return
    actor = demo.staff[case.owner_unit_id]
    own = Mediator.objects.filter(unit=case.owner_unit).values_list("pk", flat=True)
    assign_mediators(case, actor, now, list(own[:1]))
    schedule_session(case, actor, now, starts_at=now + D, place=f"{case.owner_unit.name}调解室")


def hand_to_committee(demo: Demo, committee, now: datetime.datetime) -> Case | None:
    """The village center accepts its latest case (not the court's), routes it to its
    mediation committee, and the committee's mediator takes it over (三事分流 to 人民调解)."""
    case = (
        Case.objects.filter(
            status__in=[Status.REGISTERED, Status.ACCEPTED],
            owner_unit__area=committee.area,
            category__isnull=False,
        )
        .exclude(channel=Channel.COURT)  # the court's morning batch stays for 批量受理
        .order_by("-created_at")
        .first()
    )
    if case is None:
        return None
    clerk = demo.staff[case.owner_unit_id]
    if case.status == Status.REGISTERED:
        perform_transition(case, "accept", clerk, now - 3 * H)
    perform_transition(
        case,
        "route",
        clerk,
        now - 2 * H,
        unit_id=committee.pk,
        override_reason="邻里纠纷，村人民调解委员会就近调解",
    )
    return perform_transition(case, "start", demo.users["mediator"], now - H)
