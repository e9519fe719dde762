"""回访 as an obligation and 履行 of agreements (the followup app): the clocks the region's
setting opens at the closing, the visits that meet them, a rebound through the state
machine, the performance check, their figures, the page and the API."""

import datetime
import io

import pytest
from django.core.management import call_command

from cases.errors import InvalidInput, NotAllowed
from cases.selectors import work_queue
from cases.services import perform_transition
from cases.workflow import Status
from clocks.calendar import end_of_day
from clocks.models import Clock, Deadline, DeadlineState
from followup.models import FollowUpSetting, Performance, Visit
from followup.services import record_performance
from jiefen.localtime import LOCAL_TZ
from mediation.models import Agreement, Confirmation
from notifications.models import Notification
from risk.services import set_grade
from routing.sweep import sweep
from stats.indicators import INDICATORS
from stats.models import COUNTERS, CaseFact
from tests.factories import NOW, PASSWORD, new_case
from tests.visits import visit

D = datetime.timedelta(days=1)
H = datetime.timedelta(hours=1)


def day(at: datetime.datetime) -> datetime.date:
    return at.astimezone(LOCAL_TZ).date()


@pytest.fixture
def setting(county):
    """The county's rules: first visit within 7 days, a second within 30 for orange and red,
    none sooner than 24 hours after the closing, a rebound reopens the case."""
    return FollowUpSetting.objects.create(area=county.county)


def handled(county, area=None, actor="vclerk", at=NOW):
    case = new_case(county, actor, area=area or county.villages[0], now=at)
    clerk = county.users["vclerk"]
    case = perform_transition(case, "accept", clerk, at)
    case = perform_transition(case, "route", clerk, at, unit_id=county.units["committee"].pk)
    return perform_transition(case, "start", county.users["mediator"], at)


def resolved(county, at=NOW, **kw):
    case = handled(county, at=at, **kw)
    return perform_transition(case, "resolve", county.users["mediator"], at, note="双方和解")


def visit_clocks(case):
    return Deadline.objects.filter(case=case, clock=Clock.VISIT).order_by("pk")


def check_stats():
    call_command("check_stats", stdout=io.StringIO())


def figures(*cases) -> dict:
    facts = CaseFact.objects.filter(case__in=cases).values(*COUNTERS)
    return {c: sum(f[c] for f in facts) for c in COUNTERS}


# ---------------------------------------------------------------- the clocks


def test_closing_opens_a_visit_clock_by_the_region_setting(county, setting):
    case = resolved(county)
    (clock,) = visit_clocks(case)
    assert clock.state == DeadlineState.OPEN and clock.unit == county.units["committee"]
    assert clock.due_at == end_of_day(day(NOW) + 7 * D)
    # A case sent to another channel owes none here; in a region that wants it, it does.
    transferred = handled(county)
    perform_transition(
        transferred, "transfer", county.users["mediator"], NOW, note="起诉", channel="litigation"
    )
    assert not visit_clocks(transferred).exists()
    setting.after_transferred = True
    setting.save()
    other = handled(county)
    perform_transition(
        other, "transfer", county.users["mediator"], NOW, note="起诉", channel="litigation"
    )
    assert visit_clocks(other).count() == 1


def test_without_a_setting_no_visit_is_owed(county):
    case = resolved(county)
    assert not visit_clocks(case).exists()
    visit(case, county.users["mediator"], NOW + 2 * D)
    case.refresh_from_db()
    assert case.status == Status.FOLLOWED_UP


def test_a_nearer_setting_wins(county, setting):
    FollowUpSetting.objects.create(area=county.towns[0], first_within_days=3)
    case = resolved(county)
    assert visit_clocks(case).get().due_at == end_of_day(day(NOW) + 3 * D)


def test_the_visit_clock_reminds_goes_overdue_once_and_closes_late(county, setting):
    case = resolved(county)
    clock = visit_clocks(case).get()
    assert sweep(clock.warn_at + H).reminded >= 1
    assert Notification.objects.filter(title__contains="回访期限").exists()
    after = clock.due_at + H
    assert sweep(after).overdue == 1
    assert sweep(after + H).overdue == 0  # the double sweep: overdue once
    clock.refresh_from_db()
    assert clock.overdue_at == after
    missed = case.timeline.filter(kind="deadline_missed", data__clock="visit")
    assert missed.count() == 1
    assert figures(case)["visit_missed"] == 1
    # A late visit closes the clock, missed.
    visit(case, county.users["mediator"], after + 2 * H)
    clock.refresh_from_db()
    assert (clock.state, clock.met) == (DeadlineState.MISSED, False)
    case.refresh_from_db()
    assert case.status == Status.FOLLOWED_UP
    check_stats()


