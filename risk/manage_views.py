"""Administration pages of the risk configuration: grade rules, the response plan of each
colour, risk tags and the centers' 研判 schedules.

Like the other /manage/ pages, only administrators get here (everyone else gets a 404); a
rule of an area, or a center's schedule, outside the administrator's scope is a 404 too.
Writes go through risk.manage_services.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from areas.access import admin_required
from areas.services import AdminError
from jiefen.forms import apply_errors

from . import manage_services as services
from .manage_forms import PlanForm, RuleForm, ScheduleForm, TagForm
from .models import Grade, MeetingSchedule, RiskPlan, RiskRule, RiskTag, RuleKind

WEEKDAY_NAMES = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "日"}


def rule_condition(rule: RiskRule) -> str:
    """The rule's condition in words."""
    t = rule.threshold
    number = f"{t:f}".rstrip("0").rstrip(".") if t is not None else ""
    match rule.kind:
        case RuleKind.THREAT | RuleKind.CRIMINAL:
            return f"{rule.get_kind_display()}：{'、'.join(rule.word_list())}"
        case RuleKind.CATEGORY:
            return f"{rule.get_kind_display()} {rule.category_code}"
        case RuleKind.KEY_PERSON:
            return str(rule.get_kind_display())
    return f"{rule.get_kind_display()} {number}"


@admin_required
def index(request):
    user = request.user
    sections = [
        {
            "url": reverse("risk:manage_rules"),
            "title": _("Risk grade rules"),
            "state": _("%(active)d active of %(total)d")
            % {
                "active": services.rules_for(user).filter(is_active=True).count(),
                "total": services.rules_for(user).count(),
            },
            "text": _("Which new cases are proposed red, orange or yellow at intake."),
        },
        {
            "url": reverse("risk:manage_plans"),
            "title": _("Response plans"),
            "state": _("%(n)d of 3 colours") % {"n": RiskPlan.objects.count()},
            "text": _(
                "应急处置预案: who is told, the time limits and the measures of each colour."
            ),
        },
        {
            "url": reverse("risk:manage_tags"),
            "title": _("Risk tags"),
            "state": _("%(n)d active") % {"n": RiskTag.objects.filter(is_active=True).count()},
            "text": _("The tags of key persons' files (扬言报复、缠访闹访…)."),
        },
        {
            "url": reverse("risk:manage_schedules"),
            "title": _("研判 schedules"),
            "state": _("%(n)d active")
            % {"n": services.schedules_for(user).filter(is_active=True).count()},
            "text": _("The weekdays each center holds its regular 研判 meeting."),
        },
    ]
    return render(request, "risk/manage/index.html", {"sections": sections})


# ---------------------------------------------------------------- grade rules


@admin_required
def rule_list(request):
    rules = services.rules_for(request.user).order_by("-is_active", "kind", "name")
    rows = [{"rule": r, "condition": rule_condition(r)} for r in rules]
    return render(request, "risk/manage/rules.html", {"rows": rows})


def _rule_or_404(user, pk) -> RiskRule:
    return get_object_or_404(services.rules_for(user), pk=pk)


def _rule_form_view(request, rule: RiskRule | None):
    if request.method == "POST":
        form = RuleForm(request.POST, user=request.user)
        if form.is_valid():
            d = form.cleaned_data
            data = services.RuleInput(
                name=d["name"],
                kind=d["kind"],
                grade=d["grade"],
                threshold=d["threshold"],
                words=d["words"],
                category_code=d["category_code"],
                area=d["area_code"],
                is_active=d["is_active"],
            )
            try:
                services.save_rule(request.user, data, rule)
            except AdminError as e:
                apply_errors(e, form)
            else:
                messages.success(request, _("The risk grade rule has been saved."))
                return redirect("risk:manage_rules")
    elif rule:
        form = RuleForm(
            initial={
                "name": rule.name,
                "kind": rule.kind,
                "grade": rule.grade,
                "threshold": rule.threshold,
                "words": rule.words,
                "category_code": rule.category_code,
                "area_code": rule.area,
                "is_active": rule.is_active,
            },
            user=request.user,
        )
    else:
        form = RuleForm(user=request.user)
    return render(request, "risk/manage/rule_form.html", {"form": form, "rule": rule})


@admin_required
def rule_new(request):
    return _rule_form_view(request, None)


@admin_required
def rule_edit(request, pk: int):
    return _rule_form_view(request, _rule_or_404(request.user, pk))


