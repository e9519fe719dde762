"""Administrative writes of the routing configuration: rules, escalation policies, calendar.

Like areas.services, each function checks that the actor administers (actor=None means a
trusted caller), validates with the model's own clean() and constraints, and writes in one
transaction; refusals are areas.services.AdminError with messages by field.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import chinese_calendar
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from areas.models import Area, Level, Unit, UnitKind
from areas.services import AdminError, require_admin
from cases.models import Category, Scale, TriageClass
from clocks.models import (
    DEFAULT_ACCEPT_HOURS,
    DEFAULT_RESOLVE_DAYS,
    DEFAULT_WARN_PERCENT,
    CalendarOverride,
    EscalationPolicy,
    EscalationStep,
    PolicyArea,
)

from .models import RoutingRule


def _refuse(errors: dict[str, str]) -> None:
    if errors:
        raise AdminError(_("Please correct the marked fields."), errors)


def _model_errors(
    instance, exclude: set[str] | None = None, prefix: str = "", rename: dict | None = None
) -> dict[str, str]:
    """The first message per field of the model's own validation (fields, clean, constraints).

    Constraints run only once clean() passed: they mirror it, and their generic
    "constraint violated" message would only repeat clean()'s precise one.
    """
    errors: dict[str, str] = {}

    def collect(check) -> None:
        try:
            check()
        except ValidationError as e:
            # clean() may raise a plain list: file it under the non-field key like full_clean.
            for name, messages in ValidationError(e.update_error_dict({})).message_dict.items():
                key = (rename or {}).get(name, name)
                if key == NON_FIELD_ERRORS:
                    key = prefix.rstrip("-") if prefix else NON_FIELD_ERRORS
                else:
                    key = f"{prefix}{key}"
                errors.setdefault(key, messages[0])

    collect(lambda: instance.clean_fields(exclude=exclude))
    if not errors:
        collect(instance.clean)
    if not errors:
        collect(lambda: instance.validate_unique(exclude=exclude))
        collect(lambda: instance.validate_constraints(exclude=exclude))
    return errors


# ---------------------------------------------------------------- routing rules


@dataclass
class RuleInput:
    name: str
    triage_class: str
    priority: int = 100
    is_active: bool = True
    area_code: str = ""
    category: Category | None = None
    min_scale: str = ""
    min_people: int | None = None
    min_amount: Decimal | None = None
    target_unit: Unit | None = None
    target_kind: str = ""
    target_speciality: str = ""
    target_level: int | None = None
    subject_kind: str = ""
    subject_speciality: str = ""
    guidance: str = ""


def save_rule(actor, data: RuleInput, rule: RoutingRule | None = None) -> RoutingRule:
    """Create a 三事分流 rule, or update `rule`, after checking that its proposal can be made."""
    require_admin(actor)
    errors: dict[str, str] = {}
    area = None
    if code := (data.area_code or "").strip():
        area = Area.objects.filter(code=code).first()
        if area is None:
            errors["area_code"] = _("Unknown area code.")
    if data.min_scale and data.min_scale not in Scale.values:
        errors["min_scale"] = _("Unknown scale.")
    if data.target_kind and data.target_kind not in UnitKind.values:
        errors["target_kind"] = _("Unknown unit kind.")
    if data.subject_kind and data.subject_kind not in UnitKind.values:
        errors["subject_kind"] = _("Unknown unit kind.")
    if data.target_level is not None and data.target_level not in Level.values:
        errors["target_level"] = _("Unknown level.")
    # triage.propose uses a fixed unit first and ignores the kind: accept only one of them.
    if data.target_unit and data.target_kind:
        errors["target_kind"] = _("Choose either a fixed unit or a unit kind, not both.")
    elif data.target_unit and not data.target_unit.is_active:
        errors["target_unit"] = _("This unit is deactivated.")
    if not data.target_kind and (data.target_speciality.strip() or data.target_level):
        errors["target_kind"] = _("A speciality or level needs the unit kind it narrows.")
    if not data.subject_kind and data.subject_speciality.strip():
        errors["subject_kind"] = _("A speciality needs the unit kind it narrows.")
    private = data.triage_class == TriageClass.PRIVATE
    if not private and not (data.target_unit or data.target_kind):
        errors.setdefault(
            "target_kind",
            _("A major or minor matter needs a handling unit: a fixed unit or a unit kind."),
        )
    if private and not data.guidance.strip():
        errors["guidance"] = _("Tell residents where to turn for a private matter.")

    rule = rule or RoutingRule()
    rule.name = (data.name or "").strip()
    rule.priority = data.priority
    rule.is_active = data.is_active
    rule.area = area
    rule.category = data.category
    rule.min_scale = data.min_scale or ""
    rule.min_people = data.min_people
    rule.min_amount = data.min_amount
    rule.triage_class = data.triage_class
    rule.target_unit = data.target_unit
    rule.target_kind = data.target_kind or ""
    rule.target_speciality = (data.target_speciality or "").strip()
    rule.target_level = data.target_level
    rule.subject_kind = data.subject_kind or ""
    rule.subject_speciality = (data.subject_speciality or "").strip()
    rule.guidance = (data.guidance or "").strip()
    for key, msg in _model_errors(rule, rename={"area": "area_code"}).items():
        errors.setdefault(key, msg)
    if errors and rule.pk:
        rule.refresh_from_db()  # the caller's object shows the stored rule, not the refused input
    _refuse(errors)
    with transaction.atomic():
        rule.save()
    return rule


def set_rule_active(actor, rule: RoutingRule, active: bool) -> RoutingRule:
    """Switch a rule off (or on) without losing it; propose() reads only active rules."""
    require_admin(actor)
    with transaction.atomic():
        rule.is_active = active
        rule.save(update_fields=["is_active"])
    return rule


# ---------------------------------------------------------------- escalation policies


@dataclass
class StepInput:
    level: int | None
    time_limit: Decimal | None = None
    time_unit: str = ""
    max_attempts: int | None = None
    note: str = ""


@dataclass
class PolicyInput:
    name: str
    description: str = ""
    is_active: bool = True
    steps: list[StepInput] = field(default_factory=list)
    accept_hours: int = DEFAULT_ACCEPT_HOURS
    resolve_days: int = DEFAULT_RESOLVE_DAYS
    warn_percent: int = DEFAULT_WARN_PERCENT
    # Resolve limits by complexity (简单 / 一般 / 疑难); None: the general resolve_days.
    simple_days: int | None = None
    ordinary_days: int | None = None
    complex_days: int | None = None


def step_key(index: int, name: str = "") -> str:
    """The error key of step `index` (0-based, in the order given), or of one of its fields."""
    return f"steps-{index}-{name}" if name else f"steps-{index}"


def save_policy(
    actor, data: PolicyInput, policy: EscalationPolicy | None = None
) -> EscalationPolicy:
    """Create a policy, or rewrite `policy`, with its steps from the lowest level up.

    Errors of a step are keyed step_key(i, field); errors of the chain as a whole "steps".
    """
    require_admin(actor)
    policy = policy or EscalationPolicy()
    policy.name = (data.name or "").strip()
    policy.description = (data.description or "").strip()
    policy.is_active = data.is_active
    policy.accept_hours = data.accept_hours
    policy.resolve_days = data.resolve_days
    policy.warn_percent = data.warn_percent
    policy.simple_days = data.simple_days
    policy.ordinary_days = data.ordinary_days
    policy.complex_days = data.complex_days
    errors = _model_errors(policy)

    steps: list[EscalationStep] = []
    seen: set[int] = set()
    for i, s in enumerate(data.steps):
        if s.level is None:
            errors[step_key(i, "level")] = _("Choose the level.")
            continue
        if s.level in seen:
            errors[step_key(i, "level")] = _("Each level may appear only once.")
        seen.add(s.level)
        step = EscalationStep(
            level=s.level,
            order=i + 1,
            time_limit=s.time_limit,
            time_unit=s.time_unit or "",
            max_attempts=s.max_attempts,
            note=(s.note or "").strip(),
        )
        # The steps are rewritten as a whole, so uniqueness within the policy is checked
        # above on the input, not against the rows about to be replaced.
        errors.update(_model_errors(step, exclude={"policy"}, prefix=step_key(i) + "-"))
        steps.append(step)
    if not data.steps:
        errors["steps"] = _("A policy needs at least one step.")
    levels = [s.level for s in data.steps if s.level is not None]
    # A smaller number is a higher level: the chain starts low (grid) and moves up.
    if any(a <= b for a, b in zip(levels, levels[1:], strict=False)):
        errors.setdefault(
            "steps",
            _("List the steps from the lowest level up: grid, village, town, county."),
        )
    if errors and policy.pk:
        policy.refresh_from_db()
    _refuse(errors)
    with transaction.atomic():
        policy.save()
        policy.steps.all().delete()
        for step in steps:
            step.policy = policy
        EscalationStep.objects.bulk_create(steps)
    return policy


def assign_policy(actor, policy: EscalationPolicy, area: Area) -> EscalationPolicy | None:
    """Make `policy` govern `area` and everything below it; returns the policy it replaced."""
    require_admin(actor)
    with transaction.atomic():
        current = PolicyArea.objects.select_for_update().filter(area=area).first()
        if current is None:
            PolicyArea.objects.create(policy=policy, area=area)
            return None
        previous = current.policy
        if previous.pk != policy.pk:
            current.policy = policy
            current.save(update_fields=["policy"])
        return previous


def unassign_policy(actor, assignment: PolicyArea) -> None:
    """The area falls back to the policy of its nearest ancestor that has one."""
    require_admin(actor)
    with transaction.atomic():
        assignment.delete()


# ---------------------------------------------------------------- working-day calendar


@dataclass
class PackagePeriod:
    start: datetime.date
    end: datetime.date
    name: str
    is_workday: bool


def package_periods(year: int) -> list[PackagePeriod]:
    """The package's holidays (runs of consecutive dates) and 调休 working days of `year`."""
    chinese = {h.value: h.chinese for h in chinese_calendar.Holiday}
    periods: list[PackagePeriod] = []
    for table, is_workday in (
        (chinese_calendar.holidays, False),
        (chinese_calendar.workdays, True),
    ):
        for day in sorted(d for d in table if d.year == year):
            name = chinese.get(table[day], table[day])
            last = periods[-1] if periods else None
            if (
                last
                and last.is_workday == is_workday
                and last.name == name
                and last.end + datetime.timedelta(days=1) == day
            ):
                last.end = day
            else:
                periods.append(PackagePeriod(day, day, name, is_workday))
    return sorted(periods, key=lambda p: p.start)


def save_calendar_override(
    actor, date: datetime.date | None, is_workday: bool, note: str = ""
) -> CalendarOverride:
    """Mark one date as a working day (调休) or a holiday; an earlier entry for it is replaced."""
    require_admin(actor)
    if date is None:
        _refuse({"date": _("Enter the date.")})
    override = CalendarOverride.objects.filter(date=date).first() or CalendarOverride(date=date)
    override.is_workday = is_workday
    override.note = (note or "").strip()
    _refuse(_model_errors(override, exclude={"date"} if override.pk else None))
    with transaction.atomic():
        override.save()
    return override


def remove_calendar_override(actor, override: CalendarOverride) -> None:
    """The date follows the calendar package (or Monday–Friday) again."""
    require_admin(actor)
    with transaction.atomic():
        override.delete()
