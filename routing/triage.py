"""三事分流: propose where a case goes, from the administrator's routing rules."""

from django.db.models import Q

from areas.models import Area, Unit
from areas.selectors import nearest_unit
from cases.models import Case
from cases.registry import RouteProposal as Proposal

from .models import RoutingRule


def _matches(rule: RoutingRule, case: Case) -> bool:
    if rule.area_id and not case.area.path.startswith(rule.area.path):
        return False
    if rule.category_id and not (
        case.category and case.category.code.startswith(rule.category.code)
    ):
        return False
    if rule.min_scale and case.scale < rule.min_scale:
        return False
    if rule.min_people is not None and case.people_involved < rule.min_people:
        return False
    if rule.min_amount is not None and (case.amount_involved or 0) < rule.min_amount:
        return False
    return True


def find_unit(area: Area, kind: str, speciality: str = "", level: int | None = None) -> Unit | None:
    """The nearest active unit of this kind (and speciality) at or above the area; with
    `level`, only the one of the area at that level: "the county's labour department"."""
    if level is None:
        return nearest_unit(area, kind, speciality)
    target = area.ancestor_at_level(level)
    qs = Unit.objects.filter(kind=kind, is_active=True, area=target)
    if speciality:
        qs = qs.filter(speciality=speciality)
    return qs.order_by("pk").first() if target else None


def propose(case: Case) -> Proposal:
    """The first matching active rule's proposal, or an empty one."""
    rules = (
        RoutingRule.objects.filter(is_active=True)
        .filter(Q(area__isnull=True) | Q(area_id__in=[a.pk for a in case.area.ancestors()]))
        .select_related("area", "category", "target_unit")
    )
    for rule in rules:
        if not _matches(rule, case):
            continue
        unit = rule.target_unit
        if unit is None and rule.target_kind:
            unit = find_unit(case.area, rule.target_kind, rule.target_speciality, rule.target_level)
        subject = None
        if rule.subject_kind:
            subject = find_unit(case.area, rule.subject_kind, rule.subject_speciality)
        return Proposal(
            unit=unit,
            triage_class=rule.triage_class,
            subject_unit=subject,
            rule=rule,
            guidance=rule.guidance,
        )
    return Proposal()