@admin_required
@require_POST
def rule_active(request, pk: int):
    rule = _rule_or_404(request.user, pk)
    services.set_rule_active(request.user, rule, request.POST.get("active") == "1")
    messages.success(request, _("The risk grade rule has been saved."))
    return redirect("risk:manage_rules")


# ---------------------------------------------------------------- response plans


@admin_required
def plan_list(request):
    plans = {p.grade: p for p in RiskPlan.objects.all()}
    rows = [
        {"grade": g, "label": Grade(g).label, "plan": plans.get(g)} for g in services.PLAN_GRADES
    ]
    return render(request, "risk/manage/plans.html", {"rows": rows})


@admin_required
def plan_edit(request, grade: str):
    if grade not in services.PLAN_GRADES:
        raise Http404
    plan = RiskPlan.objects.filter(grade=grade).first()
    if request.method == "POST":
        form = PlanForm(request.POST)
        if form.is_valid():
            try:
                services.save_plan(request.user, grade, services.PlanInput(**form.cleaned_data))
            except AdminError as e:
                apply_errors(e, form)
            else:
                messages.success(request, _("The response plan has been saved."))
                return redirect("risk:manage_plans")
    elif plan:
        form = PlanForm(
            initial={
                k: getattr(plan, k)
                for k in ("notify_levels_up", "report_hours", "handle_hours", "handle_label")
            }
            | {"measures": plan.measures}
        )
    else:
        form = PlanForm(initial={"notify_levels_up": 1})
    return render(
        request,
        "risk/manage/plan_form.html",
        {"form": form, "grade": grade, "label": Grade(grade).label, "plan": plan},
    )


# ---------------------------------------------------------------- risk tags


@admin_required
def tag_list(request):
    form = TagForm(request.POST or None, prefix="new")
    if request.method == "POST" and form.is_valid():
        try:
            services.save_tag(request.user, form.cleaned_data["name"], True)
        except AdminError as e:
            apply_errors(e, form)
        else:
            messages.success(request, _("The risk tag has been saved."))
            return redirect("risk:manage_tags")
    status = 422 if form.errors else 200
    return render(
        request,
        "risk/manage/tags.html",
        {"tags": RiskTag.objects.order_by("-is_active", "pk"), "form": form},
        status=status,
    )


@admin_required
def tag_edit(request, pk: int):
    tag = get_object_or_404(RiskTag, pk=pk)
    form = TagForm(request.POST or None, initial={"name": tag.name, "is_active": tag.is_active})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.save_tag(request.user, d["name"], d["is_active"], tag)
        except AdminError as e:
            apply_errors(e, form)
        else:
            messages.success(request, _("The risk tag has been saved."))
            return redirect("risk:manage_tags")
    return render(request, "risk/manage/tag_form.html", {"form": form, "tag": tag})


# ---------------------------------------------------------------- 研判 schedules


def weekday_names(schedule: MeetingSchedule) -> str:
    return "、".join(f"周{WEEKDAY_NAMES[d]}" for d in sorted(schedule.days()) if d in WEEKDAY_NAMES)


@admin_required
def schedule_list(request):
    schedules = services.schedules_for(request.user).order_by("center__area__path", "name")
    rows = [{"schedule": s, "days": weekday_names(s)} for s in schedules]
    return render(request, "risk/manage/schedules.html", {"rows": rows})


def _schedule_form_view(request, schedule: MeetingSchedule | None):
    centers = list(services.centers_for(request.user))
    if request.method == "POST":
        form = ScheduleForm(request.POST, centers=centers)
        if form.is_valid():
            d = form.cleaned_data
            data = services.ScheduleInput(
                center=form.centers.get(d["center"]),
                name=d["name"],
                weekdays=d["weekdays"],
                is_active=d["is_active"],
            )
            try:
                services.save_schedule(request.user, data, schedule)
            except AdminError as e:
                apply_errors(e, form)
            else:
                messages.success(request, _("The 研判 schedule has been saved."))
                return redirect("risk:manage_schedules")
    elif schedule:
        form = ScheduleForm(
            initial={
                "center": str(schedule.center_id),
                "name": schedule.name,
                "weekdays": schedule.weekdays,
                "is_active": schedule.is_active,
            },
            centers=centers,
        )
    else:
        form = ScheduleForm(initial={"name": "研判会", "weekdays": "3,5"}, centers=centers)
    return render(request, "risk/manage/schedule_form.html", {"form": form, "schedule": schedule})


@admin_required
def schedule_new(request):
    return _schedule_form_view(request, None)


@admin_required
def schedule_edit(request, pk: int):
    return _schedule_form_view(
        request, get_object_or_404(services.schedules_for(request.user), pk=pk)
    )
