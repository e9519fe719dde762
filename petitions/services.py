"""Every write of the petitions app: lock, check, write, timeline event — in one transaction.

The periods of the 信访工作条例 (中共中央 国务院, 2022年; in force 1 May 2022). Each period
is confirmed by the regulation's sentences as official petition bureaus quote them (福田区信访局
for 第二十三条, 攀枝花市信访局 for the 60 + 30 days, 广东省信访局 for 复查/复核). The article
numbers of the last three follow the regulation's order in chapter 4 (信访事项的办理):
第三十三条 sorts 申诉求决类 matters, 第三十四条 is the 信访处理意见书, 第三十五条 mediation in
handling, 第三十六条 the 60 + 30 days ("对本条例第三十三条第一款第三项规定的信访事项应当自受理
之日起60日内办结"), 第三十七条 复查, 第三十八条 复核. An earlier version of this module cited
第三十五、三十六、三十七条; the bureaus' pages do not print the numbers, so they were read from
the official text, not from a second source.

Days are calendar days (the regulation says 日, not 工作日), counted from the day after the
start and ending at the end of the last day (clocks.calendar.add_limit).
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.models import Role, Unit
from areas.selectors import memberships_of
from cases.errors import InvalidInput, NotAllowed
from cases.models import Case, Channel, TriageClass
from cases.services import acting_membership, append_event, perform_transition, routable_units
from cases.workflow import CENTER_ROLES, HANDLING_ROLES, Status
from clocks import deadlines
from clocks.calendar import add_limit, local_date
from clocks.models import Clock, Deadline, DeadlineState, TimeUnit
from jiefen import clock as jclock

from .models import (
    Booking,
    ChannelGuide,
    Decision,
    Form,
    Opinion,
    OpinionKind,
    OpinionResult,
    Petition,
    ReceptionDay,
    ReceptionKind,
    Stage,
)

# 信访工作条例 第二十三条: a petition received is registered, and the petitioner is told
# within 15 days whether it is handled here, where it was forwarded (转送、交办), or which
# organ to turn to (告知).
DECIDE_DAYS = 15
# 信访工作条例 第三十六条 (number: see the module's docstring): 信访事项应当自受理之日起60日内
# 办结；情况复杂的，经本机关、单位负责人批准，可以适当延长办理期限，但延长期限不得超过30日，
# 并告知信访人延期理由.
HANDLE_DAYS = 60
MAX_EXTENSION_DAYS = 30
# 信访工作条例 第三十七条 (复查) and 第三十八条 (复核): the petitioner may ask within 30 days of
# receiving the written opinion; the organ asked gives its opinion within 30 days of the
# request. We take the day the opinion was issued as the day it was received.
REQUEST_WINDOW_DAYS = 30
REVIEW_DAYS = 30
RECHECK_DAYS = 30

TEXT_MAX = 5000
PETITION_CLOCKS = [
    Clock.PETITION_DECIDE,
    Clock.PETITION_REPLY,
    Clock.PETITION_REVIEW,
    Clock.PETITION_RECHECK,
]

EVENT_KINDS = [
    ("petition_registered", gettext_lazy("Petition registered (信访登记)")),
    ("petition_decided", gettext_lazy("Petition decided (受理/转送交办/告知)")),
    ("petition_extended", gettext_lazy("Petition handling extended")),
    ("petition_replied", gettext_lazy("Petition replied in writing (答复意见书)")),
    ("petition_review_requested", gettext_lazy("Review (复查) requested")),
    ("petition_reviewed", gettext_lazy("Review opinion given (复查意见)")),
    ("petition_recheck_requested", gettext_lazy("Re-examination (复核) requested")),
    ("petition_rechecked", gettext_lazy("Re-examination opinion given (复核意见)")),
    ("reception_booked", gettext_lazy("Booked to a leader's reception day")),
    ("reception_held", gettext_lazy("Leader's reception held (领导接访/下访)")),
]


def _due(start: datetime.datetime, days: int) -> datetime.datetime:
    return add_limit(start, days, TimeUnit.CALENDAR_DAYS)


def _lock(petition: Petition) -> tuple[Petition, Case]:
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("owner_unit__area", "area")
        .get(pk=petition.case_id)
    )
    return Petition.objects.select_for_update().get(pk=petition.pk), case


def _member(actor, case: Case, roles, message: str = ""):
    membership = acting_membership(actor, case, roles)
    if membership is None:
        raise NotAllowed(message or _("You are not allowed to do this on this case."))
    return membership


def _stage_is(petition: Petition, *stages: str) -> None:
    if petition.stage not in stages:
        raise InvalidInput(
            _("Not possible while the petition is “%(stage)s”.")
            % {"stage": Stage(petition.stage).label},
            {"stage": _("Not possible in the current stage.")},
        )


def _text(value: str, key: str, errors: dict, message: str, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[key] = message
    elif len(value) > TEXT_MAX:
        errors[key] = _("At most %(n)d characters.") % {"n": TEXT_MAX}
    return value


def open_deadline(petition: Petition):
    return Deadline.objects.filter(
        case_id=petition.case_id, clock__in=PETITION_CLOCKS, state=DeadlineState.OPEN
    ).first()


# ---------------------------------------------------------------- registration


def open_petition(sender, case: Case, parties, actor, now: datetime.datetime, **kwargs) -> None:
    """cases.signals.case_registered: a case of the petition channel is a 信访事项; its
    15-day decision clock starts on the day it is received (第二十三条)."""
    if case.channel != Channel.PETITION:
        return
    petition = Petition.objects.create(case=case, registered_at=now)
    due = _due(now, DECIDE_DAYS)
    deadlines.open_deadline(case, Clock.PETITION_DECIDE, case.owner_unit, now, due_at=due)
    append_event(
        case,
        "petition_registered",
        now,
        actor=actor,
        actor_unit=case.owner_unit,
        data={"decide_by": due.isoformat(), "days": DECIDE_DAYS, "petition": petition.pk},
    )


# ---------------------------------------------------------------- decision (15 days)


def decide(
    petition: Petition,
    actor,
    decision: str,
    now: datetime.datetime,
    *,
    note: str = "",
    form: str = "",
    unit_id=None,
    guide_id=None,
    category_code: str = "",
) -> Petition:
    """受理 (handled here), 转送交办 (to the competent unit) or 告知 (the petitioner is told
    the competent channel from the 访诉分离 catalogue): within 15 days of registration."""
    errors: dict[str, str] = {}
    if decision not in Decision.values:
        errors["decision"] = _("Choose accept, forward or tell the competent channel.")
    if form and form not in Form.values:
        errors["form"] = _("Unknown form of petition.")
    note = _text(note, "note", errors, "", required=False)
    guide = None
    if decision == Decision.REDIRECT:
        guide = _guide(guide_id)
        if guide is None:
            errors["guide_id"] = _("Choose the matter's channel from the catalogue.")
    if decision == Decision.FORWARD and unit_id in (None, ""):
        errors["unit_id"] = _("Choose the unit the petition is forwarded to.")
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors)
    with transaction.atomic():
        petition, case = _lock(petition)
        membership = _member(actor, case, CENTER_ROLES)
        _stage_is(petition, Stage.REGISTERED)
        if decision == Decision.REDIRECT:
            if case.status != Status.REGISTERED:
                raise InvalidInput(
                    _("The case was accepted already; accept or forward the petition."),
                    {"decision": _("Not possible in the current status.")},
                )
            guidance = _("%(name)s. Who handles it: %(who)s. How: %(how)s") % {
                "name": guide.name,
                "who": guide.competent,
                "how": guide.how,
            }
            # The case's "decline" records the petition's 告知 (on_case_declined below).
            perform_transition(case, "reject", actor, now, note=f"{guidance}\n{note}".strip())
        else:
            if decision == Decision.FORWARD and case.status not in (
                Status.REGISTERED,
                Status.ACCEPTED,
            ):
                raise InvalidInput(
                    _("The case is being handled already; it cannot be forwarded."),
                    {"decision": _("Not possible in the current status.")},
                )
            if case.status == Status.REGISTERED:
                # The case's acceptance starts the petition's handling (on_case_accepted).
                perform_transition(
                    case, "accept", actor, now, note=note, category_code=category_code
                )
            else:
                _start_handling(Petition.objects.get(pk=petition.pk), case, actor, now)
            if decision == Decision.FORWARD:
                # 转送交办: the case and its reply clock go to the competent unit.
                perform_transition(
                    case,
                    "route",
                    actor,
                    now,
                    note=note,
                    unit_id=unit_id,
                    triage_class=TriageClass.MAJOR,
                    override_reason=note or _("Forwarded as a petition (转送交办)"),
                )
        case.refresh_from_db()
        petition = Petition.objects.get(pk=petition.pk)
        petition.decision, petition.decided_at, petition.decided_by = decision, now, actor
        petition.guide = guide
        if decision == Decision.FORWARD:
            petition.forwarded_to = case.owner_unit
        if form:
            petition.form = form
        petition.save()
        append_event(
            case,
            "petition_decided",
            now,
            actor=actor,
            actor_unit=membership.unit,
            note=note,
            data={
                "decision": str(Decision(decision).label),
                "forwarded_to": petition.forwarded_to.name if petition.forwarded_to else "",
                "guide": guide.name if guide else "",
                "who": guide.competent if guide else "",
                "how": guide.how if guide else "",
            },
        )
    return petition


def _start_handling(petition: Petition, case: Case, actor, now: datetime.datetime) -> None:
    """受理: the 15-day clock closes (met when in time) and the 60-day clock starts; the
    petition's own limit replaces the mediation limit an ordinary case runs on."""
    deadlines.close_deadlines(case, [Clock.PETITION_DECIDE], now)
    deadlines.cancel_deadlines(case, [Clock.RESOLVE], now)
    due = _due(now, HANDLE_DAYS)
    deadlines.open_deadline(case, Clock.PETITION_REPLY, case.owner_unit, now, due_at=due)
    petition.stage, petition.accepted_at = Stage.HANDLING, now
    petition.decision = petition.decision or Decision.ACCEPT
    petition.decided_at, petition.decided_by = petition.decided_at or now, actor
    petition.save()


