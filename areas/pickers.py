"""The area and unit pickers' sources (jiefen.pickers): what each user may choose from."""

from django.db.models import Case, IntegerField, Q, Value, When
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from jiefen.pickers import Source, register

from .models import Area, Level, Unit, UnitKind
from .selectors import is_administrator, units_in_scope, visible_areas

# Units are grouped the way a clerk looks for them: centers, departments, committees, and the
# courts, procuratorate and police.
UNIT_GROUPS = {
    UnitKind.CENTER: (0, _("governance centers")),
    UnitKind.DEPARTMENT: (1, _("functional departments")),
    UnitKind.MEDIATION_COMMITTEE: (2, _("mediation committees")),
    UnitKind.PRO_MEDIATION: (2, _("mediation committees")),
    UnitKind.COURT: (3, _("courts, procuratorate and police")),
    UnitKind.TRIBUNAL: (3, _("courts, procuratorate and police")),
    UnitKind.PROCURATORATE: (3, _("courts, procuratorate and police")),
    UnitKind.POLICE: (3, _("courts, procuratorate and police")),
}


def unit_group(unit: Unit) -> str:
    return str(UNIT_GROUPS[unit.kind][1]) if unit.kind in UNIT_GROUPS else unit.get_kind_display()


def unit_label(unit: Unit) -> str:
    return f"{unit.name}（{unit.area.name}）"


def ranked_units(qs):
    """Units with `group_rank` annotated (the order of UNIT_GROUPS) for ordering."""
    return qs.select_related("area").annotate(
        group_rank=Case(
            *[When(kind=k, then=Value(rank)) for k, (rank, _label) in UNIT_GROUPS.items()],
            default=Value(9),
            output_field=IntegerField(),
        )
    )


def search_units(qs, q: str):
    return qs.filter(Q(name__contains=q) | Q(area__name__contains=q) | Q(area__code__startswith=q))


def search_areas(qs, q: str):
    return qs.filter(Q(name__contains=q) | Q(code__startswith=q))


def area_label(area: Area) -> str:
    return f"{area.name}（{area.code}）"


def _admin_only(user):
    if not is_administrator(user):
        raise Http404


def _admin_areas(user, params):
    _admin_only(user)
    return visible_areas(user)


def _admin_units(user, params):
    _admin_only(user)
    return ranked_units(units_in_scope(user))


UNIT_ORDER = ("group_rank", "area__level", "area__code", "name")

register(
    Source(
        name="area",
        rows=lambda user, params: visible_areas(user),
        search=search_areas,
        label=area_label,
        group=lambda a: Level(a.level).label,
        order=("level", "code"),
    )
)
register(
    Source(
        name="unit",
        rows=lambda user, params: ranked_units(units_in_scope(user)),
        search=search_units,
        label=unit_label,
        group=unit_group,
        order=UNIT_ORDER,
    )
)
# The administration pages: the same scope, for administrators only.
register(
    Source(
        name="admin-area",
        rows=_admin_areas,
        search=search_areas,
        label=area_label,
        group=lambda a: Level(a.level).label,
        order=("level", "code"),
    )
)
# The area pages name areas by their code (a unit's area, an area's parent).
register(
    Source(
        name="admin-area-code",
        rows=_admin_areas,
        search=search_areas,
        label=area_label,
        group=lambda a: Level(a.level).label,
        order=("level", "code"),
        key="code",
    )
)
register(
    Source(
        name="admin-unit",
        rows=_admin_units,
        search=search_units,
        label=unit_label,
        group=unit_group,
        order=UNIT_ORDER,
    )
)