def test_a_visit_in_time_meets_the_clock_and_the_case_is_followed_up(county, setting):
    case = resolved(county)
    v = visit(case, county.users["mediator"], NOW + 2 * D, satisfaction="satisfied")
    clock = visit_clocks(case).get()
    assert (clock.state, clock.met, v.deadline_id) == (DeadlineState.MET, True, clock.pk)
    case.refresh_from_db()
    assert case.status == Status.FOLLOWED_UP
    event = case.timeline.get(kind="follow_up")
    assert event.actor == county.users["mediator"] and event.from_status == Status.RESOLVED
    # 走一家访三家: further visits to neighbours are recorded on the followed-up case.
    visit(case, county.users["mediator"], NOW + 2 * D, name="邻居王婶")
    assert Visit.objects.filter(case=case).count() == 2


def test_an_orange_case_owes_a_second_visit_on_another_day(county, setting):
    case = handled(county)
    set_grade(case, county.users["vclerk"], "orange", "多次争吵", NOW)
    case = perform_transition(case, "resolve", county.users["mediator"], NOW, note="和解")
    m = county.users["mediator"]
    visit(case, m, NOW + 2 * D)
    first, second = visit_clocks(case)
    assert first.state == DeadlineState.MET and second.state == DeadlineState.OPEN
    assert second.due_at == end_of_day(day(NOW) + 30 * D)
    # The neighbours visited the same day do not count as the second visit.
    same_day = visit(case, m, NOW + 2 * D + H, name="邻居李叔")
    assert same_day.deadline_id is None
    case.refresh_from_db()
    assert case.status == Status.RESOLVED
    later = visit(case, m, NOW + 12 * D)
    second.refresh_from_db()
    assert later.deadline_id == second.pk and second.met is True
    case.refresh_from_db()
    assert case.status == Status.FOLLOWED_UP


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("visited_at", "message"),
    [
        (NOW, "回访应在结案"),  # the closing's own minute (化解 and 回访 at once)
        (NOW - D, "回访应在结案"),  # before the closing
        (NOW + 2 * H, "小时后方可回访"),  # sooner than the region allows
        (NOW + 5 * D, "回访时间不能晚于现在"),  # in the future
    ],
)
def test_a_visit_out_of_time_is_refused_and_writes_nothing(county, setting, visited_at, message):
    case = resolved(county)
    events = case.timeline.count()
    with pytest.raises(InvalidInput) as e:
        visit(case, county.users["mediator"], NOW + 3 * D, visited_at=visited_at)
    assert message in e.value.field_errors["visited_at"]
    case.refresh_from_db()
    assert case.status == Status.RESOLVED and case.timeline.count() == events
    assert not Visit.objects.exists() and visit_clocks(case).get().state == DeadlineState.OPEN


def test_a_visit_to_an_open_case_or_by_a_stranger_is_refused(county, setting):
    case = handled(county)
    with pytest.raises(InvalidInput):
        visit(case, county.users["mediator"], NOW + 2 * D)
    done = resolved(county)
    with pytest.raises(NotAllowed):
        visit(done, county.users["vclerk_sibling"], NOW + 2 * D)
    with pytest.raises(InvalidInput) as e:
        visit(done, county.users["mediator"], NOW + 2 * D, findings=" ")
    assert "findings" in e.value.field_errors
    assert not Visit.objects.exists()


# ---------------------------------------------------------------- rebound


