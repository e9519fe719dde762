"""The intake's area picker (the areas a user may register cases in, by code) and the route
picker (the units a case can be dispatched to, 三事分流)."""

from areas.models import Level
from areas.pickers import (
    UNIT_ORDER,
    area_label,
    ranked_units,
    search_areas,
    search_units,
    unit_group,
    unit_label,
)
from jiefen.pickers import Source, register

from .forms import registrable_areas
from .selectors import visible_case_or_404
from .services import routable_units


def case_route_units(user, params):
    """A case outside the user's scope is a 404, as everywhere."""
    case = visible_case_or_404(user, params.get("case", ""))
    return ranked_units(routable_units(case, user))


register(
    Source(
        name="route-unit",
        rows=case_route_units,
        search=search_units,
        label=unit_label,
        group=unit_group,
        order=UNIT_ORDER,
        params=("case",),
    )
)


register(
    Source(
        name="register-area",
        rows=lambda user, params: registrable_areas(user),
        search=search_areas,
        label=area_label,
        group=lambda a: Level(a.level).label,
        order=("level", "code"),
        key="code",
    )
)
