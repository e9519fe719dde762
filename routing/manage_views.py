"""Administration pages of the routing configuration: 三事分流 rules, escalation policies and
the working-day calendar, so that an administrator never needs the Django admin for them.

Like the other /manage/ pages, only administrators get here (everyone else gets a 404);
writes go through routing.manage_services.
"""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from areas.access import admin_required
from areas.models import Level, Speciality
from areas.services import AdminError
from cases.errors import CaseNotFound
from cases.models import Scale, TriageClass
from cases.selectors import get_visible_case
from clocks.calendar import (
    SHANGHAI,
    CalendarUnknown,
    is_workday,
    knows_year,
    package_knows_year,
)
from clocks.models import CalendarOverride, EscalationPolicy, EscalationStep, PolicyArea, TimeUnit
from jiefen import clock
from jiefen.forms import apply_errors

from . import manage_services as services
from . import triage
from .manage_forms import (
    AssignForm,
    CalendarOverrideForm,
    PolicyForm,
    RuleForm,
    RuleTestForm,
    StepFormSet,
    WorkdayCheckForm,
)
from .models import RoutingRule


def _number(value: Decimal | None) -> str:
    """24.00 → "24", 1.50 → "1.5": limits as an administrator typed them."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# ---------------------------------------------------------------- routing rules


def rule_conditions(rule: RoutingRule) -> list[str]:
    """The rule's conditions as short Chinese phrases; "any case" when it has none."""
    parts = []
    if rule.area_id:
        parts.append(_("in %(area)s and below") % {"area": rule.area.name})
    if rule.category_id:
        c = rule.category
        if c.parent_id:
            parts.append(_("category %(name)s (%(code)s)") % {"name": c.name, "code": c.code})
        else:
            parts.append(
                _("category %(name)s (%(code)s) and its minor categories")
                % {"name": c.name, "code": c.code}
            )
    if rule.min_scale:
        label = dict(Scale.choices).get(rule.min_scale, rule.min_scale)
        parts.append(_("scale %(scale)s or larger") % {"scale": label})
    if rule.min_people is not None:
        parts.append(_("%(n)s or more people involved") % {"n": rule.min_people})
    if rule.min_amount is not None:
        parts.append(_("%(amount)s yuan or more involved") % {"amount": _number(rule.min_amount)})
    return parts or [_("any case")]


def _unit_phrase(kind_label: str, speciality: str, level: int | None) -> str:
    if level is not None:
        text = _("the %(kind)s of the case's %(level)s") % {
            "kind": kind_label,
            "level": Level(level).label,
        }
    else:
        text = _("the nearest %(kind)s at or above the case's area") % {"kind": kind_label}
    if speciality:
        text += _(" (speciality: %(speciality)s)") % {"speciality": Speciality.label_of(speciality)}
    return text


def rule_target(rule: RoutingRule) -> str:
    """Where the rule sends a matching case, in words."""
    if rule.target_unit_id:
        return _("%(unit)s (fixed unit)") % {
            "unit": f"{rule.target_unit.area.name} · {rule.target_unit.name}"
        }
    if rule.target_kind:
        return _unit_phrase(
            rule.get_target_kind_display(), rule.target_speciality, rule.target_level
        )
    return _("no handling unit")


def rule_subject(rule: RoutingRule) -> str:
    if not rule.subject_kind:
        return ""
    return _unit_phrase(rule.get_subject_kind_display(), rule.subject_speciality, None)


def _try_case(request) -> dict | None:
    """The read-only "test a case" helper: what propose() says for an existing case now."""
    if "case" not in request.GET:
        return None
    form = RuleTestForm(request.GET)
    result: dict = {"form": form}
    if form.is_valid():
        code = form.cleaned_data["case"].strip()
        try:
            case = get_visible_case(request.user, code)
        except CaseNotFound:
            form.add_error("case", _("No case with this code that you may see."))
        else:
            proposal = triage.propose(case)
            result.update(
                case=case,
                proposal=proposal,
                target=rule_target(proposal.rule) if proposal.rule else "",
                # A rule matched, but no active unit of its kind exists where the case is.
                unit_missing=bool(
                    proposal.rule
                    and proposal.triage_class != TriageClass.PRIVATE
                    and proposal.unit is None
                ),
            )
    return result


