"""研判 meetings: a center's regular schedule (东辽: every Wednesday and Friday), ad-hoc
meetings, the agenda built for the date, conclusions applied through the same services
(grade, route, 包案), the minutes, and 预警预防 notices to named units.

The agenda of a meeting of center C opened at time T lists C's area's open cases that are
new since C's previous meeting (or the last 7 days), red or orange, overdue at T, or of a
party (by ID number) who has another case; and the key persons of the area whose check-in
visit is overdue. It is written as rows when the meeting opens, so the minutes keep it.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from areas.models import Unit, UnitKind
from areas.selectors import area_subtree_q, memberships_of, scope_of
from cases.errors import InvalidInput, NotAllowed
from cases.models import Case, Party
from cases.selectors import cases_visible_to
from cases.services import append_event, perform_transition
from cases.workflow import CENTER_ROLES, OPEN_STATUSES, Status
from clocks.models import Deadline, DeadlineState
from jiefen.localtime import LOCAL_TZ
from notifications.models import Kind
from notifications.services import notify, unit_staff

from . import assignments, services
from .models import (
    Grade,
    KeyPerson,
    Meeting,
    MeetingItem,
    MeetingKind,
    MeetingPerson,
    MeetingSchedule,
    NoticeRecipient,
    PreventionNotice,
)

DEFAULT_LOOKBACK = datetime.timedelta(days=7)


class Reason:
    NEW = "new"
    RED = "red"
    ORANGE = "orange"
    OVERDUE = "overdue"
    REPEAT = "repeat"


def reason_labels() -> dict[str, str]:
    return {
        Reason.NEW: _("new since the last meeting"),
        Reason.RED: _("red"),
        Reason.ORANGE: _("orange"),
        Reason.OVERDUE: _("overdue"),
        Reason.REPEAT: _("repeat"),
    }


def centers_of(user) -> list[Unit]:
    """The centers whose meetings this user opens (a clerk or leader of the center)."""
    if user.is_superuser:
        return list(
            Unit.objects.filter(kind=UnitKind.CENTER, is_active=True).order_by("area__path")
        )
    return [
        m.unit
        for m in memberships_of(user)
        if m.role in CENTER_ROLES and m.unit.kind == UnitKind.CENTER
    ]


def meetings_visible_to(user) -> QuerySet[Meeting]:
    scope = scope_of(user)
    if not getattr(user, "is_authenticated", False):
        return Meeting.objects.none()
    if scope.is_superuser:
        return Meeting.objects.all()
    return Meeting.objects.filter(area_subtree_q(scope.area_paths, "center__area__"))


def visible_meeting_or_404(user, pk) -> Meeting:
    m = meetings_visible_to(user).select_related("center__area", "opened_by").filter(pk=pk).first()
    if m is None:
        raise Http404
    return m


def is_regular_day(center: Unit, date: datetime.date) -> bool:
    return any(
        date.isoweekday() in s.days()
        for s in MeetingSchedule.objects.filter(center=center, is_active=True)
    )


def agenda_case_ids(
    center: Unit, since: datetime.datetime, at: datetime.datetime
) -> dict[int, list[str]]:
    """Case id → the reasons it is on the agenda (four indexed reads)."""
    base = Case.objects.filter(
        area__path__startswith=center.area.path, status__in=OPEN_STATUSES, created_at__lte=at
    ).order_by()
    reasons: dict[int, list[str]] = {}

    def add(qs, reason):
        for pk in qs.values_list("pk", flat=True):
            reasons.setdefault(pk, []).append(reason)

    add(base.filter(created_at__gt=since), Reason.NEW)
    for grade in (Grade.RED, Grade.ORANGE):
        add(base.filter(risk__grade=grade), grade)
    overdue = Deadline.objects.filter(case=OuterRef("pk"), state=DeadlineState.OPEN).filter(
        Q(due_at__lt=at) | Q(overdue_at__isnull=False)
    )
    add(base.filter(Exists(overdue)), Reason.OVERDUE)
    # A repeat report: a party of the case is a party of another case by ID number OR phone,
    # as the repeat rule counts them (risk.rules.party_facts).
    parties = Party.objects.filter(case=OuterRef("pk"))
    by_id = Party.objects.filter(id_number=OuterRef("id_number")).exclude(case=OuterRef("case"))
    by_phone = Party.objects.filter(phone=OuterRef("phone")).exclude(case=OuterRef("case"))
    add(
        base.filter(
            Exists(parties.exclude(id_number="").filter(Exists(by_id)))
            | Exists(parties.exclude(phone="").filter(Exists(by_phone)))
        ),
        Reason.REPEAT,
    )
    return reasons


def open_meeting(
    actor, center: Unit, date: datetime.date, kind: str, now: datetime.datetime, note: str = ""
) -> Meeting:
    """Open a meeting of `center` on `date` and write its agenda."""
    if center not in centers_of(actor):
        raise NotAllowed(_("You are not allowed to do this."))
    if kind not in MeetingKind.values:
        raise InvalidInput(_("Please correct the marked fields."), {"kind": _("Unknown kind.")})
    if kind == MeetingKind.SCHEDULED and not is_regular_day(center, date):
        raise InvalidInput(
            _("This center holds no regular meeting on that day."),
            {"date": _("Not a day of the center's schedule; open an ad-hoc meeting.")},
        )
    with transaction.atomic():
        Unit.objects.select_for_update().filter(pk=center.pk).first()
        if (
            kind == MeetingKind.SCHEDULED
            and Meeting.objects.filter(center=center, date=date, kind=kind).exists()
        ):
            raise InvalidInput(
                _("The regular meeting of this day is open already."),
                {"date": _("Already open.")},
            )
        last = Meeting.objects.filter(center=center).order_by("-opened_at").first()
        since = last.opened_at if last else now - DEFAULT_LOOKBACK
        meeting = Meeting.objects.create(
            center=center,
            kind=kind,
            date=date,
            opened_at=now,
            since=since,
            opened_by=actor,
            note=(note or "").strip(),
        )
        reasons = agenda_case_ids(center, since, now)
        MeetingItem.objects.bulk_create(
            [
                MeetingItem(meeting=meeting, case_id=pk, reasons=r, urgency=urgency(r))
                for pk, r in sorted(reasons.items())
            ],
            batch_size=2_000,
        )
        missed = KeyPerson.objects.filter(
            area__path__startswith=center.area.path, visit_overdue_at__isnull=False
        ).values_list("pk", flat=True)
        MeetingPerson.objects.bulk_create(
            [MeetingPerson(meeting=meeting, person_id=pk) for pk in missed]
        )
    return meeting


def urgency(reasons: list[str]) -> int:
    grade = 2 if Reason.RED in reasons else 1 if Reason.ORANGE in reasons else 0
    return grade * 2 + (Reason.OVERDUE in reasons)


def agenda(meeting: Meeting) -> QuerySet[MeetingItem]:
    """The items, most urgent first: red, orange, overdue, then the rest, oldest first."""
    return meeting.items.select_related(
        "case__area", "case__owner_unit", "case__risk", "responsible_unit"
    ).order_by("-urgency", "case__created_at", "pk")


def conclude(
    actor,
    item: MeetingItem,
    now: datetime.datetime,
    *,
    conclusion: str,
    grade: str = "",
    route_unit_id: int | None = None,
    responsible_unit_id: int | None = None,
    due_date: datetime.date | None = None,
    assignment: "assignments.AssignmentInput | None" = None,
) -> MeetingItem:
    """Record the meeting's conclusion on one item and apply it through the same services:
    a grade change, a route, a 包案 — each leaves its own timeline event."""
    conclusion = (conclusion or "").strip()
    errors = {}
    if not conclusion:
        errors["conclusion"] = _("Write the meeting's conclusion.")
    if grade and grade not in Grade.values:
        errors["grade"] = _("Choose red, orange, yellow or no risk.")
    if due_date and due_date < now.astimezone(LOCAL_TZ).date():
        errors["due_date"] = _("Give a due date from today on.")
    responsible = None
    if responsible_unit_id:
        responsible = Unit.objects.filter(pk=responsible_unit_id, is_active=True).first()
        if responsible is None:
            errors["responsible_unit_id"] = _("Unknown or inactive unit.")
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors)
    case = cases_visible_to(actor).filter(pk=item.case_id).first()
    if case is None:
        raise InvalidInput(
            _("No case with this code is visible to you."), {"case": _("Outside your scope.")}
        )
    if item.meeting.center not in centers_of(actor):
        raise NotAllowed(_("You are not allowed to do this."))
    with transaction.atomic():
        item = (
            MeetingItem.objects.select_for_update()
            .select_related("meeting__center")
            .get(pk=item.pk)
        )
        if grade and grade != services.grade_of(case):
            services.set_grade(case, actor, grade, conclusion, now)
        if route_unit_id:
            if case.status != Status.ACCEPTED:
                raise InvalidInput(
                    _("Only an accepted case can be routed."), {"route_unit_id": _("Not now.")}
                )
            perform_transition(case, "route", actor, now, note=conclusion, unit_id=route_unit_id)
        if assignment is not None:
            assignments.assign(actor, case, assignment, now)
        item.conclusion = conclusion
        item.grade_after = grade or services.grade_of(case)
        item.responsible_unit = responsible
        item.due_date = due_date
        item.concluded_at, item.concluded_by = now, actor
        item.save()
        append_event(
            case,
            "meeting_conclusion",
            now,
            actor=actor,
            actor_unit=item.meeting.center,
            note=conclusion,
            data={
                "meeting": item.meeting.date.isoformat(),
                "unit": responsible.name if responsible else "",
                "due_date": due_date.isoformat() if due_date else "",
            },
        )
    return item


# ---------------------------------------------------------------- 预警预防 notices


def notice_units(center: Unit) -> QuerySet[Unit]:
    """Units a center sends a notice down to: the other units of its own area (police
    stations, departments) and those of the areas one level below (towns' centers…)."""
    return (
        Unit.objects.filter(is_active=True)
        .filter(Q(area=center.area) | Q(area__parent=center.area))
        .exclude(pk=center.pk)
        .order_by("area__code", "name")
    )


def send_notice(
    actor, meeting: Meeting, unit_ids: list[int], text: str, hours: int, now: datetime.datetime
) -> PreventionNotice:
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = _("Write the notice.")
    units = list(notice_units(meeting.center).filter(pk__in=unit_ids))
    if not units or len(units) != len(set(unit_ids)):
        errors["units"] = _("Choose the units, within the center's area.")
    if not hours or hours < 1:
        errors["hours"] = _("At least 1 hour.")
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors)
    if meeting.center not in centers_of(actor):
        raise NotAllowed(_("You are not allowed to do this."))
    with transaction.atomic():
        notice = PreventionNotice.objects.create(
            meeting=meeting,
            text=text,
            sent_at=now,
            due_at=now + datetime.timedelta(hours=hours),
            sent_by=actor,
        )
        NoticeRecipient.objects.bulk_create([NoticeRecipient(notice=notice, unit=u) for u in units])
        with translation.override(settings.LANGUAGE_CODE):
            title = _("Prevention notice from %(center)s") % {"center": meeting.center.name}
        for u in units:
            notify(
                unit_staff(u),
                kind=Kind.RISK,
                title=title,
                body=text,
                key=f"prevention:{notice.pk}:{u.pk}",
                now=now,
                url="/risk/notices/",
            )
    return notice


