"""Who a user is in the area tree: the one place that turns memberships into a scope."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from .models import Area, Membership, Role, Unit, UnitKind


@dataclass(frozen=True)
class Scope:
    """What a user may see: area subtrees (by path prefix) and linked units."""

    area_paths: tuple[str, ...] = ()
    unit_ids: frozenset[int] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)
    is_superuser: bool = False

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.roles.intersection(roles))

    def covers_area(self, area: Area) -> bool:
        return self.is_superuser or any(area.path.startswith(p) for p in self.area_paths)


def memberships_of(user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, unit__is_active=True).select_related(
        "unit", "unit__area", "area"
    )


def scope_of(user) -> Scope:
    """The scope of a user, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return Scope()
    cached = getattr(user, "_jiefen_scope", None)
    if cached is not None:
        return cached
    paths: list[str] = []
    units: set[int] = set()
    roles: set[str] = set()
    for m in memberships_of(user):
        units.add(m.unit_id)
        roles.add(m.role)
        if m.unit.is_territorial:
            paths.append(m.scope_area.path)
    # Drop paths already covered by a shorter one.
    paths.sort(key=len)
    kept: list[str] = []
    for p in paths:
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    scope = Scope(tuple(kept), frozenset(units), frozenset(roles), user.is_superuser)
    user._jiefen_scope = scope
    return scope


def area_subtree_q(paths: tuple[str, ...], prefix: str = "") -> Q:
    """Q matching areas (or rows with an area FK at `prefix`) inside any of the subtrees."""
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{prefix}path__startswith": p})
    return q


def visible_areas(user) -> QuerySet[Area]:
    scope = scope_of(user)
    if scope.is_superuser:
        return Area.objects.all()
    return Area.objects.filter(area_subtree_q(scope.area_paths))


def primary_membership(user) -> Membership | None:
    """The membership a user acts from by default: the highest-level one."""
    ms = sorted(memberships_of(user), key=lambda m: (m.scope_area.level, m.pk))
    return ms[0] if ms else None


def units_in_scope(user) -> QuerySet[Unit]:
    scope = scope_of(user)
    if scope.is_superuser:
        return Unit.objects.filter(is_active=True)
    return Unit.objects.filter(is_active=True).filter(
        area_subtree_q(scope.area_paths, "area__") | Q(pk__in=scope.unit_ids)
    )


def is_administrator(user) -> bool:
    return user.is_superuser or scope_of(user).has_role(Role.ADMIN)


def nearest_unit(area: Area, kind: str, speciality: str = "") -> Unit | None:
    """The active unit of this kind (and speciality) of the area, or of its nearest ancestor."""
    ids = area.ancestor_ids
    qs = Unit.objects.filter(area_id__in=ids, kind=kind, is_active=True)
    if speciality:
        qs = qs.filter(speciality=speciality)
    by_area: dict[int, Unit] = {}
    for unit in qs.order_by("pk"):
        by_area.setdefault(unit.area_id, unit)
    return next((by_area[i] for i in reversed(ids) if i in by_area), None)


def center_for_area(area: Area) -> Unit | None:
    """The comprehensive governance center of this area, or of its nearest ancestor."""
    return nearest_unit(area, UnitKind.CENTER)