@admin_required
def index(request):
    """/routing/manage/: the three things an administrator configures here, with their state."""
    year = clock.today_local().year
    sections = [
        {
            "url": reverse("routing:manage_rules"),
            "title": _("Routing rules"),
            "state": _("%(active)d active of %(total)d")
            % {
                "active": RoutingRule.objects.filter(is_active=True).count(),
                "total": RoutingRule.objects.count(),
            },
            "text": _("三事分流: which unit a case is proposed to, by category, area and size."),
        },
        {
            "url": reverse("routing:manage_policies"),
            "title": _("Escalation policies"),
            "state": _("%(policies)d active, assigned to %(areas)d areas")
            % {
                "policies": EscalationPolicy.objects.filter(is_active=True).count(),
                "areas": PolicyArea.objects.count(),
            },
            "text": _("How long each level has, or how many attempts, before a case moves up."),
        },
        {
            "url": reverse("routing:manage_calendar"),
            "title": _("Working-day calendar"),
            "state": _("%(year)d: known") % {"year": year}
            if knows_year(year)
            else _("%(year)d: holidays not entered yet") % {"year": year},
            "text": _("Public holidays and 调休 make-up working days for limits in working days."),
        },
    ]
    return render(request, "routing/manage/index.html", {"sections": sections})


@admin_required
def rule_list(request):
    rules = RoutingRule.objects.select_related("area", "category", "target_unit__area").order_by(
        "priority", "pk"
    )
    rows = [
        {
            "rule": r,
            "conditions": rule_conditions(r),
            "target": rule_target(r),
            "subject": rule_subject(r),
        }
        for r in rules
    ]
    tried = _try_case(request)
    return render(
        request,
        "routing/manage/rule_list.html",
        {"rows": rows, "tried": tried, "test_form": tried["form"] if tried else RuleTestForm()},
    )


def _rule_initial(rule: RoutingRule) -> dict:
    return {
        "name": rule.name,
        "priority": rule.priority,
        "is_active": rule.is_active,
        "triage_class": rule.triage_class,
        "area_code": rule.area.code if rule.area_id else "",
        "category": rule.category,
        "min_scale": rule.min_scale,
        "min_people": rule.min_people,
        "min_amount": _number(rule.min_amount),
        "target_unit": rule.target_unit,
        "target_kind": rule.target_kind,
        "target_speciality": rule.target_speciality,
        "target_level": rule.target_level,
        "subject_kind": rule.subject_kind,
        "subject_speciality": rule.subject_speciality,
        "guidance": rule.guidance,
    }


def _rule_form_view(request, rule: RoutingRule | None):
    if request.method == "POST":
        form = RuleForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                rule = services.save_rule(
                    request.user, services.RuleInput(**form.cleaned_data), rule
                )
            except AdminError as e:
                apply_errors(e, form)
            else:
                messages.success(request, _("The routing rule has been saved."))
                return redirect("routing:manage_rules")
    elif rule:
        form = RuleForm(initial=_rule_initial(rule), user=request.user)
    else:
        form = RuleForm(user=request.user)
    return render(request, "routing/manage/rule_form.html", {"form": form, "rule": rule})


@admin_required
def rule_new(request):
    return _rule_form_view(request, None)


@admin_required
def rule_edit(request, pk: int):
    return _rule_form_view(
        request, get_object_or_404(RoutingRule.objects.select_related("area"), pk=pk)
    )


@admin_required
@require_POST
def rule_active(request, pk: int):
    rule = get_object_or_404(RoutingRule, pk=pk)
    services.set_rule_active(request.user, rule, request.POST.get("active") == "1")
    if rule.is_active:
        messages.success(request, _("The routing rule is active again."))
    else:
        messages.success(request, _("The routing rule has been deactivated."))
    return redirect("routing:manage_rules")


