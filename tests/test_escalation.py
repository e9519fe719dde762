"""Both seed policies replayed end to end with sweep(now) at chosen times."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from areas.models import Level
from cases.errors import InvalidInput, NotAllowed
from cases.selectors import cases_visible_to
from cases.services import perform_transition
from cases.workflow import Status
from clocks.models import Clock, Deadline, DeadlineState, EscalationPolicy, PolicyArea
from routing.escalation import record_failed_attempt
from routing.sweep import sweep
from tests.factories import new_case

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime.datetime(2026, 11, 23, 9, 0, tzinfo=SH)  # a Monday


def assign(county, name):
    PolicyArea.objects.create(policy=EscalationPolicy.objects.get(name=name), area=county.county)


def reload(case):
    case.refresh_from_db()
    return case


def test_wushan_grid_case_left_alone_goes_to_village_then_town(county):
    assign(county, "巫山时限制")
    case = new_case(county, actor_key="grid", now=T0)
    assert case.level == Level.GRID
    # Grid: 3 calendar days, ending at midnight after Thursday 26 Nov.
    assert sweep(datetime.datetime(2026, 11, 26, 23, 59, tzinfo=SH)).escalated == 0
    at_village = datetime.datetime(2026, 11, 27, 0, 1, tzinfo=SH)
    assert sweep(at_village).escalated == 1
    case = reload(case)
    assert (case.level, case.owner_unit) == (Level.VILLAGE, county.center(county.villages[0]))
    event = case.timeline.get(kind="escalated")
    assert event.data["reason"] == "time"
    assert event.data["changes"]["level"] == [Level.GRID, Level.VILLAGE]
    # Village/community: 24 hours.
    assert sweep(at_village + datetime.timedelta(hours=23, minutes=59)).escalated == 0
    assert sweep(at_village + datetime.timedelta(hours=24)).escalated == 1
    case = reload(case)
    assert (case.level, case.owner_unit) == (Level.TOWN, county.center(county.towns[0]))
    # The town now has its 10 days; the village lost the case but can still read it.
    clock = Deadline.objects.get(case=case, clock=Clock.ESCALATE, state=DeadlineState.OPEN)
    assert clock.level == Level.TOWN
    assert clock.due_at.astimezone(SH).date() == datetime.date(2026, 12, 8)
    assert case in cases_visible_to(county.users["vclerk"])
    with pytest.raises(NotAllowed):
        perform_transition(case, "accept", county.users["vclerk"], at_village)
    # Running the sweep again changes nothing.
    assert sweep(at_village + datetime.timedelta(days=2)).escalated == 0
    assert case.timeline.filter(kind="escalated").count() == 2


def test_wushan_case_accepted_at_the_village_in_time_does_not_escalate_from_the_grid(county):
    assign(county, "巫山时限制")
    case = new_case(county, actor_key="grid", now=T0)
    perform_transition(case, "accept", county.users["vclerk"], T0 + datetime.timedelta(days=1))
    grid_clock = Deadline.objects.get(case=case, clock=Clock.ESCALATE, level=Level.GRID)
    assert (grid_clock.state, grid_clock.met) == (DeadlineState.MET, True)
    # The village's own 24 hours started at acceptance; only they can escalate it now.
    assert sweep(T0 + datetime.timedelta(days=1, hours=23)).escalated == 0
    assert sweep(T0 + datetime.timedelta(days=2, minutes=1)).escalated == 1
    assert sweep(T0 + datetime.timedelta(days=4)).escalated == 0
    assert reload(case).level == Level.TOWN


def in_handling_at_village(county):
    case = new_case(county, actor_key="vclerk", area=county.villages[0], now=T0)
    case = perform_transition(case, "accept", county.users["vclerk"], T0)
    case = perform_transition(
        case, "route", county.users["vclerk"], T0, unit_id=county.units["committee"].pk
    )
    return perform_transition(case, "start", county.users["mediator"], T0)


def test_liuzhou_321_escalates_after_third_failure_at_village_and_second_at_town(county):
    assign(county, "柳州321工作法")
    case = in_handling_at_village(county)
    for i in range(1, 3):
        assert (
            record_failed_attempt(case, county.users["mediator"], T0 + datetime.timedelta(days=i))
            == i
        )
        assert sweep(T0 + datetime.timedelta(days=i, hours=1)).escalated == 0
    assert (
        record_failed_attempt(case, county.users["mediator"], T0 + datetime.timedelta(days=3)) == 3
    )
    assert sweep(T0 + datetime.timedelta(days=3, minutes=1)).escalated == 1
    case = reload(case)
    assert (case.level, case.owner_unit, case.status) == (
        Level.TOWN,
        county.center(county.towns[0]),
        Status.ACCEPTED,
    )
    assert case.timeline.get(kind="escalated").data["reason"] == "attempts"
    # The town dispatches it and tries twice.
    tclerk = county.users["tclerk"]
    case = perform_transition(
        case,
        "route",
        tclerk,
        T0 + datetime.timedelta(days=4),
        unit_id=county.center(county.towns[0]).pk,
    )
    case = perform_transition(case, "start", tclerk, T0 + datetime.timedelta(days=4))
    assert record_failed_attempt(case, tclerk, T0 + datetime.timedelta(days=5)) == 1
    assert sweep(T0 + datetime.timedelta(days=5, minutes=1)).escalated == 0
    assert record_failed_attempt(case, tclerk, T0 + datetime.timedelta(days=6)) == 2
    assert sweep(T0 + datetime.timedelta(days=6, minutes=1)).escalated == 1
    case = reload(case)
    assert (case.level, case.owner_unit) == (Level.COUNTY, county.center(county.county))
    # The district is the last stop (闭环): its one attempt finds nowhere higher to go.
    cclerk = county.users["cclerk"]
    case = perform_transition(
        case,
        "route",
        cclerk,
        T0 + datetime.timedelta(days=7),
        unit_id=county.center(county.county).pk,
    )
    case = perform_transition(case, "start", cclerk, T0 + datetime.timedelta(days=7))
    record_failed_attempt(case, cclerk, T0 + datetime.timedelta(days=8))
    assert sweep(T0 + datetime.timedelta(days=8, minutes=1)).escalated == 0
    case = reload(case)
    assert case.level == Level.COUNTY
    assert case.timeline.filter(kind="escalation_top").count() == 1


def test_attempts_need_a_case_in_handling(county):
    assign(county, "柳州321工作法")
    case = new_case(county, actor_key="vclerk", area=county.villages[0], now=T0)
    with pytest.raises(InvalidInput):
        record_failed_attempt(case, county.users["vclerk"], T0)
    assert not case.timeline.filter(kind="attempt_failed").exists()


def test_no_policy_means_no_escalation(county):
    case = new_case(county, actor_key="grid", now=T0)
    sweep(T0 + datetime.timedelta(days=30))
    assert reload(case).level == Level.GRID
    assert not Deadline.objects.filter(case=case, clock=Clock.ESCALATE).exists()