def on_case_accepted(case, actor, actor_unit, now, note, params) -> dict:
    """TransitionExtension of "accept": accepting a petition case, from the case page, the
    queue's batch or the API alike, accepts the petition (受理)."""
    petition = Petition.objects.select_for_update().filter(case=case).first()
    if petition is None or petition.stage != Stage.REGISTERED:
        return {}
    _start_handling(petition, case, actor, now)
    return {"petition_reply_by": _due(now, HANDLE_DAYS).isoformat()}


def on_case_declined(case, actor, actor_unit, now, note, params) -> dict:
    """TransitionExtension of "reject": declining a petition case tells the petitioner the
    competent channel (告知); the decline's note is what they are told."""
    petition = Petition.objects.select_for_update().filter(case=case).first()
    if petition is None or petition.stage != Stage.REGISTERED:
        return {}
    deadlines.close_deadlines(case, [Clock.PETITION_DECIDE], now)
    petition.stage, petition.decision = Stage.REDIRECTED, Decision.REDIRECT
    petition.decided_at, petition.decided_by = now, actor
    petition.save()
    return {}


def _guide(guide_id) -> ChannelGuide | None:
    try:
        return ChannelGuide.objects.filter(pk=int(guide_id), is_active=True).first()
    except (TypeError, ValueError):
        return None


