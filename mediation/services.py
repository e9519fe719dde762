"""Every write of mediation work: assign mediators, schedule and record sessions, end the
mediation (agreement, none, withdrawal) and 司法确认.

Each runs in one transaction: lock the case row (then the session, agreement or confirmation
row), check status and permission against the locked rows, validate, write, append the case
timeline event. The objects a caller passes in only name the rows: a form loaded before
another request changed the case is judged by the case as it is now.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from areas.models import Membership, Role, Unit, UnitKind
from cases.errors import InvalidInput, NotAllowed
from cases.models import Case, CaseUnitRelation
from cases.services import (
    acting_membership,
    append_event,
    link_unit,
    next_number,
    perform_transition,
)
from cases.workflow import HANDLING_ROLES, OPEN_STATUSES, Status, TransferChannel
from clocks import deadlines
from clocks.calendar import end_of_day
from clocks.models import Clock
from jiefen.localtime import LOCAL_TZ, minute
from notifications.models import Kind
from notifications.services import notify, notify_phone, unit_staff
from routing.escalation import record_failed_attempt

from .models import (
    Agreement,
    AgreementForm,
    Assignment,
    AssignmentRole,
    Confirmation,
    Decision,
    Mediator,
    Session,
    SessionKind,
    SessionResult,
)
from .selectors import competent_court

# 人民调解法 art. 33: the joint application within 30 days of the agreement taking effect.
CONFIRM_DAYS = 30
WORKING_STATUSES = {Status.IN_HANDLING, Status.STABILISED}
ASSIGNABLE_STATUSES = OPEN_STATUSES | WORKING_STATUSES  # mediators can be put on these


def _acting(case: Case, actor) -> Membership:
    membership = acting_membership(actor, case, HANDLING_ROLES)
    if membership is None:
        raise NotAllowed(_("You are not allowed to do this on this case."))
    return membership


def _lock_case(pk: int) -> Case:
    """The case row, locked until the transaction ends; every check of a service reads it.

    The case is always locked first, then the mediation rows, so two writers never wait on
    each other in opposite orders.
    """
    # of=("self",): lock the case row only (as cases.services.perform_transition does).
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("owner_unit__area", "area")
        .get(pk=pk)
    )


def _lock_agreement(pk: int, case: Case) -> Agreement:
    agreement = Agreement.objects.select_for_update().get(pk=pk)
    agreement.case = case
    return agreement


def _lock_confirmation(pk: int, case: Case) -> Confirmation:
    confirmation = Confirmation.objects.select_for_update().get(pk=pk)
    confirmation.agreement = _lock_agreement(confirmation.agreement_id, case)
    return confirmation


def agreement_register(unit_id: int, year: int) -> str:
    """The key of a unit's register of agreements of a year (see cases.services.next_number)."""
    return f"agreement:{unit_id}:{year}"


# ---------------------------------------------------------------- mediators


def assign_mediators(
    case: Case, actor, now: datetime.datetime, mediator_ids: list[int], lead_id: int | None = None
) -> list[Assignment]:
    """Put one mediator or a panel on the case; the first (or `lead_id`) leads if none does."""
    with transaction.atomic():
        case = _lock_case(case.pk)
        if case.status not in ASSIGNABLE_STATUSES:
            raise InvalidInput(_("Mediators can only be assigned to a case that is still open."))
        membership = _acting(case, actor)
        chosen = list(Mediator.objects.filter(pk__in=mediator_ids, is_active=True))
        if not chosen or len(chosen) != len(set(mediator_ids)):
            raise InvalidInput(
                _("Choose at least one active mediator."), {"mediators": _("Unknown mediator.")}
            )
        # The case lock serialises every change of the case's assignments.
        running = Assignment.objects.filter(case=case, ended_at__isnull=True)
        if running.filter(mediator__in=chosen).exists():
            raise InvalidInput(
                _("This mediator is already on the case."),
                {"mediators": _("Already assigned.")},
            )
        has_lead = running.filter(role=AssignmentRole.LEAD).exists()
        lead_id = lead_id if lead_id in {m.pk for m in chosen} else None
        if not has_lead and lead_id is None:
            lead_id = chosen[0].pk
        created = Assignment.objects.bulk_create(
            [
                Assignment(
                    case=case,
                    mediator=m,
                    role=AssignmentRole.LEAD if m.pk == lead_id else AssignmentRole.MEMBER,
                    assigned_by=actor,
                    assigned_at=now,
                )
                for m in chosen
            ]
        )
        for m in chosen:
            if m.unit_id:
                # A mediator from another committee or an expert's unit needs to read the case.
                link_unit(case, m.unit, CaseUnitRelation.ASSISTING, now)
        event = append_event(
            case,
            "mediators_assigned",
            now,
            actor=actor,
            actor_unit=membership.unit,
            note="、".join(m.name for m in chosen),
            data={"mediators": [[a.mediator.name, a.role] for a in created]},
        )
        notify(
            [m.user for m in chosen if m.user_id],
            kind=Kind.MEDIATION,
            title=_("You were assigned to mediate case %(code)s") % {"code": case.code},
            body=case.title,
            key=f"mediation:assigned:{event.pk}",
            now=now,
            case=case,
        )
    return created