# ---------------------------------------------------------------- escalation policies


def step_text(step: EscalationStep) -> str:
    """One step in words, e.g. "village/community: 24 hours" or "town/street: 2 attempts"."""
    parts = []
    if step.time_limit is not None:
        parts.append(
            _("%(limit)s %(unit)s")
            % {"limit": _number(step.time_limit), "unit": TimeUnit(step.time_unit).label}
        )
    if step.max_attempts is not None:
        parts.append(_("%(n)s mediation attempts") % {"n": step.max_attempts})
    joined = _(" or ").join(parts)
    return f"{step.get_level_display()}: {joined}"


def _policies():
    return EscalationPolicy.objects.prefetch_related(
        Prefetch("steps", queryset=EscalationStep.objects.order_by("order")),
        Prefetch(
            "assignments", queryset=PolicyArea.objects.select_related("area").order_by("area__code")
        ),
    ).order_by("name")


@admin_required
def policy_list(request):
    policies = [
        {"policy": p, "steps": [step_text(s) for s in p.steps.all()], "areas": p.assignments.all()}
        for p in _policies()
    ]
    return render(request, "routing/manage/policy_list.html", {"policies": policies})


def _step_initial(policy: EscalationPolicy | None) -> list[dict]:
    if policy is None:
        return []
    return [
        {
            "level": s.level,
            "time_limit": _number(s.time_limit),
            "time_unit": s.time_unit,
            "max_attempts": s.max_attempts,
            "note": s.note,
        }
        for s in policy.steps.order_by("order")
    ]


def _save_policy(request, policy, form, formset):
    """Validate and save; on refusal put each message on its form or row. Returns the policy."""
    rows = [f for f in formset.forms if not f.cleaned_data.get("DELETE") and not f.is_blank()]
    data = services.PolicyInput(
        name=form.cleaned_data["name"],
        description=form.cleaned_data["description"],
        is_active=form.cleaned_data["is_active"],
        **form.limits(),
        steps=[
            services.StepInput(
                level=f.cleaned_data.get("level"),
                time_limit=f.cleaned_data.get("time_limit"),
                time_unit=f.cleaned_data.get("time_unit") or "",
                max_attempts=f.cleaned_data.get("max_attempts"),
                note=f.cleaned_data.get("note") or "",
            )
            for f in rows
        ],
    )
    try:
        return services.save_policy(request.user, data, policy)
    except AdminError as e:
        apply_errors(e, form, formset, rows, summary=True)
        return None


def _policy_page(request, policy, form, formset, assign_form=None):
    assignments = policy.assignments.select_related("area").order_by("area__code") if policy else []
    return render(
        request,
        "routing/manage/policy_form.html",
        {
            "policy": policy,
            "form": form,
            "formset": formset,
            "assignments": assignments,
            "assign_form": assign_form or AssignForm(user=request.user),
        },
    )


def _policy_form_view(request, policy: EscalationPolicy | None):
    if request.method == "POST":
        form = PolicyForm(request.POST)
        formset = StepFormSet(request.POST, prefix="steps")
        if form.is_valid() and formset.is_valid():
            saved = _save_policy(request, policy, form, formset)
            if saved:
                messages.success(request, _("The escalation policy has been saved."))
                return redirect("routing:manage_policy_edit", pk=saved.pk)
    elif policy:
        form = PolicyForm(
            initial={
                "name": policy.name,
                "description": policy.description,
                "is_active": policy.is_active,
                **{k: getattr(policy, k) for k in PolicyForm.LIMITS},
            }
        )
        formset = StepFormSet(initial=_step_initial(policy), prefix="steps")
    else:
        form = PolicyForm()
        formset = StepFormSet(prefix="steps")
    return _policy_page(request, policy, form, formset)


@admin_required
def policy_new(request):
    return _policy_form_view(request, None)


@admin_required
def policy_edit(request, pk: int):
    return _policy_form_view(request, get_object_or_404(EscalationPolicy, pk=pk))


