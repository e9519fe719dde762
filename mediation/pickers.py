"""The mediator pickers' sources: active mediators serving the case's area (or an area above
it), not already on the case; for 批量指派调解员, those who may serve every selected case."""

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext

from areas.models import Unit
from areas.pickers import UNIT_ORDER, ranked_units, search_units, unit_group, unit_label
from areas.selectors import is_administrator, units_in_scope
from cases.bulk import selected_cases
from cases.selectors import visible_case_or_404
from jiefen.pickers import Source, register

from .batch import batch_mediators, may_assign
from .manage_forms import MEDIATING_UNITS
from .models import Assignment, Mediator
from .selectors import with_load


def case_mediators(user, params):
    case = visible_case_or_404(user, params.get("case", ""))
    taken = Assignment.objects.filter(case=case, ended_at__isnull=True).values("mediator_id")
    ids = Mediator.objects.filter(is_active=True, areas__in=case.area.ancestor_ids).values("pk")
    return Mediator.objects.filter(pk__in=ids).exclude(pk__in=taken).select_related("unit")


def mediator_label(m: Mediator) -> str:
    return gettext("%(name)s · %(kind)s · %(unit)s") % {
        "name": m.name,
        "kind": m.get_kind_display(),
        "unit": m.unit.name if m.unit_id else "—",
    }


def search_mediators(qs, q: str):
    return qs.filter(Q(name__contains=q) | Q(unit__name__contains=q))


register(
    Source(
        name="case-mediator",
        rows=case_mediators,
        search=search_mediators,
        label=mediator_label,
        group=lambda m: m.get_kind_display(),
        order=("kind", "name"),
        params=("case",),
    )
)


def batch_case_mediators(user, params):
    """The selected cases the user may see (their codes comma-joined; others are not counted,
    as the batch does not act on them), and the mediators who may serve all of them."""
    if not may_assign(user):
        raise Http404
    cases, _unknown = selected_cases(user, (params.get("cases") or "").split(","))
    return with_load(batch_mediators(cases))


def loaded_mediator_label(m: Mediator) -> str:
    return gettext("%(name)s · %(kind)s · %(unit)s · %(load)s open cases") % {
        "name": m.name,
        "kind": m.get_kind_display(),
        "unit": m.unit.name if m.unit_id else "—",
        "load": m.load,
    }


register(
    Source(
        name="batch-mediator",
        rows=batch_case_mediators,
        search=search_mediators,
        label=loaded_mediator_label,
        group=lambda m: m.get_kind_display(),
        order=("kind", "name"),
        params=("cases",),
    )
)


def mediating_units(user, params):
    """The mediator form's units: active committees and centers in the administrator's scope,
    and the mediator's own unit even if it has since been deactivated."""
    if not is_administrator(user):
        raise Http404
    units = units_in_scope(user).filter(kind__in=MEDIATING_UNITS)
    mediator = params.get("mediator", "")
    own = Mediator.objects.filter(pk=int(mediator) if mediator.isdigit() else None)
    own = own.values("unit_id")
    return ranked_units(Unit.objects.filter(Q(pk__in=units.values("pk")) | Q(pk__in=own)))


register(
    Source(
        name="admin-mediating-unit",
        rows=mediating_units,
        search=search_units,
        label=unit_label,
        group=unit_group,
        order=UNIT_ORDER,
        params=("mediator",),
    )
)
