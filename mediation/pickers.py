"""The mediator picker's source: active mediators serving the case's area (or an area above
it), not already on the case."""

from django.db.models import Q
from django.utils.translation import gettext

from cases.selectors import visible_case_or_404
from jiefen.pickers import Source, register

from .models import Assignment, Mediator


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


register(
    Source(
        name="case-mediator",
        rows=case_mediators,
        search=lambda qs, q: qs.filter(Q(name__contains=q) | Q(unit__name__contains=q)),
        label=mediator_label,
        group=lambda m: m.get_kind_display(),
        order=("kind", "name"),
        params=("case",),
    )
)
