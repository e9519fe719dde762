"""Mediation work: proposing and assigning mediators, sessions, failed attempts under "321",
agreements, and the judicial-confirmation clock through the sweep."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import translation

from areas.models import Level
from cases.errors import InvalidInput, NotAllowed
from cases.models import Category
from cases.services import perform_transition
from cases.workflow import Status
from clocks.models import Clock, Deadline, DeadlineState, EscalationPolicy, PolicyArea
from mediation import selectors, services
from mediation.models import (
    Agreement,
    AgreementForm,
    Assignment,
    AssignmentRole,
    Decision,
    Mediator,
    MediatorKind,
    Session,
    SessionResult,
)
from notifications.models import Notification
from notifications.senders import MemorySender
from routing.sweep import sweep
from tests.factories import new_case

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=SH)  # a Monday
DAY = datetime.timedelta(days=1)


def mediator(name, areas, categories=(), unit=None, user=None, **kw):
    m = Mediator.objects.create(
        name=name, kind=kw.pop("kind", MediatorKind.PEOPLE), unit=unit, user=user, **kw
    )
    m.areas.set(areas)
    m.specialities.set(Category.objects.filter(code__in=categories))
    return m


def in_handling_at_village(county, now=T0):
    case = new_case(county, actor_key="vclerk", area=county.villages[0], now=now)
    case = perform_transition(case, "accept", county.users["vclerk"], now)
    case = perform_transition(
        case, "route", county.users["vclerk"], now, unit_id=county.units["committee"].pk
    )
    return perform_transition(case, "start", county.users["mediator"], now)


def reload(obj):
    obj.refresh_from_db()
    return obj


def record(case, actor, result, now, note="", **agreement):
    session = services.schedule_session(case, actor, now, starts_at=now, place="村调解室")
    data = services.AgreementInput(**agreement) if agreement else None
    return services.record_session(
        session,
        actor,
        now,
        services.SessionRecord(result=result, facts="双方对渗水原因各执一词。", note=note),
        data,
    )


@pytest.fixture
def notify_memory(settings):
    settings.NOTIFY_SENDERS = ["notifications.senders.MemorySender"]
    MemorySender.sent.clear()
    return MemorySender.sent


def test_proposal_ranks_by_category_then_nearest_area_then_load(county):
    case = new_case(county, area=county.grids[0], now=T0)  # category 0201
    v0, town, whole = county.villages[0], county.towns[0], county.county
    exact_far = mediator("县调解员甲", [whole], ["0201"])
    exact_near_busy = mediator("村调解员乙", [v0], ["0201"])
    exact_near_free = mediator("村调解员丙", [v0], ["0201"])
    major_near = mediator("镇调解员丁", [town], ["02"])
    none_near = mediator("村调解员戊", [v0])
    mediator("外镇调解员", [county.towns[1]], ["0201"])  # does not serve the case's area
    mediator("停用调解员", [v0], ["0201"], is_active=False)
    busy_case = new_case(county, area=county.grids[0], now=T0)
    Assignment.objects.create(
        case=busy_case, mediator=exact_near_busy, role=AssignmentRole.LEAD, assigned_at=T0
    )

    ranked = selectors.propose_mediators(case, limit=10)

    assert [c.mediator for c in ranked] == [
        exact_near_free,
        exact_near_busy,
        exact_far,
        major_near,
        none_near,
    ]
    assert [c.load for c in ranked[:2]] == [0, 1]
    assert ranked[0].served_area == v0 and ranked[2].served_area == whole
    assert [c.category_match for c in ranked] == [2, 2, 2, 1, 0]
    # A closed case no longer counts toward the load.
    busy_case.status = Status.RESOLVED
    busy_case.save()
    assert selectors.with_load(Mediator.objects.filter(pk=exact_near_busy.pk)).get().load == 0


def test_clerk_assigns_a_panel_the_mediator_is_told_and_sees_it(county):
    case = in_handling_at_village(county)
    expert_user = county.users["handler"]  # an expert outside the committee
    lead = mediator(
        "王调解",
        [county.villages[0]],
        unit=county.units["committee"],
        user=county.users["mediator"],
    )
    expert = mediator(
        "李律师",
        [county.county],
        unit=county.units["labour"],
        user=expert_user,
        kind=MediatorKind.EXPERT,
        profession="lawyer",
    )
    created = services.assign_mediators(
        case, county.users["vclerk"], T0, [lead.pk, expert.pk], lead_id=lead.pk
    )
    assert {(a.mediator, a.role) for a in created} == {
        (lead, AssignmentRole.LEAD),
        (expert, AssignmentRole.MEMBER),
    }
    assert case.timeline.filter(kind="mediators_assigned").exists()
    assert Notification.objects.filter(recipient=expert_user, case=case).exists()
    assert list(selectors.my_assignments(county.users["mediator"]))[0].case == case
    # Proposals leave out who is already on the case; assigning twice is refused.
    assert lead not in [c.mediator for c in selectors.propose_mediators(case)]
    with pytest.raises(InvalidInput):
        services.assign_mediators(case, county.users["vclerk"], T0, [lead.pk])
    with pytest.raises(NotAllowed):
        services.assign_mediators(case, county.users["vclerk_sibling"], T0, [expert.pk])


def test_scheduling_notifies_each_party_once(
    county, notify_memory, django_capture_on_commit_callbacks
):
    case = in_handling_at_village(county)
    with django_capture_on_commit_callbacks(execute=True):
        session = services.schedule_session(
            case, county.users["mediator"], T0, starts_at=T0 + DAY, place="村委会调解室"
        )
    assert session.number == 1
    assert sorted(m.address for m in notify_memory) == ["13800138000", "13900139000"]
    assert "村委会调解室" in notify_memory[0].text
    with pytest.raises(InvalidInput) as e:
        services.schedule_session(case, county.users["mediator"], T0, starts_at=T0 + DAY)
    assert "place" in e.value.field_errors


AGREED = dict(
    form=AgreementForm.WRITTEN,
    facts="楼上卫生间防水层破损导致楼下渗水。",
    content="李四于十日内修复防水层并赔偿张三人民币三千元。",
    performance_method="银行转账",
)


def record_held(session, now, result=SessionResult.AGREEMENT, **agreement):
    """Record a scheduled session at `now`; an agreement as AGREED with `agreement`'s changes."""
    return services.record_session(
        session,
        session.scheduled_by,
        now,
        services.SessionRecord(result=result, facts="经现场查看，渗水系防水层破损所致。"),
        services.AgreementInput(**{**AGREED, **agreement})
        if result == SessionResult.AGREEMENT
        else None,
    )