def forward_units(case: Case, actor):
    return routable_units(case, actor)


# ---------------------------------------------------------------- handling (60 + 30 days)


def extend(petition: Petition, actor, days, reason: str, now: datetime.datetime) -> Petition:
    """A leader of the handling organ extends the handling once, by at most 30 days, with
    the reason the petitioner is told (第三十六条)."""
    errors: dict[str, str] = {}
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        errors["days"] = _(
            "An extension is 1 to %(n)d days: the regulation allows at most %(n)d."
        ) % {"n": MAX_EXTENSION_DAYS}
    reason = _text(reason, "reason", errors, _("Give the reason the petitioner is told."))
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors)
    with transaction.atomic():
        petition, case = _lock(petition)
        membership = _member(
            actor,
            case,
            {Role.LEADER},
            _("An extension needs the approval of a leader of the handling organ (负责人批准)."),
        )
        _stage_is(petition, Stage.HANDLING)
        if petition.extended_days:
            raise InvalidInput(
                _("The handling was extended once already; the regulation allows one extension."),
                {"days": _("Extended once already.")},
            )
        deadline = Deadline.objects.select_for_update().get(
            case=case, clock=Clock.PETITION_REPLY, state=DeadlineState.OPEN
        )
        if now > deadline.due_at:
            raise InvalidInput(
                _("The 60 days have passed; an extension must be approved within them."),
                {"days": _("The handling period has passed.")},
            )
        before = deadline.due_at
        deadline.due_at = _due(deadline.started_at, HANDLE_DAYS + days)
        deadline.warn_at = now + (deadline.due_at - now) * 0.8
        deadline.warned_at = None
        deadline.save(update_fields=["due_at", "warn_at", "warned_at"])
        petition.extended_days, petition.extension_reason = days, reason
        petition.extended_by, petition.extended_at = actor, now
        petition.save()
        append_event(
            case,
            "petition_extended",
            now,
            actor=actor,
            actor_unit=membership.unit,
            note=reason,
            data={"days": days, "due": [before.isoformat(), deadline.due_at.isoformat()]},
        )
    return petition


