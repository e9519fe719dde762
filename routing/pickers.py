"""The 批量分流 unit picker's source: the units the selected cases may be routed to."""

from django.http import Http404

from areas.pickers import UNIT_ORDER, ranked_units, search_units, unit_group, unit_label
from cases.bulk import selected_cases
from cases.bulk_actions import may_dispatch
from jiefen.pickers import Source, register

from .batch import batch_units


def codes_param(params) -> list[str]:
    """The selected cases' codes, as the batch form passes them (comma-joined)."""
    return (params.get("cases") or "").split(",")


def batch_route_units(user, params):
    """batch_units of the selected cases the user may see (others are not counted, as the
    batch itself does not act on them); only for those who route cases."""
    if not may_dispatch(user):
        raise Http404
    cases, _unknown = selected_cases(user, codes_param(params))
    return ranked_units(batch_units(user, cases))


register(
    Source(
        name="batch-route-unit",
        rows=batch_route_units,
        search=search_units,
        label=unit_label,
        group=unit_group,
        order=UNIT_ORDER,
        params=("cases",),
    )
)