def assert_nothing_recorded(case, session):
    session = reload(session)
    assert (session.held_at, session.result) == (None, "")
    assert not case.timeline.filter(kind="session_recorded").exists()
    assert not Agreement.objects.filter(case=case).exists()
    assert reload(case).status == Status.IN_HANDLING


def test_a_session_cannot_be_recorded_before_its_time(county):
    case = in_handling_at_village(county)
    m = county.users["mediator"]
    tomorrow_nine = T0 + DAY  # Tuesday 09:00
    session = services.schedule_session(case, m, T0, starts_at=tomorrow_nine, place="村调解室")

    # Today, and tomorrow at 08:55: the session has not taken place, nothing can be recorded.
    for early in (T0 + datetime.timedelta(hours=1), tomorrow_nine - datetime.timedelta(minutes=5)):
        with pytest.raises(InvalidInput) as refused, translation.override("zh-hans"):
            record_held(session, early)
        assert refused.value.message == (
            "本次调解定于 2026-11-24 09:00，此前不能记录；如实际在其他时间进行，请先改期。"
        )
        assert_nothing_recorded(case, session)

    # From its scheduled start on it can be recorded, with its agreement.
    record_held(session, tomorrow_nine)
    agreement = Agreement.objects.get(case=case)
    assert (reload(session).held_at, agreement.session) == (tomorrow_nine, session)
    assert agreement.effective_on == datetime.date(2026, 11, 24)
    assert reload(case).status == Status.RESOLVED