def notices_for(user) -> QuerySet[NoticeRecipient]:
    unit_ids = scope_of(user).unit_ids
    return (
        NoticeRecipient.objects.filter(unit_id__in=unit_ids)
        .select_related("notice__meeting__center", "unit")
        .order_by("acknowledged_at", "-notice__sent_at")
    )


def acknowledge(actor, recipient_pk: int, now: datetime.datetime) -> NoticeRecipient:
    with transaction.atomic():
        r = notices_for(actor).select_for_update(of=("self",)).filter(pk=recipient_pk).first()
        if r is None:
            raise Http404
        if r.acknowledged_at:
            raise InvalidInput(_("Already acknowledged."))
        r.acknowledged_at, r.acknowledged_by = now, actor
        r.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return r


def sweep_notices(now: datetime.datetime) -> int:
    """Mark each unacknowledged notice past its time once and tell the sending center."""
    due = Q(acknowledged_at__isnull=True, overdue_at__isnull=True, notice__due_at__lte=now)
    marked = 0
    for pk in list(NoticeRecipient.objects.filter(due).values_list("pk", flat=True)):
        with transaction.atomic():
            if not NoticeRecipient.objects.filter(due, pk=pk).update(overdue_at=now):
                continue
            r = NoticeRecipient.objects.select_related("notice__meeting__center", "unit").get(pk=pk)
            center = r.notice.meeting.center
            with translation.override(settings.LANGUAGE_CODE):
                title = _("Prevention notice not acknowledged: %(unit)s") % {"unit": r.unit.name}
            notify(
                unit_staff(center, CENTER_ROLES),
                kind=Kind.OVERDUE,
                title=title,
                body=r.notice.text,
                key=f"prevention-missed:{pk}",
                now=now,
                url=f"/risk/meetings/{r.notice.meeting_id}/",
            )
            marked += 1
    return marked
