"""Risk pages: the grade and plan actions of the case page, key persons' files.

Each view validates its form, calls one service, and comes back; outside the user's scope
every object is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from areas.models import Role
from cases.pages import case_table_page, run_case_panel_action
from cases.registry import annotate_lists
from cases.selectors import visible_case_or_404, with_overdue
from cases.services import routable_units
from cases.workflow import Status
from clocks.deadlines import RISK_CLOCKS
from jiefen import clock
from jiefen.errors import ServiceError
from jiefen.forms import apply_errors, parse_query
from jiefen.identity import mask_id_number, mask_phone
from jiefen.pagination import page_of

from . import assignments, keypersons, meetings, services, stability
from .assignments import AssignmentInput, MeasureInput
from .forms import (
    ConclusionForm,
    EndAssignmentForm,
    GradeForm,
    LinkForm,
    MeetingOpenForm,
    NoticeForm,
    ObligationForm,
    PersonEditForm,
    PersonForm,
    PersonQuery,
    ProgressForm,
    ReviewForm,
    VisitForm,
)
from .models import MeetingSchedule
from .panel import assignment_form


def _run(request, case, form, call, done: str):
    return run_case_panel_action(request, case, form, call, done, "risk_forms")


@login_required
@require_POST
def set_grade(request, code):
    case = visible_case_or_404(request.user, code)
    form = GradeForm(request.POST)
    return _run(
        request,
        case,
        form,
        lambda d: services.set_grade(case, request.user, d["grade"], d["reason"], clock.now()),
        _("The risk grade is saved."),
    )


@login_required
@require_POST
def close_obligation(request, code, clock_name):
    case = visible_case_or_404(request.user, code)
    if clock_name not in RISK_CLOCKS:
        raise Http404
    form = ObligationForm(request.POST, clock=clock_name)
    return _run(
        request,
        case,
        form,
        lambda d: services.close_obligation(case, request.user, clock_name, d["note"], clock.now()),
        _("Saved."),
    )


# ---------------------------------------------------------------- key persons


def _require_files(user):
    if not keypersons.may_use_files(user):
        raise Http404


@login_required
def persons(request):
    _require_files(request.user)
    qs = keypersons.persons_visible_to(request.user).select_related("area", "responsible")
    query = parse_query(PersonQuery(request.GET))
    q = query["q"]
    if q:
        qs = qs.filter(name__icontains=q)
    if query["missed"]:
        qs = qs.filter(visit_overdue_at__isnull=False)
    page = page_of(request, qs.prefetch_related("tags"), 25)
    for p in page:
        p.masked_id = mask_id_number(p.id_number)
        p.masked_phone = mask_phone(p.phone)
    return render(request, "risk/persons.html", {"page": page, "q": q})


@login_required
def person_new(request):
    _require_files(request.user)
    form = PersonForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            person = keypersons.create_person(request.user, form.to_input(), clock.now())
        except ServiceError as e:
            apply_errors(e, form)
            messages.error(request, e.message)
        else:
            messages.success(request, _("The file is opened."))
            return redirect("risk:person", pk=person.pk)
    return render(request, "risk/person_new.html", {"form": form})


def _render_person(request, person, link_form=None, visit_form=None, status=200):
    now = clock.now()
    full = keypersons.open_file(person, request.user, "web", request.META.get("REMOTE_ADDR"), now)
    cases = annotate_lists(with_overdue(keypersons.cases_of(person, request.user), now))
    page = case_table_page(
        request, cases.select_related("area", "category", "owner_unit").order_by("-created_at")
    )
    context = {
        "person": person,
        "id_number": person.id_number if full else mask_id_number(person.id_number),
        "phone": person.phone if full else mask_phone(person.phone),
        "page": page,
        "visits": person.visits.select_related("by")[:20],
        "changes": person.changes.select_related("by")[:20],
        "visit_overdue": bool(person.visit_due_at and person.visit_due_at < now),
        "link_form": link_form or LinkForm(),
        "visit_form": visit_form or VisitForm(),
    }
    return render(request, "risk/person.html", context, status=status)


@login_required
def person(request, pk):
    _require_files(request.user)
    return _render_person(request, keypersons.visible_person_or_404(request.user, pk))


@login_required
def person_edit(request, pk):
    """Change the file's responsible person, tags, visit interval and note (kept in history)."""
    _require_files(request.user)
    person = keypersons.visible_person_or_404(request.user, pk)
    initial = {
        "responsible_id": person.responsible_id,
        "tag_ids": [t.pk for t in person.tags.all()],
        "visit_days": person.visit_days,
        "note": person.note,
    }
    form = PersonEditForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            change = keypersons.update_person(request.user, person, form.to_input(), clock.now())
        except ServiceError as e:
            apply_errors(e, form)
            messages.error(request, e.message)
        else:
            if change is None:
                messages.info(request, _("Nothing was changed."))
            else:
                messages.success(request, _("The file is updated."))
            return redirect("risk:person", pk=person.pk)
    status = 422 if form.errors else 200
    return render(request, "risk/person_edit.html", {"form": form, "person": person}, status=status)