def _end_assignments(case: Case, now: datetime.datetime) -> None:
    Assignment.objects.filter(case=case, ended_at__isnull=True).update(ended_at=now)


# ---------------------------------------------------------------- sessions


def schedule_session(
    case: Case,
    actor,
    now: datetime.datetime,
    *,
    starts_at: datetime.datetime,
    kind: str = SessionKind.MEDIATION,
    place: str = "",
    online_link: str = "",
) -> Session:
    """Schedule a mediation session or an investigation and tell each party with a phone."""
    with transaction.atomic():
        case = _lock_case(case.pk)
        membership = _acting(case, actor)
        errors = {}
        if case.status not in OPEN_STATUSES | WORKING_STATUSES:
            raise InvalidInput(_("Sessions can only be scheduled while the case is open."))
        if kind not in SessionKind.values:
            errors["kind"] = _("Unknown kind of session.")
        _check_time_and_place(starts_at, place, online_link, errors)
        if errors:
            raise InvalidInput(_("Please correct the marked fields."), errors)
        # Numbered under the case lock: two sessions scheduled at once get distinct numbers.
        last = case.mediation_sessions.aggregate(n=Max("number"))["n"] or 0
        session = Session.objects.create(
            case=case,
            number=last + 1,
            kind=kind,
            starts_at=starts_at,
            place=place.strip(),
            online_link=online_link.strip(),
            scheduled_by=actor,
        )
        append_event(
            case,
            "session_scheduled",
            now,
            actor=actor,
            actor_unit=membership.unit,
            note=f"{SessionKind(kind).label} · {minute(starts_at)} · {_where(session)}",
        )
        text = _("%(unit)s invites you to a %(kind)s on %(time)s at %(where)s (case %(code)s).")
        _notify_parties(
            case, session, membership.unit, text, f"mediation:session:{session.pk}", now
        )
    return session


def _where(session: Session) -> str:
    return session.place or session.online_link


def _check_time_and_place(
    starts_at: datetime.datetime | None, place: str, online_link: str, errors: dict
) -> None:
    if starts_at is None:
        errors["starts_at"] = _("Enter the time.")
    if not (place or "").strip() and not (online_link or "").strip():
        errors["place"] = _("Enter a place or an online meeting link.")


def _notify_parties(
    case: Case, session: Session, unit: Unit, text: str, key: str, now: datetime.datetime
) -> None:
    """Tell each party with a phone when and where the session is; `text` names the fields."""
    body = text % {
        "unit": unit.name,
        "kind": SessionKind(session.kind).label,
        "time": minute(session.starts_at),
        "where": _where(session),
        "code": case.code,
    }
    for party in case.parties.exclude(phone=""):
        notify_phone(
            party.phone,
            title=_("Mediation notice"),
            body=body,
            key=f"{key}:party:{party.pk}",
            now=now,
            case=case,
        )