def test_a_session_held_yesterday_can_be_recorded_today_and_its_agreement_dates_from_it(county):
    case = in_handling_at_village(county)
    m = county.users["mediator"]
    session = services.schedule_session(case, m, T0, starts_at=T0, place="村调解室")

    # Written down two days later: an oral agreement took effect the day it was reached.
    record_held(session, T0 + 2 * DAY, form=AgreementForm.ORAL)

    agreement = Agreement.objects.get(case=case)
    assert agreement.effective_on == datetime.date(2026, 11, 23)
    assert reload(session).held_at == T0 + 2 * DAY
    assert reload(case).status == Status.RESOLVED


def test_an_agreement_cannot_take_effect_before_its_session_or_after_today(county):
    case = in_handling_at_village(county)
    m = county.users["mediator"]
    session = services.schedule_session(case, m, T0, starts_at=T0 + DAY, place="村调解室")
    recorded_at = T0 + 2 * DAY  # Wednesday

    with pytest.raises(InvalidInput) as refused, translation.override("zh-hans"):
        record_held(session, recorded_at, effective_on=datetime.date(2026, 11, 23))
    assert refused.value.field_errors == {
        "effective_on": "协议生效日期不能早于达成协议的调解日期（2026-11-24）。"
    }
    assert_nothing_recorded(case, session)
    with pytest.raises(InvalidInput) as refused, translation.override("zh-hans"):
        record_held(session, recorded_at, effective_on=datetime.date(2026, 11, 26))
    assert refused.value.field_errors == {
        "effective_on": "协议生效日期不能晚于今天，请填写各方签名、盖章的日期。"
    }
    assert_nothing_recorded(case, session)

    # Signed the day after the session, entered on the day of the record: accepted.
    record_held(session, recorded_at, effective_on=datetime.date(2026, 11, 25))
    assert Agreement.objects.get(case=case).effective_on == datetime.date(2026, 11, 25)


def test_a_written_agreement_without_a_date_takes_effect_on_the_day_of_its_session(county):
    case = in_handling_at_village(county)
    m = county.users["mediator"]
    session = services.schedule_session(case, m, T0, starts_at=T0 + DAY, place="村调解室")

    record_held(session, T0 + 3 * DAY)

    agreement = Agreement.objects.get(case=case)
    assert agreement.effective_on == datetime.date(2026, 11, 24)
    # The 30 days of 司法确认 run from that day.
    assert services.confirmation_due(agreement).astimezone(SH).date() == datetime.date(2026, 12, 24)


def test_rescheduling_moves_the_session_notifies_the_parties_and_then_it_can_be_recorded(
    county, notify_memory, django_capture_on_commit_callbacks
):
    case = in_handling_at_village(county)
    m = county.users["mediator"]
    with django_capture_on_commit_callbacks(execute=True):
        session = services.schedule_session(case, m, T0, starts_at=T0 + DAY, place="村委会调解室")
    notify_memory.clear()
    # The parties came in this afternoon instead: the mediator moves the session, then records.
    afternoon = T0 + datetime.timedelta(hours=5)  # 14:00
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.reschedule_session(
            session, m, afternoon, starts_at=afternoon, place="村委会会议室"
        )

    session = reload(session)
    assert (moved.pk, session.starts_at, session.place) == (session.pk, afternoon, "村委会会议室")
    assert Session.objects.filter(case=case).count() == 1
    assert sorted(n.address for n in notify_memory) == ["13800138000", "13900139000"]
    assert all("2026-11-23 14:00" in n.text and "村委会会议室" in n.text for n in notify_memory)
    event = case.timeline.get(kind="session_rescheduled")
    assert event.note == "调解 · 2026-11-24 09:00 · 村委会调解室 → 2026-11-23 14:00 · 村委会会议室"
    assert (event.actor, event.data) == (m, {"session": 1})

    record_held(session, afternoon)
    assert Agreement.objects.get(case=case).effective_on == datetime.date(2026, 11, 23)
    assert reload(case).status == Status.RESOLVED