# ---------------------------------------------------------------- written opinions


def _opinion_input(result: str, facts: str, text: str, basis: str, kind: str) -> tuple:
    errors: dict[str, str] = {}
    allowed = (
        [OpinionResult.SUPPORT, OpinionResult.EXPLAIN, OpinionResult.REJECT]
        if kind == OpinionKind.HANDLING
        else [OpinionResult.UPHOLD, OpinionResult.CHANGE]
    )
    if result not in allowed:
        errors["result"] = _("Choose one of the results offered.")
    facts = _text(facts, "facts", errors, _("Write the facts found."))
    text = _text(text, "text", errors, _("Write the opinion."))
    basis = _text(basis, "basis", errors, "", required=False)
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors)
    return facts, text, basis


STEPS = {
    # kind: (stage before, stage after, roles, clock closed, the petition's time field, event)
    OpinionKind.HANDLING: (
        Stage.HANDLING,
        Stage.REPLIED,
        HANDLING_ROLES,
        Clock.PETITION_REPLY,
        "replied_at",
        "petition_replied",
    ),
    OpinionKind.REVIEW: (
        Stage.REVIEW,
        Stage.REVIEWED,
        CENTER_ROLES,
        Clock.PETITION_REVIEW,
        "reviewed_at",
        "petition_reviewed",
    ),
    OpinionKind.RECHECK: (
        Stage.RECHECK,
        Stage.CLOSED,
        CENTER_ROLES,
        Clock.PETITION_RECHECK,
        "rechecked_at",
        "petition_rechecked",
    ),
}


def give_opinion(
    petition: Petition,
    actor,
    kind: str,
    now: datetime.datetime,
    *,
    result: str,
    facts: str,
    text: str,
    basis: str = "",
) -> Opinion:
    """The written opinion of a step: the 答复意见书 of the handling, the 复查 or the 复核
    opinion; it closes the step's clock (met when on time)."""
    if kind not in STEPS:
        raise InvalidInput(_("Unknown kind of opinion."), {"kind": _("Unknown kind of opinion.")})
    facts, text, basis = _opinion_input(result, facts, text, basis, kind)
    before, after, roles, clock, field, event = STEPS[kind]
    with transaction.atomic():
        petition, case = _lock(petition)
        membership = _member(actor, case, roles)
        _stage_is(petition, before)
        opinion = Opinion.objects.create(
            petition=petition,
            kind=kind,
            result=result,
            facts=facts,
            text=text,
            basis=basis,
            unit=membership.unit,
            issued_by=actor,
            issued_at=now,
        )
        deadline = open_deadline(petition)
        met = deadline is None or now <= deadline.due_at
        deadlines.close_deadlines(case, [clock], now)
        petition.stage = after
        setattr(petition, field, now)
        petition.save()
        append_event(
            case,
            event,
            now,
            actor=actor,
            actor_unit=membership.unit,
            note=text,
            data={"result": str(OpinionResult(result).label), "on_time": met},
        )
    return opinion