def reschedule_session(
    session: Session,
    actor,
    now: datetime.datetime,
    *,
    starts_at: datetime.datetime,
    place: str = "",
    online_link: str = "",
) -> Session:
    """Move a session that has not been held to another time or place and tell each party
    with a phone, as scheduling does."""
    with transaction.atomic():
        case = _lock_case(session.case_id)
        session = Session.objects.select_for_update().get(pk=session.pk)
        session.case = case
        membership = _acting(case, actor)
        if session.held_at is not None:
            raise InvalidInput(_("This session has already been recorded; it cannot be moved."))
        if case.status not in OPEN_STATUSES | WORKING_STATUSES:
            raise InvalidInput(_("Sessions can only be scheduled while the case is open."))
        errors: dict[str, str] = {}
        _check_time_and_place(starts_at, place, online_link, errors)
        if errors:
            raise InvalidInput(_("Please correct the marked fields."), errors)
        place, online_link = place.strip(), online_link.strip()
        if (starts_at, place, online_link) == (
            session.starts_at,
            session.place,
            session.online_link,
        ):
            raise InvalidInput(
                _("The session is already at this time and place."),
                {"starts_at": _("Enter the new time or place.")},
            )
        before = f"{minute(session.starts_at)} · {_where(session)}"
        session.starts_at, session.place, session.online_link = starts_at, place, online_link
        session.save(update_fields=["starts_at", "place", "online_link"])
        event = append_event(
            case,
            "session_rescheduled",
            now,
            actor=actor,
            actor_unit=membership.unit,
            note=f"{SessionKind(session.kind).label} · {before} → "
            f"{minute(starts_at)} · {_where(session)}",
            data={"session": session.number},
        )
        text = _(
            "%(unit)s has moved the %(kind)s of case %(code)s: it now takes place on %(time)s "
            "at %(where)s."
        )
        key = f"mediation:session:{session.pk}:moved:{event.pk}"
        _notify_parties(case, session, membership.unit, text, key, now)
    return session


@dataclass
class AgreementInput:
    form: str
    facts: str
    content: str
    performance_method: str
    performance_due: datetime.date | None = None
    effective_on: datetime.date | None = None
    amount: Decimal | None = None  # 协议涉及金额, yuan


@dataclass
class SessionRecord:
    result: str
    attendees: str = ""
    interviewee: str = ""
    recorder: str = ""
    facts: str = ""
    positions: list | None = None  # [{"party": name, "text": statement}, …]
    proposal: str = ""
    note: str = ""


def held_on(session: Session) -> datetime.date:
    """The day a session took place: the local date of its (last scheduled) time."""
    return session.starts_at.astimezone(LOCAL_TZ).date()


def _validate_agreement(
    data: AgreementInput | None, session: Session, now: datetime.datetime, errors: dict
) -> None:
    if data is None:
        errors["content"] = _("Enter the terms of the agreement.")
        return
    if data.form not in AgreementForm.values:
        errors["form"] = _("Choose written or oral agreement.")
    for attr, name in (
        ("facts", "agreement_facts"),
        ("content", "content"),
        ("performance_method", "performance_method"),
    ):
        if not (getattr(data, attr) or "").strip():
            errors[name] = _("This field is required.")
    if data.amount is not None and not (0 <= data.amount < Decimal("1e12")):
        errors["amount"] = _("Enter the amount in yuan, e.g. 12000.50.")
    # A written agreement takes effect when signed and sealed (art. 29): not before the
    # session that reached it, and not after the day it is recorded as concluded.
    if data.form == AgreementForm.WRITTEN and data.effective_on is not None:
        if data.effective_on < held_on(session):
            errors["effective_on"] = _(
                "An agreement cannot take effect before the session that reached it (%(day)s)."
            ) % {"day": held_on(session).isoformat()}
        elif data.effective_on > now.astimezone(LOCAL_TZ).date():
            errors["effective_on"] = _(
                "An agreement cannot take effect after today: enter the day it was signed."
            )