@login_required
@require_POST
def person_link(request, pk):
    _require_files(request.user)
    person = keypersons.visible_person_or_404(request.user, pk)
    form = LinkForm(request.POST)
    if form.is_valid():
        try:
            keypersons.link_case(request.user, person, form.cleaned_data["code"], clock.now())
        except ServiceError as e:
            apply_errors(e, form)
            messages.error(request, e.message)
        else:
            messages.success(request, _("The case is linked to the file."))
            return redirect("risk:person", pk=person.pk)
    return _render_person(request, person, link_form=form, status=422)


@login_required
@require_POST
def person_visit(request, pk):
    _require_files(request.user)
    person = keypersons.visible_person_or_404(request.user, pk)
    form = VisitForm(request.POST)
    if form.is_valid():
        try:
            keypersons.record_visit(request.user, person, form.cleaned_data["note"], clock.now())
        except ServiceError as e:
            apply_errors(e, form)
            messages.error(request, e.message)
        else:
            messages.success(request, _("The visit is recorded."))
            return redirect("risk:person", pk=person.pk)
    return _render_person(request, person, visit_form=form, status=422)


# ---------------------------------------------------------------- 研判 meetings


def _require_meetings(user):
    if not meetings.centers_of(user) and not keypersons.may_use_files(user):
        raise Http404


@login_required
def meeting_list(request):
    _require_meetings(request.user)
    centers = meetings.centers_of(request.user)
    form = MeetingOpenForm(
        request.POST or None,
        centers=centers,
        initial={"date": clock.today_local(), "kind": "scheduled"},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            meeting = meetings.open_meeting(
                request.user,
                form.centers[d["center"]],
                d["date"],
                d["kind"],
                clock.now(),
                d["note"],
            )
        except ServiceError as e:
            apply_errors(e, form)
            messages.error(request, e.message)
        else:
            messages.success(request, _("The meeting is open; its agenda is ready."))
            return redirect("risk:meeting", pk=meeting.pk)
    schedules = MeetingSchedule.objects.filter(center__in=centers, is_active=True).select_related(
        "center"
    )
    page = page_of(
        request,
        meetings.meetings_visible_to(request.user).select_related("center", "opened_by"),
        25,
    )
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "risk/meetings.html",
        {"form": form if centers else None, "page": page, "schedules": schedules},
        status=status,
    )


def _conclusion_form(request, item, data=None, choices=None):
    """The conclusion form of one item; `choices` caches the units and leaders per area
    (the items of one page share few areas)."""
    case = item.case
    cache = choices if choices is not None else {}
    if case.area_id not in cache:
        units = list(routable_units(case, request.user).order_by("area__level", "name"))
        leaders = [
            m.user
            for m in assignments.eligible_memberships(case, request.user).filter(role=Role.LEADER)
        ]
        cache[case.area_id] = (units, leaders)
    units, leaders = cache[case.area_id]
    can_route = case.status == Status.ACCEPTED
    return ConclusionForm(data, item=item, units=units, leaders=leaders, can_route=can_route)


AGENDA_PAGE = 50


def _render_meeting(request, meeting, notice_form=None, status=200):
    may_act = meeting.center in meetings.centers_of(request.user)
    labels = meetings.reason_labels()
    page = page_of(request, meetings.agenda(meeting), AGENDA_PAGE)
    rows = [
        {
            "item": item,
            "reasons": [labels.get(r, r) for r in item.reasons],
            "grade": item.case.risk.grade if hasattr(item.case, "risk") else "none",
            "may_conclude": may_act and not item.concluded_at,
        }
        for item in page
    ]
    context = {
        "meeting": meeting,
        "rows": rows,
        "page": page,
        "persons": [mp.person for mp in meeting.persons.select_related("person__area")[:50]],
        "persons_count": meeting.persons.count(),
        "notices": meeting.notices.prefetch_related("recipients__unit"),
        "notice_form": (notice_form or NoticeForm(units=meetings.notice_units(meeting.center)))
        if may_act
        else None,
        "now": clock.now(),
    }
    return render(request, "risk/meeting.html", context, status=status)


@login_required
def meeting(request, pk):
    return _render_meeting(request, meetings.visible_meeting_or_404(request.user, pk))