REQUESTS = {
    # kind: (stage before, stage after, the opinion asked against, its time, days, clock, …)
    OpinionKind.REVIEW: (
        Stage.REPLIED,
        Stage.REVIEW,
        "replied_at",
        REVIEW_DAYS,
        Clock.PETITION_REVIEW,
        "review_requested_at",
        "petition_review_requested",
    ),
    OpinionKind.RECHECK: (
        Stage.REVIEWED,
        Stage.RECHECK,
        "reviewed_at",
        RECHECK_DAYS,
        Clock.PETITION_RECHECK,
        "recheck_requested_at",
        "petition_recheck_requested",
    ),
}


def request_window_ends(petition: Petition, kind: str) -> datetime.datetime | None:
    """Until when the petitioner may ask for 复查 (or 复核) of the opinion before it."""
    given = getattr(petition, REQUESTS[kind][2]) if kind in REQUESTS else None
    return _due(given, REQUEST_WINDOW_DAYS) if given else None


# Whose opinion a 复查 (复核) request is about: the organ above that one takes it.
OPINION_BEFORE = {OpinionKind.REVIEW: OpinionKind.HANDLING, OpinionKind.RECHECK: OpinionKind.REVIEW}


def _check_upper_organ(petition: Petition, kind: str, unit: Unit) -> None:
    """第三十七、三十八条: 复查 is asked of the organ above the one that gave the handling
    opinion, 复核 of the organ above the one that gave the 复查 opinion — here a unit of an
    area above that unit's area. Where that area is the top of this installation's tree
    (no organ above it is in the system), its own level records the request."""
    previous = (
        Opinion.objects.filter(petition=petition, kind=OPINION_BEFORE[kind])
        .select_related("unit__area")
        .first()
    )
    if previous is None:
        return
    below = previous.unit.area
    if below.parent_id is None:
        if unit.area_id != below.pk:
            raise NotAllowed(_("Only the organ that gave the opinion can record this request."))
        return
    if unit.area_id == below.pk or not below.is_within(unit.area):
        raise NotAllowed(
            _(
                "The request goes to the organ above %(unit)s, which gave the opinion: a center "
                "of a higher level records it."
            )
            % {"unit": previous.unit.name}
        )


def request(petition: Petition, actor, kind: str, note: str, now: datetime.datetime) -> Petition:
    """The petitioner asks the organ above for 复查 (or 复核) within 30 days of the written
    opinion (第三十七、三十八条); that organ's 30-day clock starts."""
    if kind not in REQUESTS:
        raise InvalidInput(_("Unknown kind of request."), {"kind": _("Review or re-examination.")})
    errors: dict[str, str] = {}
    note = _text(note, "note", errors, _("Write what the petitioner asks and why."))
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors)
    before, after, _given, days, clock, field, event = REQUESTS[kind]
    with transaction.atomic():
        petition, case = _lock(petition)
        membership = _member(actor, case, CENTER_ROLES)
        _stage_is(petition, before)
        _check_upper_organ(petition, kind, membership.unit)
        ends = request_window_ends(petition, kind)
        if now > ends:
            raise InvalidInput(
                _(
                    "The request came too late: it must be made within %(n)d days of the "
                    "written opinion, that is by %(date)s."
                )
                % {"n": REQUEST_WINDOW_DAYS, "date": local_date(ends).isoformat()},
                {"note": _("The request window has passed.")},
            )
        due = _due(now, days)
        deadlines.open_deadline(case, clock, membership.unit, now, due_at=due)
        petition.stage = after
        setattr(petition, field, now)
        petition.save()
        append_event(
            case,
            event,
            now,
            actor=actor,
            actor_unit=membership.unit,
            note=note,
            data={"due": due.isoformat(), "unit": membership.unit.name},
        )
    return petition


# ---------------------------------------------------------------- leader reception days


def center_memberships(actor):
    """The memberships through which `actor` schedules reception days: center staff of a
    territorial unit."""
    return [
        m
        for m in memberships_of(actor)
        if m.unit.is_territorial and (m.role in CENTER_ROLES or actor.is_superuser)
    ]


def leaders_of(unit: Unit):
    return get_user_model().objects.filter(
        memberships__unit=unit, memberships__role=Role.LEADER, is_active=True
    )