def record_session(
    session: Session,
    actor,
    now: datetime.datetime,
    record: SessionRecord,
    agreement: AgreementInput | None = None,
) -> Session:
    """Write what happened at a session; a failed attempt counts toward escalation, an
    agreement resolves the case and a withdrawal terminates it."""
    with transaction.atomic():
        case = _lock_case(session.case_id)
        session = Session.objects.select_for_update().get(pk=session.pk)
        session.case = case
        membership = _acting(case, actor)
        # A double submit of the form: the second finds the first's record under the lock.
        if session.held_at is not None:
            raise InvalidInput(_("This session has already been recorded."))
        if case.status not in WORKING_STATUSES:
            raise InvalidInput(
                _("Take the case over (start handling) before recording a session."),
            )
        # From its scheduled start on (a session held earlier was moved: reschedule it first).
        if now < session.starts_at:
            raise InvalidInput(
                _(
                    "This session is scheduled for %(time)s and cannot be recorded before then; "
                    "if it took place at another time, reschedule it first."
                )
                % {"time": minute(session.starts_at)}
            )
        investigation = session.kind == SessionKind.INVESTIGATION
        result = SessionResult.CONTINUE if investigation else record.result
        errors: dict[str, str] = {}
        if result not in SessionResult.values:
            errors["result"] = _("Choose the result of the session.")
        if not (record.facts or "").strip():
            errors["facts"] = _("Record what was found.")
        if result in (SessionResult.FAILED, SessionResult.WITHDRAWN) and not record.note.strip():
            errors["note"] = _("Say why, and which routes remain open to the parties.")
        if result == SessionResult.AGREEMENT:
            _validate_agreement(agreement, session, now, errors)
        if errors:
            raise InvalidInput(_("Please correct the marked fields."), errors)
        session.held_at = now
        session.attendees = record.attendees.strip()
        session.interviewee = record.interviewee.strip()
        session.recorder = record.recorder.strip()
        session.facts = record.facts.strip()
        session.positions = [p for p in record.positions or [] if (p.get("text") or "").strip()]
        session.proposal = record.proposal.strip()
        session.result = result
        session.note = record.note.strip()
        session.recorded_by = actor
        session.save()
        append_event(
            case,
            "session_recorded",
            now,
            actor=actor,
            actor_unit=membership.unit,
            note=session.note or session.facts,
            data={"session": session.number, "result": result},
        )
        if result == SessionResult.FAILED:
            record_failed_attempt(case, actor, now, session.note)
        elif result == SessionResult.WITHDRAWN:
            _end_assignments(case, now)
            perform_transition(
                case, "terminate", actor, now, note=_("Withdrawn: %s") % session.note
            )
        elif result == SessionResult.AGREEMENT:
            _make_agreement(case, session, membership.unit, actor, now, agreement)
    return session


def _make_agreement(
    case: Case, session: Session, unit: Unit, actor, now: datetime.datetime, data: AgreementInput
) -> Agreement:
    year = now.astimezone(LOCAL_TZ).year
    # The unit's register of the year: concurrent agreements queue on its row until commit.
    sequence = next_number(agreement_register(unit.pk, year))
    # 人民调解法 art. 30: an oral agreement takes effect on the day it is reached, the day of the
    # session (which may be before the day it is recorded); a written one when signed and
    # sealed, at the session unless the mediator entered a later day.
    reached = held_on(session)
    effective = reached if data.form == AgreementForm.ORAL else (data.effective_on or reached)
    agreement = Agreement.objects.create(
        case=case,
        session=session,
        unit=unit,
        year=year,
        sequence=sequence,
        form=data.form,
        facts=data.facts.strip(),
        content=data.content.strip(),
        performance_method=data.performance_method.strip(),
        performance_due=data.performance_due,
        effective_on=effective,
        amount=data.amount,
        created_by=actor,
        created_at=now,
    )
    _end_assignments(case, now)
    note = _("Agreement %(number)s (%(form)s): %(content)s") % {
        "number": agreement.number,
        "form": AgreementForm(agreement.form).label,
        "content": agreement.content,
    }
    perform_transition(case, "resolve", actor, now, note=note)
    return agreement


def end_without_agreement(
    case: Case, actor, now: datetime.datetime, note: str, channel: str = ""
) -> Case:
    """人民调解法 art. 26: mediation ends without agreement; the parties are told which routes
    remain. Naming a channel (litigation, arbitration…) sends the case there."""
    with transaction.atomic():
        case = _lock_case(case.pk)
        _acting(case, actor)
        if channel and channel not in TransferChannel.values:
            raise InvalidInput(
                _("Choose where the case is sent."), {"channel": _("Unknown channel.")}
            )
        # perform_transition checks the status on the same locked row; a refusal rolls this back.
        _end_assignments(case, now)
        return perform_transition(
            case,
            "transfer" if channel else "terminate",
            actor,
            now,
            note=(note or "").strip(),
            channel=channel,
        )


# ---------------------------------------------------------------- 司法确认


