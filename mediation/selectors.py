"""Reads for mediation: mediators' load, the proposal of mediators for a case, my mediations."""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from areas.models import Area, UnitKind
from areas.selectors import nearest_unit
from cases.models import Case
from cases.workflow import OPEN_STATUSES

from .models import Assignment, Mediator, Pool, Session


def open_assignments() -> QuerySet[Assignment]:
    """Assignments still running on cases that are still open."""
    return Assignment.objects.filter(ended_at__isnull=True, case__status__in=OPEN_STATUSES)


def with_load(qs: QuerySet[Mediator]) -> QuerySet[Mediator]:
    """Annotate `load`: the mediator's open assignments on open cases."""
    counts = (
        open_assignments()
        .filter(mediator=OuterRef("pk"))
        .order_by()
        .values("mediator")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(load=Coalesce(Subquery(counts, output_field=IntegerField()), Value(0)))


@dataclass
class Candidate:
    mediator: Mediator
    category_match: int  # 2 the exact category, 1 its major category, 0 none
    served_area: Area  # the nearest area served that contains the case's area
    load: int


def _category_match(mediator: Mediator, code: str) -> int:
    codes = {c.code for c in mediator.specialities.all()}
    if code and code in codes:
        return 2
    return int(bool(code) and code[:2] in codes)


def propose_mediators(case: Case, limit: int = 5) -> list[Candidate]:
    """The best few active mediators for a case: category match first, then the area served
    nearest to the case's area, then the lowest current load."""
    chain = case.area.ancestor_ids  # root first, the case's own area last
    depth = {area_id: i for i, area_id in enumerate(chain)}
    taken = Assignment.objects.filter(case=case, ended_at__isnull=True).values("mediator_id")
    qs = (
        with_load(Mediator.objects.filter(is_active=True, areas__in=chain).distinct())
        .exclude(pk__in=taken)
        .prefetch_related("specialities", "areas")
        .select_related("unit")
    )
    code = case.category.code if case.category_id else ""
    candidates = []
    for m in qs:
        served = max((a for a in m.areas.all() if a.pk in depth), key=lambda a: depth[a.pk])
        candidates.append(Candidate(m, _category_match(m, code), served, m.load))
    candidates.sort(
        key=lambda c: (-c.category_match, -depth[c.served_area.pk], c.load, c.mediator.name)
    )
    return candidates[:limit]


def mediators(
    *, kind: str = "", pool: Pool | None = None, profession: str = "", q: str = ""
) -> QuerySet[Mediator]:
    """The directory (mediators, experts, hearing officers) with the list page's filters."""
    qs = with_load(Mediator.objects.filter(is_active=True)).select_related("unit")
    if kind:
        qs = qs.filter(kind=kind)
    if pool is not None:
        qs = qs.filter(pools=pool)
    if profession:
        qs = qs.filter(profession=profession)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(unit__name__icontains=q))
    return qs.prefetch_related("specialities", "areas", "pools").order_by("kind", "name")


def my_assignments(user) -> QuerySet[Assignment]:
    """The mediations of the mediator profile linked to `user`, open ones first."""
    return (
        Assignment.objects.filter(mediator__user=user)
        .select_related("case__area", "case__owner_unit", "mediator")
        .order_by("ended_at", "-assigned_at")
    )


def next_sessions(case: Case) -> QuerySet[Session]:
    return case.mediation_sessions.filter(held_at__isnull=True).order_by("starts_at")


def competent_court(case: Case):
    """The court for 司法确认: the nearest people's tribunal or basic court up the case's area."""
    found = [u for k in (UnitKind.TRIBUNAL, UnitKind.COURT) if (u := nearest_unit(case.area, k))]
    depth = {area_id: i for i, area_id in enumerate(case.area.ancestor_ids)}
    return max(found, key=lambda u: depth[u.area_id], default=None)