def test_rescheduling_refusals_change_nothing(county, notify_memory):
    case = in_handling_at_village(county)
    m = county.users["mediator"]
    session = services.schedule_session(case, m, T0, starts_at=T0 + DAY, place="村调解室")

    with pytest.raises(InvalidInput) as refused:
        services.reschedule_session(session, m, T0, starts_at=T0 + 2 * DAY)
    assert "place" in refused.value.field_errors
    with pytest.raises(InvalidInput) as refused:
        services.reschedule_session(session, m, T0, starts_at=T0 + DAY, place="村调解室")
    assert "starts_at" in refused.value.field_errors
    with pytest.raises(NotAllowed):
        services.reschedule_session(
            session, county.users["vclerk_sibling"], T0, starts_at=T0 + 2 * DAY, place="村调解室"
        )
    assert reload(session).starts_at == T0 + DAY
    assert not case.timeline.filter(kind="session_rescheduled").exists()

    record_held(session, T0 + DAY, result=SessionResult.CONTINUE)
    with pytest.raises(InvalidInput):  # a session held stays where it was held
        services.reschedule_session(session, m, T0 + DAY, starts_at=T0 + 2 * DAY, place="镇")
    assert reload(session).starts_at == T0 + DAY
    assert not case.timeline.filter(kind="session_rescheduled").exists()


def test_three_failed_sessions_at_village_escalate_under_321(county):
    PolicyArea.objects.create(
        policy=EscalationPolicy.objects.get(name="柳州321工作法"), area=county.county
    )
    case = in_handling_at_village(county)
    m = county.users["mediator"]
    for i in range(1, 4):
        record(case, m, SessionResult.FAILED, T0 + i * DAY, note=f"第{i}次调解未果，告知诉讼途径。")
        assert case.timeline.filter(kind="attempt_failed").count() == i
    with pytest.raises(InvalidInput):  # a failed attempt must say why
        record(case, m, SessionResult.FAILED, T0 + 3 * DAY)
    assert sweep(T0 + 3 * DAY + datetime.timedelta(minutes=1)).escalated == 1
    case = reload(case)
    assert (case.level, case.owner_unit, case.status) == (
        Level.TOWN,
        county.center(county.towns[0]),
        Status.ACCEPTED,
    )