def test_a_visit_finding_rebound_reopens_the_case(county, setting):
    case = handled(county)
    set_grade(case, county.users["vclerk"], "red", "扬言报复", NOW)
    case = perform_transition(case, "resolve", county.users["mediator"], NOW, note="和解")
    grid = county.users["mediator"]
    visit(case, grid, NOW + 2 * D)
    visit(case, grid, NOW + 9 * D, rebound="rebounded", findings="两家又因排水争吵")
    case.refresh_from_db()
    assert case.status == Status.IN_HANDLING and case.closed_at is None
    assert case.owner_unit == county.units["committee"]
    event = case.timeline.get(kind="rebound_reopened")
    assert event.actor == grid and "两家又因排水争吵" in event.note
    assert not visit_clocks(case).filter(state=DeadlineState.OPEN).exists()
    assert Deadline.objects.filter(case=case, clock=Clock.RESOLVE, state="open").exists()
    f = figures(case)
    assert (f["visited"], f["rebound"], f["resolved"]) == (1, 1, 0)
    # Closed again: a new visit is owed.
    perform_transition(case, "resolve", county.users["mediator"], NOW + 10 * D, note="再次和解")
    assert visit_clocks(case).filter(state=DeadlineState.OPEN).count() == 1
    check_stats()


def test_a_rebound_escalates_where_the_region_says_so(county, setting):
    setting.rebound_action = "escalate"
    setting.save()
    case = resolved(county)
    visit(case, county.users["vclerk"], NOW + 2 * D, rebound="rebounded")
    case.refresh_from_db()
    town_center = county.center(county.towns[0])
    assert case.status == Status.ACCEPTED and case.owner_unit == town_center
    assert case.level == town_center.area.level
    assert case.timeline.filter(kind="rebound_escalated").exists()
    resolve = Deadline.objects.get(case=case, clock=Clock.RESOLVE, state="open")
    assert resolve.unit == town_center
    check_stats()


def test_signs_of_rebound_are_noted_without_reopening(county, setting):
    case = resolved(county)
    visit(case, county.users["mediator"], NOW + 2 * D, rebound="signs")
    case.refresh_from_db()
    assert case.status == Status.FOLLOWED_UP
    assert figures(case)["rebound"] == 0


# ---------------------------------------------------------------- the queue and the page


def test_due_visits_are_in_the_grid_workers_queue(county, setting):
    case = resolved(county, area=county.grids[0], actor="grid")
    grid = county.users["grid"]
    assert case in work_queue(grid, "mine", NOW + D)
    visit(case, grid, NOW + 2 * D)
    assert case not in work_queue(grid, "mine", NOW + 3 * D)


def test_a_grid_worker_records_visits_through_the_case_page(client, county, setting):
    from jiefen import clock

    case = resolved(county, area=county.grids[0], actor="grid", at=NOW - 3 * D)
    party = case.parties.first()
    client.login(username="grid", password=PASSWORD)
    html = client.get(f"/cases/{case.code}/").content.decode()
    assert "登记回访" in html and "回访期限" in html
    url = f"/followup/cases/{case.code}/visits/"
    form = {
        "visit-visited_at": (NOW - H).astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M"),
        "visit-visitee_kind": "party",
        "visit-party_id": party.pk,
        "visit-method": "home",
        "visit-findings": "双方已和好",
        "visit-satisfaction": "satisfied",
        "visit-rebound": "none",
    }
    assert client.post(url, form).status_code == 302
    html = client.get(f"/cases/{case.code}/").content.decode()
    assert "双方已和好" in html and "上门走访" in html
    # A neighbour without a name is refused in Chinese; nothing is written.
    bad = {**form, "visit-visitee_kind": "neighbour", "visit-party_id": ""}
    response = client.post(url, bad)
    assert response.status_code == 422 and "请填写被回访人姓名" in response.content.decode()
    assert Visit.objects.count() == 1
    assert clock.now() == NOW


# ---------------------------------------------------------------- 履行


def agreement_for(case, county, due: datetime.date, form="written") -> Agreement:
    return Agreement.objects.create(
        case=case,
        unit=county.units["committee"],
        year=day(NOW).year,
        sequence=Agreement.objects.count() + 1,
        form=form,
        facts="排水沟堵塞",
        content="李四三日内疏通排水沟并赔偿五百元",
        performance_method="现金",
        performance_due=due,
        effective_on=day(NOW),
        created_at=NOW,
    )