def schedule_reception(
    actor,
    unit_id,
    leader_id,
    date: datetime.date | None,
    place: str,
    kind: str,
    now: datetime.datetime,
    note: str = "",
) -> ReceptionDay:
    """A center schedules one of its leaders' reception days (领导接访 or 下访)."""
    errors: dict[str, str] = {}
    units = {m.unit.pk: m.unit for m in center_memberships(actor)}
    try:
        unit = units.get(int(unit_id))
    except (TypeError, ValueError):
        unit = None
    if unit is None:
        errors["unit_id"] = _("Choose a center you work at.")
    leader = None
    if unit is not None:
        try:
            leader = leaders_of(unit).filter(pk=int(leader_id)).first()
        except (TypeError, ValueError):
            leader = None
        if leader is None:
            errors["leader_id"] = _("Choose a leader of this center.")
    if date is None:
        errors["date"] = _("Give the date.")
    elif date < local_date(now):
        errors["date"] = _("A reception day cannot be in the past.")
    if kind not in ReceptionKind.values:
        errors["kind"] = _("Choose receiving visitors or visiting down.")
    place = (place or "").strip()
    if not place:
        errors["place"] = _("Give the place.")
    elif len(place) > 100:
        errors["place"] = _("At most %(n)d characters.") % {"n": 100}
    note = (note or "").strip()[:200]
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors)
    return ReceptionDay.objects.create(
        unit=unit,
        leader=leader,
        date=date,
        place=place,
        kind=kind,
        note=note,
        created_by=actor,
        created_at=now,
    )


def days_for(case: Case, now: datetime.datetime | None = None):
    """The coming reception days a case can be booked to: of centers over its area."""
    today = local_date(now) if now else jclock.today_local()
    return (
        ReceptionDay.objects.filter(date__gte=today, unit__area_id__in=case.area.ancestor_ids)
        .select_related("unit", "leader")
        .order_by("date", "pk")
    )


def book(case: Case, actor, day_id, now: datetime.datetime) -> Booking:
    """Book the case to a leader's reception day; the booking is on the case's timeline."""
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("owner_unit__area", "area")
            .get(pk=case.pk)
        )
        membership = _member(actor, case, CENTER_ROLES)
        try:
            day = days_for(case, now).filter(pk=int(day_id)).first()
        except (TypeError, ValueError):
            day = None
        if day is None:
            raise InvalidInput(
                _("Choose a coming reception day of a center over the case's area."),
                {"day_id": _("Unknown or past reception day.")},
            )
        if Booking.objects.filter(day=day, case=case).exists():
            raise InvalidInput(
                _("The case is booked to this reception day already."),
                {"day_id": _("Booked already.")},
            )
        booking = Booking.objects.create(day=day, case=case, booked_by=actor, booked_at=now)
        append_event(
            case,
            "reception_booked",
            now,
            actor=actor,
            actor_unit=membership.unit,
            data=_day_data(day),
        )
    return booking


def _day_data(day: ReceptionDay) -> dict:
    return {
        "date": day.date.isoformat(),
        "leader": day.leader.get_full_name() or day.leader.username,
        "place": day.place,
        "kind": str(ReceptionKind(day.kind).label),
    }


def record_reception(booking: Booking, actor, outcome: str, now: datetime.datetime) -> Booking:
    """The leader records what the reception of this case came to; it goes on the case."""
    errors: dict[str, str] = {}
    outcome = _text(outcome, "outcome", errors, _("Write what the reception came to."))
    if errors:
        raise InvalidInput(_("Please correct the marked fields."), errors)
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("day__leader", "day__unit", "case")
            .get(pk=booking.pk)
        )
        day = booking.day
        if actor.pk != day.leader_id and not actor.is_superuser:
            raise NotAllowed(_("Only the leader of the reception day records its outcome."))
        if day.date > local_date(now):
            raise InvalidInput(_("The reception day has not come yet."), {"outcome": _("Not yet.")})
        if booking.recorded_at:
            raise InvalidInput(
                _("The outcome of this reception is recorded already."),
                {"outcome": _("Recorded already.")},
            )
        booking.outcome, booking.recorded_by, booking.recorded_at = outcome, actor, now
        booking.save()
        append_event(
            booking.case,
            "reception_held",
            now,
            actor=actor,
            actor_unit=day.unit,
            note=outcome,
            data=_day_data(day),
        )
    return booking
