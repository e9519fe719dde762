"""督办: a notice with its own deadline, reminded and overdue through the sweep."""

import datetime

import pytest

from cases.errors import InvalidInput, NotAllowed
from cases.selectors import work_queue
from cases.services import perform_transition
from clocks.models import Clock, Deadline, DeadlineState
from coordination.supervision import answer_supervision, issue_supervision
from notifications.models import Kind, Notification
from routing.sweep import sweep
from tests.factories import NOW, new_case

H = datetime.timedelta(hours=1)


@pytest.fixture
def village_case(county):
    case = new_case(county, area=county.villages[0])
    return perform_transition(case, "accept", county.users["vclerk"], NOW)


def test_town_supervises_a_village_case_and_the_answer_closes_the_clock(county, village_case):
    sv = issue_supervision(
        village_case, county.users["tclerk"], "三日内上报进展", NOW + 72 * H, NOW
    )
    assert Notification.objects.filter(recipient__username="vclerk", kind=Kind.SUPERVISION).exists()
    clock = Deadline.objects.get(case=village_case, clock=Clock.SUPERVISE)
    assert clock.unit == county.center(county.villages[0])
    sweep(NOW + 60 * H)  # 80 % of 72 h has passed
    assert Notification.objects.filter(recipient__username="vclerk", kind=Kind.REMINDER).exists()
    answer_supervision(sv, county.users["vclerk"], "已组织双方调解", NOW + 70 * H)
    clock.refresh_from_db()
    assert (clock.state, clock.met) == (DeadlineState.MET, True)
    assert Notification.objects.filter(recipient__username="tclerk", kind=Kind.SUPERVISION).exists()
    assert sweep(NOW + 80 * H).overdue == 0


def test_an_unanswered_supervision_is_overdue(county, village_case):
    issue_supervision(village_case, county.users["tclerk"], "请尽快处理", NOW + 24 * H, NOW)
    assert sweep(NOW + 25 * H).overdue == 1
    assert Notification.objects.filter(recipient__username="vclerk", kind=Kind.OVERDUE).exists()
    assert list(work_queue(county.users["vclerk"], "unit", NOW + 25 * H))[0].is_overdue


def test_who_may_supervise_and_bad_input(county, village_case):
    with pytest.raises(NotAllowed):  # the handling clerk does not supervise herself
        issue_supervision(village_case, county.users["vclerk"], "x", NOW + H, NOW)
    with pytest.raises(NotAllowed):  # another town has no say
        issue_supervision(village_case, county.users["tclerk_other"], "x", NOW + H, NOW)
    with pytest.raises(InvalidInput) as e:
        issue_supervision(village_case, county.users["tclerk"], " ", NOW - H, NOW)
    assert set(e.value.field_errors) == {"instruction", "due_at"}
    assert not village_case.supervisions.exists()


def test_closing_the_case_ends_the_supervision_clock(county, village_case):
    issue_supervision(village_case, county.users["tclerk"], "请尽快处理", NOW + 24 * H, NOW)
    case = perform_transition(
        village_case, "route", county.users["vclerk"], NOW, unit_id=county.units["committee"].pk
    )
    # The 督办 stays with the unit it was issued to, even when the case is dispatched.
    assert Deadline.objects.get(case=case, clock=Clock.SUPERVISE).unit == county.center(
        county.villages[0]
    )
    case = perform_transition(case, "start", county.users["mediator"], NOW + H)
    perform_transition(case, "resolve", county.users["mediator"], NOW + 2 * H, note="达成协议")
    assert not Deadline.objects.filter(case=case, clock=Clock.SUPERVISE, state="open").exists()