def confirmation_due(agreement: Agreement) -> datetime.datetime:
    """The end of the 30th day after the agreement took effect (the start day does not count)."""
    return end_of_day(agreement.effective_on + datetime.timedelta(days=CONFIRM_DAYS))


def prepare_confirmation(
    agreement: Agreement, actor, now: datetime.datetime, court: Unit | None = None
) -> Confirmation:
    """Prepare the parties' joint application to the competent court and open its 30-day clock."""
    with transaction.atomic():
        case = _lock_case(agreement.case_id)
        agreement = _lock_agreement(agreement.pk, case)
        membership = _acting(case, actor)
        if agreement.form != AgreementForm.WRITTEN:
            raise InvalidInput(_("Only a written agreement can be confirmed by a court."))
        if Confirmation.objects.filter(agreement=agreement).exists():
            raise InvalidInput(_("The application for this agreement is already prepared."))
        court = court or competent_court(case)
        if court is None or court.kind not in (UnitKind.COURT, UnitKind.TRIBUNAL):
            raise InvalidInput(
                _("No court or people's tribunal serves this area."),
                {"court": _("Choose a court.")},
            )
        confirmation = Confirmation.objects.create(
            agreement=agreement, court=court, prepared_at=now, prepared_by=actor
        )
        deadlines.open_deadline(
            case, Clock.CONFIRM, case.owner_unit, now, due_at=confirmation_due(agreement)
        )
        append_event(
            case,
            "confirmation_prepared",
            now,
            actor=actor,
            actor_unit=membership.unit,
            note=f"{agreement.number} → {court.name}",
        )
    return confirmation


def file_confirmation(confirmation: Confirmation, actor, now: datetime.datetime) -> Confirmation:
    """The application was handed in at the court: the clock stops, the court is told."""
    with transaction.atomic():
        case = _lock_case(confirmation.agreement.case_id)
        confirmation = _lock_confirmation(confirmation.pk, case)
        membership = _acting(case, actor)
        if confirmation.filed_at:
            raise InvalidInput(_("The application has already been filed."))
        confirmation.filed_at = now
        confirmation.save(update_fields=["filed_at"])
        deadlines.close_deadlines(case, [Clock.CONFIRM], now)
        link_unit(case, confirmation.court, CaseUnitRelation.ASSISTING, now)
        event = append_event(
            case,
            "confirmation_filed",
            now,
            actor=actor,
            actor_unit=membership.unit,
            note=f"{confirmation.agreement.number} → {confirmation.court.name}",
        )
        notify(
            unit_staff(confirmation.court, [Role.COURT_LIAISON]),
            kind=Kind.COURT,
            title=_("Application for judicial confirmation, case %(code)s") % {"code": case.code},
            body=confirmation.agreement.number,
            key=f"mediation:confirmation:{event.pk}",
            now=now,
            case=case,
        )
    return confirmation


def record_court_decision(
    confirmation: Confirmation, actor, now: datetime.datetime, decision: str, reason: str = ""
) -> Confirmation:
    """The court's ruling: confirmed (enforceable) or rejected with its reason (art. 33)."""
    with transaction.atomic():
        case = _lock_case(confirmation.agreement.case_id)
        confirmation = _lock_confirmation(confirmation.pk, case)
        in_court = Membership.objects.filter(user=actor, unit=confirmation.court_id).exists()
        membership = None if in_court else _acting(case, actor)
        if not confirmation.filed_at:
            raise InvalidInput(_("File the application before recording the court's decision."))
        if confirmation.decided_at is not None:
            raise InvalidInput(_("The court's decision has already been recorded."))
        if decision not in (Decision.CONFIRMED, Decision.REJECTED):
            raise InvalidInput(_("Choose the decision."), {"decision": _("Unknown decision.")})
        reason = (reason or "").strip()
        if decision == Decision.REJECTED and not reason:
            raise InvalidInput(
                _("Give the court's reason."), {"reason": _("A rejection needs the reason.")}
            )
        confirmation.decision = decision
        confirmation.reason = reason
        confirmation.decided_at = now
        confirmation.save(update_fields=["decision", "reason", "decided_at"])
        append_event(
            case,
            "court_decision",
            now,
            actor=actor,
            actor_unit=membership.unit if membership else confirmation.court,
            note=f"{Decision(decision).label}{'：' + reason if reason else ''}",
            data={"decision": decision},
        )
    return confirmation
