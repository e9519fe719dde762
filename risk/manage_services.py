"""An administrator keeps the risk configuration: the grade rules, the response plan of each
colour (应急处置预案), the key persons' risk tags and the centers' 研判 schedules.

Each write checks that the actor administers, and for what has an area (a rule limited to an
area, a center's schedule) that the area is within the actor's scope; it validates, and writes
in one transaction. A refusal is an AdminError with Chinese field errors; nothing is written.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from areas.models import Area, Unit, UnitKind
from areas.selectors import area_subtree_q, scope_of
from areas.services import AdminError, SystemActor, require_admin
from cases.models import Category

from .models import Grade, MeetingSchedule, RiskPlan, RiskRule, RiskTag, RuleKind

PLAN_GRADES = (Grade.RED, Grade.ORANGE, Grade.YELLOW)


def covers(actor, area: Area | None) -> bool:
    """Whether the administrator's scope covers `area` (None: a rule for every case, which
    any administrator keeps, as the routing rules)."""
    if area is None or isinstance(actor, SystemActor):
        return True
    scope = scope_of(actor)
    return scope.is_superuser or scope.covers_area(area)


def rules_for(actor):
    """The rules an administrator sees: those for every case and those of areas in scope."""
    qs = RiskRule.objects.select_related("area")
    scope = scope_of(actor)
    if scope.is_superuser:
        return qs
    return qs.filter(area_subtree_q(scope.area_paths, "area__") | Q(area__isnull=True))


def schedules_for(actor):
    qs = MeetingSchedule.objects.select_related("center__area")
    scope = scope_of(actor)
    if scope.is_superuser:
        return qs
    return qs.filter(area_subtree_q(scope.area_paths, "center__area__"))


def centers_for(actor):
    qs = Unit.objects.filter(kind=UnitKind.CENTER, is_active=True).select_related("area")
    scope = scope_of(actor)
    if not scope.is_superuser:
        qs = qs.filter(area_subtree_q(scope.area_paths, "area__"))
    return qs.order_by("area__path")


# ---------------------------------------------------------------- grade rules


@dataclass
class RuleInput:
    name: str
    kind: str
    grade: str
    threshold: Decimal | None = None
    words: str = ""
    category_code: str = ""
    area: Area | None = None
    is_active: bool = True


THRESHOLD_KINDS = {RuleKind.SCALE, RuleKind.PEOPLE, RuleKind.AMOUNT, RuleKind.REPEAT}
WORD_KINDS = {RuleKind.THREAT, RuleKind.CRIMINAL}


def rule_errors(actor, data: RuleInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    name = (data.name or "").strip()
    if not name:
        errors["name"] = _("Enter the name.")
    elif len(name) > 100:
        errors["name"] = _("At most 100 characters.")
    if data.kind not in RuleKind.values:
        errors["kind"] = _("Choose the kind of rule.")
    if data.grade not in PLAN_GRADES:
        errors["grade"] = _("Choose red, orange or yellow.")
    t = data.threshold
    if data.kind in THRESHOLD_KINDS:
        if t is None:
            errors["threshold"] = _("This kind of rule needs a threshold.")
        elif data.kind == RuleKind.SCALE and t not in (2, 3):
            errors["threshold"] = _("The scale is 2 (一般群体性) or 3 (重大群体性).")
        elif t < 1:
            errors["threshold"] = _("At least 1.")
    if data.kind in WORD_KINDS and not RiskRule(words=data.words or "").word_list():
        errors["words"] = _("Give at least one word, separated by 、.")
    if len(data.words or "") > 400:
        errors["words"] = _("At most 400 characters.")
    if data.kind == RuleKind.CATEGORY:
        code = (data.category_code or "").strip()
        if not code:
            errors["category_code"] = _("Give the category code, e.g. 03 or 0301.")
        elif not Category.objects.filter(code__startswith=code).exists():
            errors["category_code"] = _("No dispute category has this code.")
    if not covers(actor, data.area):
        errors["area_code"] = _("Choose an area within your own.")
    return errors


def save_rule(actor, data: RuleInput, rule: RiskRule | None = None) -> RiskRule:
    require_admin(actor)
    if rule is not None and not covers(actor, rule.area):
        raise AdminError(_("Only administrators may change this."))
    errors = rule_errors(actor, data)
    if errors:
        raise AdminError(_("Please correct the marked fields."), errors)
    with transaction.atomic():
        rule = RiskRule.objects.select_for_update().get(pk=rule.pk) if rule else RiskRule()
        rule.name = data.name.strip()
        rule.kind, rule.grade = data.kind, data.grade
        rule.threshold = data.threshold if data.kind in THRESHOLD_KINDS else None
        rule.words = (data.words or "").strip() if data.kind in WORD_KINDS else ""
        rule.category_code = (
            (data.category_code or "").strip() if data.kind == RuleKind.CATEGORY else ""
        )
        rule.area, rule.is_active = data.area, data.is_active
        rule.save()
    return rule


def set_rule_active(actor, rule: RiskRule, active: bool) -> RiskRule:
    require_admin(actor)
    if not covers(actor, rule.area):
        raise AdminError(_("Only administrators may change this."))
    with transaction.atomic():
        rule = RiskRule.objects.select_for_update().get(pk=rule.pk)
        rule.is_active = active
        rule.save(update_fields=["is_active"])
    return rule


# ---------------------------------------------------------------- response plans


@dataclass
class PlanInput:
    notify_levels_up: int | None
    report_hours: int | None
    handle_hours: int | None
    handle_label: str = ""
    measures: str = ""


def save_plan(actor, grade: str, data: PlanInput) -> RiskPlan:
    """The response plan of one colour: who is told, the time limits, the checklist."""
    require_admin(actor)
    errors: dict[str, str] = {}
    if grade not in PLAN_GRADES:
        raise AdminError(_("Choose red, orange or yellow."))
    if data.notify_levels_up is None or not 0 <= data.notify_levels_up <= 2:
        errors["notify_levels_up"] = _("0, 1 or 2 levels up.")
    for key in ("report_hours", "handle_hours"):
        value = getattr(data, key)
        if value is not None and not 1 <= value <= 24 * 365:
            errors[key] = _("Between 1 hour and a year, or empty.")
    if data.handle_hours is None and data.report_hours is None:
        errors["handle_hours"] = _("Give at least one time limit.")
    if len(data.handle_label or "") > 60:
        errors["handle_label"] = _("At most 60 characters.")
    measures = [m.strip() for m in (data.measures or "").splitlines() if m.strip()]
    if not measures:
        errors["measures"] = _("List at least one measure, one a line.")
    elif any(len(m) > 200 for m in measures):
        errors["measures"] = _("A measure may have at most 200 characters.")
    if errors:
        raise AdminError(_("Please correct the marked fields."), errors)
    with transaction.atomic():
        plan = RiskPlan.objects.select_for_update().filter(grade=grade).first()
        plan = plan or RiskPlan(grade=grade)
        plan.notify_levels_up = data.notify_levels_up
        plan.report_hours, plan.handle_hours = data.report_hours, data.handle_hours
        plan.handle_label = (data.handle_label or "").strip()
        plan.measures = "\n".join(measures)
        plan.save()
    return plan


# ---------------------------------------------------------------- risk tags


def save_tag(actor, name: str, is_active: bool = True, tag: RiskTag | None = None) -> RiskTag:
    require_admin(actor)
    name = (name or "").strip()
    if not name:
        raise AdminError(_("Please correct the marked fields."), {"name": _("Enter the name.")})
    if len(name) > 30:
        raise AdminError(
            _("Please correct the marked fields."), {"name": _("At most 30 characters.")}
        )
    if RiskTag.objects.filter(name=name).exclude(pk=tag.pk if tag else None).exists():
        raise AdminError(
            _("Please correct the marked fields."), {"name": _("This tag already exists.")}
        )
    try:
        with transaction.atomic():
            tag = RiskTag.objects.select_for_update().get(pk=tag.pk) if tag else RiskTag()
            tag.name, tag.is_active = name, is_active
            tag.save()
    except IntegrityError:
        raise AdminError(
            _("Please correct the marked fields."), {"name": _("This tag already exists.")}
        ) from None
    return tag


# ---------------------------------------------------------------- 研判 schedules


@dataclass
class ScheduleInput:
    center: Unit | None
    name: str
    weekdays: str
    is_active: bool = True


def parse_weekdays(text: str) -> list[int] | None:
    """ "3,5" or "3、5" → [3, 5]; None when a part is not a weekday 1…7."""
    parts = [p.strip() for p in (text or "").replace("，", ",").replace("、", ",").split(",")]
    days = []
    for p in (p for p in parts if p):
        if not p.isdigit() or not 1 <= int(p) <= 7:
            return None
        days.append(int(p))
    return sorted(set(days)) or None


def save_schedule(
    actor, data: ScheduleInput, schedule: MeetingSchedule | None = None
) -> MeetingSchedule:
    require_admin(actor)
    if schedule is not None and not covers(actor, schedule.center.area):
        raise AdminError(_("Only administrators may change this."))
    errors: dict[str, str] = {}
    if data.center is None or data.center.kind != UnitKind.CENTER:
        errors["center"] = _("Choose a governance center.")
    elif not covers(actor, data.center.area):
        errors["center"] = _("Choose a center within your own area.")
    name = (data.name or "").strip()
    if not name:
        errors["name"] = _("Enter the name.")
    elif len(name) > 60:
        errors["name"] = _("At most 60 characters.")
    days = parse_weekdays(data.weekdays)
    if days is None:
        errors["weekdays"] = _("Weekdays 1 (Monday) to 7 (Sunday), separated by commas, e.g. 3,5.")
    if errors:
        raise AdminError(_("Please correct the marked fields."), errors)
    with transaction.atomic():
        if schedule is not None:
            schedule = MeetingSchedule.objects.select_for_update().get(pk=schedule.pk)
        schedule = schedule or MeetingSchedule()
        schedule.center, schedule.name = data.center, name
        schedule.weekdays = ",".join(str(d) for d in days)
        schedule.is_active = data.is_active
        schedule.save()
    return schedule