def test_an_agreement_with_a_performance_date_is_checked_at_that_date(county):
    case = handled(county)
    due = day(NOW) + 10 * D
    agreement = agreement_for(case, county, due)
    case = perform_transition(case, "resolve", county.users["mediator"], NOW, note="协议")
    clock = Deadline.objects.get(case=case, clock=Clock.PERFORM)
    assert clock.due_at == end_of_day(due)
    m = county.users["mediator"]
    # Not performed cannot be found before the date.
    with pytest.raises(InvalidInput) as e:
        record_performance(agreement, m, NOW + 2 * D, "not_performed", "未付款")
    assert "期限届满前不能登记为未履行" in e.value.field_errors["result"]
    # The sweep finds the check overdue once.
    assert sweep(clock.due_at + H).overdue == 1
    assert sweep(clock.due_at + 2 * H).overdue == 0
    with pytest.raises(InvalidInput) as e:
        record_performance(agreement, m, NOW + 11 * D, "partly", "")
    assert "note" in e.value.field_errors
    p = record_performance(agreement, m, NOW + 11 * D, "partly", "只疏通未赔偿", "confirmation")
    assert p.remedy == "confirmation"
    assert Confirmation.objects.filter(agreement=agreement).exists()  # the existing flow
    clock.refresh_from_db()
    assert clock.state == DeadlineState.MISSED
    f = figures(case)
    assert (f["perf_recorded"], f["performed"], f["not_performed"]) == (1, 0, 1)
    with pytest.raises(InvalidInput):
        record_performance(agreement, m, NOW + 12 * D, "performed")
    assert Performance.objects.count() == 1
    check_stats()


def test_a_performed_agreement_meets_its_clock(county):
    case = handled(county)
    agreement = agreement_for(case, county, day(NOW) + 5 * D, form="oral")
    perform_transition(case, "resolve", county.users["mediator"], NOW, note="协议")
    with pytest.raises(InvalidInput):  # an oral agreement cannot be confirmed by a court
        record_performance(agreement, county.users["mediator"], NOW + 6 * D, "not_performed",
                           "未履行", "confirmation")  # fmt: skip
    record_performance(agreement, county.users["mediator"], NOW + 3 * D, "performed")
    clock = Deadline.objects.get(case=case, clock=Clock.PERFORM)
    assert (clock.state, clock.met) == (DeadlineState.MET, True)
    assert figures(case)["performed"] == 1


# ---------------------------------------------------------------- the figures


def test_follow_up_indicators_worked_by_hand(county, setting):
    """Four resolved cases in a region that owes a visit within 7 days:
    A visited in time; B never visited (missed); C visited, found rebound (reopened);
    D visited late, with signs of rebound only. So: owed 4, followed up 3 → 回访率 75%;
    visited 3, rebound 1 → 反弹率 33.3%; missed visits: B and D → 2 cases."""
    m = county.users["mediator"]
    a, b, c, d = (resolved(county) for _ in range(4))
    visit(a, m, NOW + 2 * D)
    visit(c, m, NOW + 3 * D, rebound="rebounded")
    sweep(NOW + 9 * D)
    sweep(NOW + 9 * D + H)
    visit(d, m, NOW + 10 * D, rebound="signs")
    f = figures(a, b, c, d)
    assert (f["followup_due"], f["followed_up"], f["visited"], f["rebound"]) == (4, 3, 3, 1)
    assert f["visit_missed"] == 2
    assert INDICATORS["followup_rate"].value(f) == 75
    assert round(INDICATORS["rebound_rate"].value(f), 1) == 33.3
    assert INDICATORS["visit_missed"].value(f) == 2
    check_stats()


# ---------------------------------------------------------------- API


def test_visits_through_the_api(client, county, setting):
    from api.auth import issue_token

    case = resolved(county, at=NOW - 3 * D)
    token, _row = issue_token(county.users["mediator"], NOW)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    url = f"/api/v1/cases/{case.code}/visits"
    body = {
        "visited_at": (NOW - 3 * D).isoformat(),
        "visitee_kind": "party",
        "party_id": case.parties.first().pk,
        "method": "phone",
        "findings": "电话回访，无反复",
        "rebound": "none",
    }
    response = client.post(url, body, content_type="application/json", **headers)
    assert response.status_code == 422
    problem = response.json()
    assert "visited_at" in problem["errors"] and problem["status"] == 422
    assert not Visit.objects.exists()
    body["visited_at"] = (NOW - H).isoformat()
    response = client.post(url, body, content_type="application/json", **headers)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "followed_up" and data["visits"][0]["on_time"] is True
    assert client.get(url, **headers).json()["visits"][0]["method"] == "phone"
    other, _row = issue_token(county.users["vclerk_sibling"], NOW)
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 404
