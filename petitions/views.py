"""Petition pages: the panel's acts on the case page, the list of petitions, the leader
reception days. Each view validates its form, calls one service and comes back; outside the
user's scope every object is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.pages import run_case_panel_action
from cases.selectors import cases_visible_to, visible_case_or_404
from clocks.models import Deadline
from jiefen import clock
from jiefen.errors import ServiceError
from jiefen.forms import apply_errors, parse_query
from jiefen.pagination import page_of

from . import services
from .forms import ExtendForm, OpinionForm, OutcomeForm, PetitionQuery, ReceptionForm, RequestForm
from .models import OpinionKind, Petition, Stage
from .panel import book_form, decide_form
from .selectors import bookings_visible_to, days_visible_to


def _petition(case) -> Petition:
    petition = Petition.objects.filter(case=case).first()
    if petition is None:
        raise Http404
    return petition


@login_required
@require_POST
def act(request, code, act):
    """One step of the petition procedure, named by `act`."""
    case = visible_case_or_404(request.user, code)
    user, now = request.user, clock.now()
    if act == "book":
        form = book_form(case, request.POST)
        call = lambda d: services.book(case, user, d["day_id"], now)  # noqa: E731
        done = _("The case is booked to the reception day.")
    elif act == "decide":
        petition = _petition(case)
        form = decide_form(user, case, request.POST)
        call = lambda d: services.decide(  # noqa: E731
            petition,
            user,
            d["decision"],
            now,
            note=d["note"],
            form=d["form"],
            unit_id=d["unit_id"] or None,
            guide_id=d["guide_id"] or None,
            category_code=d.get("category_code") or "",
        )
        done = _("The decision on the petition is recorded.")
    elif act == "extend":
        petition = _petition(case)
        form = ExtendForm(request.POST)
        call = lambda d: services.extend(petition, user, d["days"], d["reason"], now)  # noqa: E731
        done = _("The handling period is extended.")
    elif act.startswith("opinion-") and act[8:] in OpinionKind.values:
        petition, kind = _petition(case), act[8:]
        form = OpinionForm(request.POST, kind=kind)
        call = lambda d: services.give_opinion(  # noqa: E731
            petition,
            user,
            kind,
            now,
            result=d["result"],
            facts=d["facts"],
            text=d["text"],
            basis=d["basis"],
        )
        done = _("The written opinion is issued.")
    elif act.startswith("request-") and act[8:] in services.REQUESTS:
        petition, kind = _petition(case), act[8:]
        form = RequestForm(request.POST, kind=kind)
        call = lambda d: services.request(petition, user, kind, d["note"], now)  # noqa: E731
        done = _("The request is registered.")
    else:
        raise Http404
    return run_case_panel_action(request, case, form, call, done, "petition_forms")


@login_required
def petition_list(request):
    query = parse_query(PetitionQuery(request.GET))
    qs = Petition.objects.filter(case__in=cases_visible_to(request.user)).select_related(
        "case__area", "case__owner_unit"
    )
    if query["stage"]:
        qs = qs.filter(stage=query["stage"])
    if query["overdue"]:
        qs = qs.filter(
            Q(case__deadlines__state="open")
            & Q(case__deadlines__clock__in=services.PETITION_CLOCKS)
            & Q(case__deadlines__due_at__lt=clock.now())
        ).distinct()
    page = page_of(request, qs, 25)
    due = {
        d.case_id: d
        for d in Deadline.objects.filter(
            case_id__in=[p.case_id for p in page],
            clock__in=services.PETITION_CLOCKS,
            state="open",
        )
    }
    now = clock.now()
    rows = [
        (p, due.get(p.case_id), bool(due.get(p.case_id) and due[p.case_id].due_at < now))
        for p in page
    ]
    return render(
        request,
        "petitions/list.html",
        {"page": page, "rows": rows, "query": query, "stages": Stage.choices},
    )


def _reception_form(request, data=None) -> ReceptionForm:
    memberships = services.center_memberships(request.user)
    units = list({m.unit.pk: m.unit for m in memberships}.values())
    leaders = {}
    for unit in units:
        for leader in services.leaders_of(unit):
            leaders[leader.pk] = leader
    return ReceptionForm(data, units=units, leaders=list(leaders.values()))


@login_required
def receptions(request):
    """The coming and past reception days of the user's scope; center staff schedule here."""
    may_schedule = bool(services.center_memberships(request.user))
    form = _reception_form(request, request.POST or None) if may_schedule else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.schedule_reception(
                    request.user, d["unit_id"], d["leader_id"], d["date"], d["place"],
                    d["kind"], clock.now(), d["note"],
                )  # fmt: skip
            except ServiceError as e:
                apply_errors(e, form)
                messages.error(request, e.message)
            else:
                messages.success(request, _("The reception day is scheduled."))
                return redirect("petitions:receptions")
        status = 422
    today = clock.today_local()
    days = days_visible_to(request.user).select_related("unit", "leader")
    return render(
        request,
        "petitions/receptions.html",
        {
            "coming": days.filter(date__gte=today).order_by("date", "pk")[:100],
            "past": days.filter(date__lt=today).order_by("-date", "-pk")[:30],
            "form": form,
        },
        status=status,
    )


@login_required
def reception(request, pk):
    day = get_object_or_404(days_visible_to(request.user).select_related("unit", "leader"), pk=pk)
    bookings = day.bookings.select_related("case").filter(case__in=cases_visible_to(request.user))
    is_leader = request.user.pk == day.leader_id or request.user.is_superuser
    rows = [
        (b, OutcomeForm(prefix=f"b{b.pk}") if is_leader and not b.recorded_at else None)
        for b in bookings
    ]
    return render(request, "petitions/reception.html", {"day": day, "rows": rows})


@login_required
@require_POST
def record(request, pk):
    booking = get_object_or_404(bookings_visible_to(request.user), pk=pk)
    form = OutcomeForm(request.POST, prefix=f"b{booking.pk}")
    if form.is_valid():
        try:
            services.record_reception(
                booking, request.user, form.cleaned_data["outcome"], clock.now()
            )
        except ServiceError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, _("The outcome is recorded on the case."))
    else:
        messages.error(request, _("Write what the reception came to."))
    return redirect("petitions:reception", pk=booking.day_id)
