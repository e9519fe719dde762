"""The 吹哨 picker's source: the units the calling center may summon on a case."""

from django.http import Http404

from areas.pickers import UNIT_ORDER, ranked_units, search_units, unit_group, unit_label
from cases.errors import CaseError
from cases.selectors import visible_case_or_404
from jiefen.pickers import Source, register

from . import whistles
from .panel import summonable_units


def whistle_units(user, params):
    """Only a center that may blow the whistle on this (visible) case sees the units."""
    case = visible_case_or_404(user, params.get("case", ""))
    try:
        caller = whistles.caller_membership(user, case)
    except CaseError:
        raise Http404 from None
    return ranked_units(summonable_units(case, user, caller.unit_id))


register(
    Source(
        name="whistle-unit",
        rows=whistle_units,
        search=search_units,
        label=unit_label,
        group=unit_group,
        order=UNIT_ORDER,
        params=("case",),
    )
)