@admin_required
@require_POST
def policy_assign(request, pk: int):
    policy = get_object_or_404(EscalationPolicy, pk=pk)
    assign_form = AssignForm(request.POST, user=request.user)
    if assign_form.is_valid():
        area = assign_form.cleaned_data["area"]
        try:
            previous = services.assign_policy(request.user, policy, area)
        except AdminError as e:
            apply_errors(e, assign_form)
        else:
            if previous and previous.pk != policy.pk:
                messages.success(
                    request,
                    _("%(area)s now follows this policy instead of “%(previous)s”.")
                    % {"area": area.name, "previous": previous.name},
                )
            else:
                messages.success(
                    request, _("%(area)s now follows this policy.") % {"area": area.name}
                )
            return redirect("routing:manage_policy_edit", pk=policy.pk)
    form = PolicyForm(
        initial={
            "name": policy.name,
            "description": policy.description,
            "is_active": policy.is_active,
            **{k: getattr(policy, k) for k in PolicyForm.LIMITS},
        }
    )
    formset = StepFormSet(initial=_step_initial(policy), prefix="steps")
    return _policy_page(request, policy, form, formset, assign_form=assign_form)


@admin_required
@require_POST
def policy_unassign(request, pk: int):
    assignment = get_object_or_404(PolicyArea.objects.select_related("area"), pk=pk)
    policy_id = assignment.policy_id
    services.unassign_policy(request.user, assignment)
    messages.success(
        request,
        _("%(area)s no longer has its own policy; the one above it applies.")
        % {"area": assignment.area.name},
    )
    return redirect("routing:manage_policy_edit", pk=policy_id)


# ---------------------------------------------------------------- working-day calendar


def _calendar_url(year: int) -> str:
    return f"{reverse('routing:manage_calendar')}?year={year}"


def _year(request, today: datetime.date) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or today.year)
    except ValueError:
        return today.year
    return year if 2000 <= year <= 2100 else today.year


def _workday_check(request) -> dict | None:
    if "check" not in request.GET:
        return None
    form = WorkdayCheckForm(request.GET)
    result: dict = {"form": form}
    if form.is_valid():
        date = form.cleaned_data["check"]
        result["date"] = date
        try:
            result["is_workday"] = is_workday(date)
        except CalendarUnknown:
            result["unknown"] = True
        result["override"] = CalendarOverride.objects.filter(date=date).first()
    return result


@admin_required
def calendar(request):
    today = clock.now().astimezone(SHANGHAI).date()
    year = _year(request, today)
    form = CalendarOverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            override = services.save_calendar_override(
                request.user, d["date"], d["is_workday"], d["note"]
            )
        except AdminError as e:
            apply_errors(e, form)
        else:
            messages.success(
                request,
                _("%(date)s is now a working day.") % {"date": override.date.isoformat()}
                if override.is_workday
                else _("%(date)s is now a holiday.") % {"date": override.date.isoformat()},
            )
            return redirect(_calendar_url(override.date.year))
    overrides = CalendarOverride.objects.filter(date__year=year).order_by("date")
    years = sorted(
        {today.year, today.year + 1, year}
        | {d.year for d in CalendarOverride.objects.dates("date", "year")}
    )
    known = package_knows_year(year)
    check = _workday_check(request)
    return render(
        request,
        "routing/manage/calendar.html",
        {
            "year": year,
            "years": [{"year": y, "known": package_knows_year(y)} for y in years],
            "known": known,
            "overrides": overrides,
            "periods": services.package_periods(year) if known else [],
            "form": form,
            "check": check,
            "check_form": check["form"] if check else WorkdayCheckForm(),
        },
    )


@admin_required
@require_POST
def calendar_remove(request, pk: int):
    override = get_object_or_404(CalendarOverride, pk=pk)
    services.remove_calendar_override(request.user, override)
    messages.success(
        request,
        _("The correction of %(date)s has been removed.") % {"date": override.date.isoformat()},
    )
    return redirect(_calendar_url(override.date.year))