def test_agreement_resolves_the_case_and_confirmation_clock_runs_30_days(county, notify_memory):
    case = in_handling_at_village(county)
    m = county.users["mediator"]
    lead = mediator(
        "王调解",
        [county.villages[0]],
        unit=county.units["committee"],
        user=county.users["mediator"],
    )
    services.assign_mediators(case, county.users["vclerk"], T0, [lead.pk])
    session = record(
        case,
        m,
        SessionResult.AGREEMENT,
        T0 + DAY,
        form=AgreementForm.WRITTEN,
        facts="楼上卫生间防水层破损导致楼下渗水。",
        content="李四于十日内修复防水层并赔偿张三人民币三千元。",
        performance_method="银行转账",
        performance_due=datetime.date(2026, 12, 4),
        effective_on=datetime.date(2026, 11, 24),
    )
    case = reload(case)
    agreement = Agreement.objects.get(case=case)
    assert session.agreement == agreement
    assert agreement.number == "（2026）人调字第1号"
    assert case.status == Status.RESOLVED and "人调字第1号" in case.outcome_note
    assert not Assignment.objects.filter(case=case, ended_at__isnull=True).exists()

    confirmation = services.prepare_confirmation(agreement, county.users["mediator"], T0 + DAY)
    assert confirmation.court == county.units["court"]
    clock = Deadline.objects.get(case=case, clock=Clock.CONFIRM)
    # Effective 24 Nov: the 30 days end with 24 Dec (Asia/Shanghai).
    assert clock.due_at.astimezone(SH).date() == datetime.date(2026, 12, 24)
    assert clock.due_at > datetime.datetime(2026, 12, 24, 23, 59, tzinfo=SH)
    assert clock.unit == county.units["committee"]

    # The sweep before the end of 24 Dec leaves the confirmation clock alone (the agreement's
    # performance clock, due 4 Dec and not recorded, is overdue by then: that is its own).
    sweep(datetime.datetime(2026, 12, 24, 23, 0, tzinfo=SH))
    assert reload(clock).overdue_at is None
    call_command("sweep", now="2026-12-25T00:05:00+08:00")
    clock = reload(clock)
    assert clock.overdue_at is not None and clock.state == DeadlineState.OPEN
    missed = case.timeline.filter(kind="deadline_missed", data__clock=Clock.CONFIRM)
    assert missed.count() == 1
    # The committee's staff were told (the lead's generic overdue notice).
    assert Notification.objects.filter(
        case=case, recipient=county.users["mediator"], kind="overdue"
    ).exists()

    filed_at = datetime.datetime(2026, 12, 26, 10, tzinfo=SH)
    services.file_confirmation(confirmation, county.users["mediator"], filed_at)
    clock = reload(clock)
    assert (clock.state, clock.met) == (DeadlineState.MISSED, False)
    assert Notification.objects.filter(case=case, recipient=county.users["liaison"]).exists()
    with pytest.raises(InvalidInput):
        services.record_court_decision(confirmation, county.users["liaison"], filed_at, "rejected")
    services.record_court_decision(
        confirmation, county.users["liaison"], filed_at, Decision.REJECTED, "协议内容违反法律规定"
    )
    assert reload(confirmation).decision == Decision.REJECTED
    assert case.timeline.get(kind="court_decision").note.endswith("协议内容违反法律规定")


def test_filing_in_time_meets_the_clock_and_oral_agreements_cannot_be_confirmed(county):
    case = in_handling_at_village(county)
    m = county.users["mediator"]
    record(
        case,
        m,
        SessionResult.AGREEMENT,
        T0,
        form=AgreementForm.ORAL,
        facts="噪音纠纷",
        content="晚十点后不再装修",
        performance_method="即时履行",
    )
    oral = Agreement.objects.get(case=case)
    assert oral.effective_on == datetime.date(2026, 11, 23)  # the day it was reached
    with pytest.raises(InvalidInput):
        services.prepare_confirmation(oral, county.users["mediator"], T0)
    oral.form = AgreementForm.WRITTEN
    oral.save()
    confirmation = services.prepare_confirmation(oral, county.users["mediator"], T0)
    services.file_confirmation(confirmation, county.users["mediator"], T0 + 2 * DAY)
    clock = Deadline.objects.get(case=case, clock=Clock.CONFIRM)
    assert (clock.state, clock.met) == (DeadlineState.MET, True)


def test_withdrawal_and_ending_without_agreement(county):
    case = in_handling_at_village(county)
    m = county.users["mediator"]
    record(case, m, SessionResult.WITHDRAWN, T0, note="申请人撤回申请")
    assert reload(case).status == Status.TERMINATED

    other = in_handling_at_village(county)
    with pytest.raises(InvalidInput):
        services.end_without_agreement(other, county.users["mediator"], T0, "")
    services.end_without_agreement(
        other, county.users["mediator"], T0, "双方分歧较大，告知可向法院起诉。", "litigation"
    )
    other = reload(other)
    assert (other.status, other.transfer_channel) == (Status.TRANSFERRED, "litigation")


def test_sessions_need_a_case_in_handling(county):
    case = new_case(county, actor_key="vclerk", area=county.villages[0], now=T0)
    case = perform_transition(case, "accept", county.users["vclerk"], T0)
    session = services.schedule_session(
        case, county.users["vclerk"], T0, starts_at=T0 + DAY, online_link="https://meet.example/1"
    )
    with pytest.raises(InvalidInput):
        services.record_session(
            session,
            county.users["vclerk"],
            T0,
            services.SessionRecord(result=SessionResult.CONTINUE, facts="x"),
        )
