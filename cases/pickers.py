"""The route picker's source: the units a case can be dispatched to (三事分流)."""

from areas.pickers import UNIT_ORDER, ranked_units, search_units, unit_group, unit_label
from jiefen.pickers import Source, register

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