@login_required
def meeting_conclude(request, pk, item_pk):
    """One agenda item: its conclusion form (GET), and recording it (POST)."""
    meeting = meetings.visible_meeting_or_404(request.user, pk)
    item = get_object_or_404(
        meeting.items.select_related("case__area", "case__owner_unit", "case__risk"), pk=item_pk
    )
    if item.concluded_at or meeting.center not in meetings.centers_of(request.user):
        raise Http404
    form = _conclusion_form(request, item, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        assignment = None
        if d.get("leader_id"):
            assignment = AssignmentInput(
                leader_id=int(d["leader_id"]),
                measures=[
                    MeasureInput(
                        text=d["measure"],
                        responsible=d["measure_responsible"],
                        due_date=d["measure_due"],
                    )
                ],
            )
        try:
            meetings.conclude(
                request.user,
                item,
                clock.now(),
                conclusion=d["conclusion"],
                grade=d["grade"],
                route_unit_id=int(d["route_unit_id"]) if d.get("route_unit_id") else None,
                responsible_unit_id=int(d["responsible_unit_id"])
                if d["responsible_unit_id"]
                else None,
                due_date=d["due_date"],
                assignment=assignment,
            )
        except ServiceError as e:
            apply_errors(e, form)
            messages.error(request, e.message)
        else:
            messages.success(request, _("The conclusion is recorded."))
            return redirect(f"{reverse('risk:meeting', args=[meeting.pk])}#item-{item.pk}")
    labels = meetings.reason_labels()
    context = {
        "meeting": meeting,
        "item": item,
        "reasons": [labels.get(r, r) for r in item.reasons],
        "grade": item.case.risk.grade if hasattr(item.case, "risk") else "none",
        "form": form,
    }
    status = 422 if request.method == "POST" else 200
    return render(request, "risk/meeting_item.html", context, status=status)


@login_required
@require_POST
def meeting_notice(request, pk):
    meeting = meetings.visible_meeting_or_404(request.user, pk)
    form = NoticeForm(request.POST, units=meetings.notice_units(meeting.center))
    if form.is_valid():
        d = form.cleaned_data
        try:
            meetings.send_notice(
                request.user,
                meeting,
                [int(u) for u in d["units"]],
                d["text"],
                d["hours"],
                clock.now(),
            )
        except ServiceError as e:
            apply_errors(e, form)
            messages.error(request, e.message)
        else:
            messages.success(request, _("The notice is sent."))
            return redirect("risk:meeting", pk=meeting.pk)
    return _render_meeting(request, meeting, notice_form=form, status=422)


@login_required
def notices(request):
    rows = meetings.notices_for(request.user)[:100]
    return render(request, "risk/notices.html", {"rows": rows, "now": clock.now()})


@login_required
@require_POST
def notice_acknowledge(request, pk):
    try:
        meetings.acknowledge(request.user, pk, clock.now())
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Acknowledged."))
    return redirect("risk:notices")


# ---------------------------------------------------------------- 包案


@login_required
def my_assignments(request):
    today = clock.today_local()
    rows = []
    for a in assignments.led_by(request.user):
        measures = list(a.measures.all())
        rows.append(
            {
                "a": a,
                "measures": measures,
                "overdue": [m for m in measures if not m.done_at and m.due_date < today],
            }
        )
    rows.sort(key=lambda r: (-r["a"].case_rank, r["a"].assigned_at))
    return render(request, "risk/my_assignments.html", {"rows": rows, "today": today})


@login_required
@require_POST
def assign(request, code):
    case = visible_case_or_404(request.user, code)
    form = assignment_form(request.user, case, request.POST)
    return _run(
        request,
        case,
        form,
        lambda d: assignments.assign(request.user, case, form.to_input(), clock.now()),
        _("The leader in charge is assigned."),
    )


def _assignment_or_404(user, code):
    """A case the user sees and its running 包案 assignment; 404 when it has none."""
    case = visible_case_or_404(user, code)
    a = assignments.current(case)
    if a is None:
        raise Http404
    return case, a


@login_required
@require_POST
def progress(request, code):
    case, a = _assignment_or_404(request.user, code)
    form = ProgressForm(request.POST)
    return _run(
        request,
        case,
        form,
        lambda d: assignments.report_progress(request.user, a, d["text"], clock.now()),
        _("The progress is reported."),
    )


@login_required
@require_POST
def measure_done(request, code, pk):
    case, a = _assignment_or_404(request.user, code)
    measure = get_object_or_404(a.measures, pk=pk)
    try:
        assignments.complete_measure(request.user, measure, clock.now())
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, _("Saved."))
    return redirect("cases:detail", code=case.code)


@login_required
@require_POST
def review(request, code):
    case = visible_case_or_404(request.user, code)
    form = ReviewForm(request.POST)
    return _run(
        request,
        case,
        form,
        lambda d: stability.review(
            request.user, case, d["measures"], d["responsible"], d["review_date"], clock.now()
        ),
        _("The review is recorded."),
    )


@login_required
@require_POST
def end_assignment(request, code):
    case, a = _assignment_or_404(request.user, code)
    form = EndAssignmentForm(request.POST)
    return _run(
        request,
        case,
        form,
        lambda d: assignments.end_assignment(request.user, a, d["reason"], clock.now()),
        _("The assignment has ended."),
    )
