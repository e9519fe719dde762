"""吹哨报到 in six steps, with missed 报到 and late feedback counted per unit."""

import datetime

import pytest
from django.urls import reverse

from areas.models import Role, Unit, UnitKind
from cases.errors import IllegalTransition, InvalidInput, NotAllowed
from cases.selectors import cases_visible_to, work_queue
from cases.services import perform_transition
from clocks.models import Clock, Deadline, DeadlineState
from coordination import whistles
from coordination.panel import panel_context
from jiefen.localtime import LOCAL_TZ
from notifications.models import Kind, Notification
from routing.sweep import sweep
from tests.factories import NOW, PASSWORD, new_case, user

H = datetime.timedelta(hours=1)


@pytest.fixture
def town_case(county):
    """A case the town center has accepted, and a second county department with staff."""
    town_center = county.center(county.towns[0])
    county.units["housing"] = Unit.objects.create(
        name="县住建局", kind=UnitKind.DEPARTMENT, area=county.county, speciality="housing"
    )
    county.users["housing"] = user("housing", county.units["housing"], Role.HANDLER)
    case = new_case(county, actor_key="tclerk", area=county.towns[0])
    case = perform_transition(case, "accept", county.users["tclerk"], NOW)
    assert case.owner_unit == town_center
    return case


def summon_both(county, case, at=NOW):
    units = [county.units["labour"].pk, county.units["housing"].pk]
    return whistles.blow_whistle(case, county.users["tclerk"], units, "拖欠工资涉及多部门", at)


def test_the_six_steps(county, town_case):
    labour, housing = county.users["handler"], county.users["housing"]
    whistle = summon_both(county, town_case)
    # 吹哨: both units may now see the case, owe a 报到 within 24 h and were told.
    assert town_case in cases_visible_to(housing)
    assert Deadline.objects.filter(case=town_case, clock=Clock.REPORT).count() == 2
    assert Notification.objects.filter(recipient=labour, kind=Kind.WHISTLE).count() == 1
    s_labour, s_housing = whistle.summonses.order_by("unit__name")
    if s_labour.unit != county.units["labour"]:
        s_labour, s_housing = s_housing, s_labour
    # 报到
    whistles.report(s_labour, labour, NOW + 2 * H)
    whistles.report(s_housing, housing, NOW + 3 * H)
    # 会商 + 落实
    whistles.record_meeting(
        whistle,
        county.users["tclerk"],
        NOW + 5 * H,
        held_at=NOW + 4 * H,
        place="镇综治中心会议室",
        decisions="人社局核实工资，住建局约谈总包",
        tasks=[
            whistles.Task(s_labour.pk, "核实拖欠名单", NOW + 48 * H),
            whistles.Task(s_housing.pk, "约谈总包单位", NOW + 48 * H),
        ],
    )
    # 反馈: one in time, one late.
    whistles.feed_back(s_labour, labour, "已核实 23 人", NOW + 40 * H)
    whistles.feed_back(s_housing, housing, "已约谈", NOW + 50 * H)
    # 评价: the last evaluation closes the whistle.
    whistles.evaluate(s_labour, county.users["tclerk"], 5, "及时", NOW + 60 * H)
    whistles.evaluate(s_housing, county.users["tclerk"], 3, "反馈超时", NOW + 61 * H)
    whistle.refresh_from_db()
    assert whistle.closed_at == NOW + 61 * H
    counts = {r["unit__name"]: r for r in whistles.unit_counts()}
    assert counts["县人社局"]["late_feedback"] == 0 and counts["县住建局"]["late_feedback"] == 1
    assert counts["县住建局"]["average_score"] == 3
    assert {e.kind for e in town_case.timeline.all()} >= {
        "whistle",
        "reported",
        "whistle_meeting",
        "whistle_feedback",
        "whistle_evaluated",
    }
    assert (
        not Deadline.objects.filter(case=town_case, state=DeadlineState.OPEN)
        .exclude(clock=Clock.RESOLVE)
        .exists()
    )


def test_a_missed_report_is_counted_and_shows_overdue_in_both_queues(county, town_case):
    whistle = summon_both(county, town_case)
    s_labour = whistle.summonses.get(unit=county.units["labour"])
    whistles.report(s_labour, county.users["handler"], NOW + H)
    at = NOW + 25 * H
    result = sweep(at)
    assert result.overdue == 1
    assert sweep(at + H).overdue == 0
    s_housing = whistle.summonses.get(unit=county.units["housing"])
    assert s_housing.report_missed and not s_labour.report_missed
    # Overdue in the summoning center's queue and in the unit that missed.
    for username in ("tclerk", "housing"):
        queue = list(work_queue(county.users[username], "unit", at))
        assert queue[0] == town_case and queue[0].is_overdue, username
    assert Notification.objects.filter(recipient__username="housing", kind=Kind.OVERDUE).exists()
    # Reporting late closes the clock but the miss stays counted.
    whistles.report(s_housing, county.users["housing"], at + H)
    counts = {r["unit__name"]: r for r in whistles.unit_counts()}
    assert counts["县住建局"]["missed_reports"] == 1 and counts["县人社局"]["missed_reports"] == 0


def test_only_a_town_or_higher_center_blows_and_only_the_unit_reports(county, town_case):
    with pytest.raises(NotAllowed):
        whistles.blow_whistle(
            town_case, county.users["handler"], [county.units["housing"].pk], "x", NOW
        )
    village_case = perform_transition(
        new_case(county, area=county.villages[0]), "accept", county.users["vclerk"], NOW
    )
    with pytest.raises(NotAllowed):
        whistles.blow_whistle(
            village_case, county.users["vclerk"], [county.units["labour"].pk], "x", NOW
        )
    whistle = summon_both(county, town_case)
    s_labour = whistle.summonses.get(unit=county.units["labour"])
    with pytest.raises(NotAllowed):
        whistles.report(s_labour, county.users["housing"], NOW)
    with pytest.raises(InvalidInput) as e:
        summon_both(county, town_case)  # the same units are already summoned
    assert "units" in e.value.field_errors


def test_bad_input_changes_nothing(county, town_case):
    with pytest.raises(InvalidInput) as e:
        whistles.blow_whistle(town_case, county.users["tclerk"], [], " ", NOW)
    assert set(e.value.field_errors) == {"reason", "units"}
    assert not town_case.whistles.exists()
    assert not Deadline.objects.filter(case=town_case, clock=Clock.REPORT).exists()


def test_whistle_through_the_case_page(county, town_case, client):
    client.login(username="tclerk", password=PASSWORD)
    url = reverse("coordination:whistle_blow", args=[town_case.code])
    bad = client.post(url, {"whistle-reason": "", "whistle-report_hours": "24"})
    assert bad.status_code == 422
    assert 'class="field has-error"' in bad.content.decode()  # shown next to the fields
    assert not town_case.whistles.exists()
    ok = client.post(
        url,
        {
            "whistle-units": [county.units["labour"].pk],
            "whistle-reason": "欠薪",
            "whistle-report_hours": "12",
        },
    )
    assert ok.status_code == 302
    due = town_case.whistles.get().report_due_at
    assert due - town_case.whistles.get().called_at == 12 * H
    client.login(username="handler", password=PASSWORD)
    page = client.get(reverse("cases:detail", args=[town_case.code])).content.decode()
    assert (
        reverse("coordination:summons_report", args=[town_case.whistles.get().summonses.get().pk])
        in page
    )


# --- The six steps in order, per unit ----------------------------------------------------


def both(whistle, county):
    return (
        whistle.summonses.get(unit=county.units["labour"]),
        whistle.summonses.get(unit=county.units["housing"]),
    )


def meet(county, whistle, summonses, at=NOW + 5 * H):
    return whistles.record_meeting(
        whistle,
        county.users["tclerk"],
        at,
        held_at=at - H,
        place="镇综治中心会议室",
        decisions="分工落实",
        tasks=[whistles.Task(s.pk, f"任务 {s.unit.name}", at + 48 * H) for s in summonses],
    )


def reported_and_met(county, case):
    whistle = summon_both(county, case)
    s_labour, s_housing = both(whistle, county)
    whistles.report(s_labour, county.users["handler"], NOW + H)
    whistles.report(s_housing, county.users["housing"], NOW + 2 * H)
    meet(county, whistle, [s_labour, s_housing])
    return whistle, s_labour, s_housing


def event_kinds(case) -> list[str]:
    return list(case.timeline.values_list("kind", flat=True))


@pytest.mark.parametrize("stage", ["reported", "met"])
def test_evaluation_before_the_units_feedback_is_refused_and_writes_nothing(
    county, town_case, stage
):
    whistle = summon_both(county, town_case)
    s_labour, s_housing = both(whistle, county)
    whistles.report(s_labour, county.users["handler"], NOW + H)
    whistles.report(s_housing, county.users["housing"], NOW + H)
    if stage == "met":
        meet(county, whistle, [s_labour, s_housing])
    events = event_kinds(town_case)
    with pytest.raises(IllegalTransition) as refused:
        whistles.evaluate(s_labour, county.users["tclerk"], 5, "很好", NOW + 6 * H)
    assert refused.value.message == ("县人社局尚未反馈：须在该单位就会商任务反馈后才能评价。")
    s_labour.refresh_from_db()
    whistle.refresh_from_db()
    assert s_labour.score is None and s_labour.evaluated_at is None and not s_labour.evaluation
    assert whistle.closed_at is None
    assert event_kinds(town_case) == events


def test_feedback_before_the_meeting_is_refused_and_writes_nothing(county, town_case):
    whistle = summon_both(county, town_case)
    s_labour, _ = both(whistle, county)
    whistles.report(s_labour, county.users["handler"], NOW + H)
    events = event_kinds(town_case)
    with pytest.raises(IllegalTransition) as refused:
        whistles.feed_back(s_labour, county.users["handler"], "已处理", NOW + 2 * H)
    assert refused.value.message == "本单位尚未分配任务：须待会商为本单位布置任务后再反馈。"
    s_labour.refresh_from_db()
    assert s_labour.feedback_at is None and not s_labour.feedback
    assert event_kinds(town_case) == events


def test_the_meeting_waits_for_every_unit_to_report_or_be_released(county, town_case):
    whistle = summon_both(county, town_case)
    s_labour, s_housing = both(whistle, county)
    whistles.report(s_labour, county.users["handler"], NOW + H)
    events = event_kinds(town_case)
    with pytest.raises(IllegalTransition) as refused:
        meet(county, whistle, [s_labour])
    assert refused.value.message == (
        "须待每个被吹哨单位都已报到或已被解除，才能记录会商；尚未报到：县住建局。"
    )
    whistle.refresh_from_db()
    s_labour.refresh_from_db()
    assert whistle.meeting_at is None and not whistle.decisions
    assert not s_labour.task and s_labour.task_due_at is None
    assert not Deadline.objects.filter(case=town_case, clock=Clock.FEEDBACK).exists()
    assert event_kinds(town_case) == events
    # Once the housing department is released, the meeting is held with the labour one.
    whistles.release(s_housing, county.users["tclerk"], "住建局职责已由属地落实", NOW + 3 * H)
    meet(county, whistle, [s_labour])
    s_labour.refresh_from_db()
    assert s_labour.task == "任务 县人社局"


def test_the_meeting_gives_every_reported_unit_a_task_and_is_recorded_once(county, town_case):
    whistle = summon_both(county, town_case)
    s_labour, s_housing = both(whistle, county)
    whistles.report(s_labour, county.users["handler"], NOW + H)
    whistles.report(s_housing, county.users["housing"], NOW + H)
    with pytest.raises(InvalidInput) as refused:
        meet(county, whistle, [s_labour])
    assert "县住建局" in refused.value.field_errors["tasks"]
    assert not whistle.summonses.exclude(task="").exists()
    meet(county, whistle, [s_labour, s_housing])
    events = event_kinds(town_case)
    with pytest.raises(IllegalTransition):
        meet(county, whistle, [s_labour, s_housing], at=NOW + 6 * H)
    whistle.refresh_from_db()
    assert whistle.meeting_at == NOW + 4 * H
    assert event_kinds(town_case) == events


def test_a_released_unit_takes_no_further_step(county, town_case):
    whistle = summon_both(county, town_case)
    s_labour, s_housing = both(whistle, county)
    with pytest.raises(InvalidInput) as refused:
        whistles.release(s_housing, county.users["tclerk"], " ", NOW + H)
    assert set(refused.value.field_errors) == {"reason"}
    with pytest.raises(NotAllowed):
        whistles.release(s_housing, county.users["handler"], "不需要", NOW + H)
    whistles.release(s_housing, county.users["tclerk"], "不需要住建局", NOW + H)
    with pytest.raises(IllegalTransition):
        whistles.report(s_housing, county.users["housing"], NOW + 2 * H)
    with pytest.raises(IllegalTransition):
        whistles.release(s_housing, county.users["tclerk"], "再次", NOW + 2 * H)
    s_housing.refresh_from_db()
    assert s_housing.reported_at is None and s_housing.step == "released"
    assert not whistles.open_summonses_for(county.users["housing"]).exists()


def test_release_closes_the_units_clocks_and_counts_no_miss_after_it(county, town_case):
    whistle = summon_both(county, town_case)
    s_labour, s_housing = both(whistle, county)
    whistles.report(s_labour, county.users["handler"], NOW + H)
    whistles.release(s_housing, county.users["tclerk"], "该事项不涉及住建", NOW + 2 * H)
    report_clock = Deadline.objects.get(
        case=town_case, clock=Clock.REPORT, unit=county.units["housing"]
    )
    assert report_clock.state == DeadlineState.CANCELLED and report_clock.met is None
    assert report_clock.closed_at == NOW + 2 * H
    # The limit passes: nothing is overdue, nothing counted against the released unit.
    assert sweep(NOW + 25 * H).overdue == 0
    s_housing.refresh_from_db()
    assert not s_housing.report_missed
    assert whistles.unit_counts().get(unit__name="县住建局")["missed_reports"] == 0
    assert town_case not in work_queue(county.users["housing"], "unit", NOW + 25 * H)
    event = town_case.timeline.get(kind="whistle_released")
    assert event.note == "该事项不涉及住建" and event.data["unit"] == "县住建局"
    assert Notification.objects.filter(
        recipient=county.users["housing"], kind=Kind.WHISTLE, title__contains="解除"
    ).exists()


def test_a_miss_before_the_release_stays_counted(county, town_case):
    whistle = summon_both(county, town_case)
    s_labour, s_housing = both(whistle, county)
    whistles.report(s_labour, county.users["handler"], NOW + H)
    # Released after the limit passed, before the sweep noticed: still a missed 报到.
    whistles.release(s_housing, county.users["tclerk"], "联系不上，改由属地处理", NOW + 30 * H)
    report_clock = Deadline.objects.get(
        case=town_case, clock=Clock.REPORT, unit=county.units["housing"]
    )
    assert report_clock.state == DeadlineState.MISSED and report_clock.met is False
    s_housing.refresh_from_db()
    assert s_housing.report_missed
    assert whistles.unit_counts().get(unit__name="县住建局")["missed_reports"] == 1


def test_release_during_the_task_closes_its_feedback_clock(county, town_case):
    whistle, s_labour, s_housing = reported_and_met(county, town_case)
    whistles.release(s_housing, county.users["tclerk"], "任务已由人社局一并完成", NOW + 10 * H)
    feedback_clock = Deadline.objects.get(
        case=town_case, clock=Clock.FEEDBACK, unit=county.units["housing"]
    )
    assert feedback_clock.state == DeadlineState.CANCELLED
    with pytest.raises(IllegalTransition):
        whistles.feed_back(s_housing, county.users["housing"], "已约谈", NOW + 11 * H)
    # A unit that fed back is evaluated, not released.
    whistles.feed_back(s_labour, county.users["handler"], "已核实", NOW + 12 * H)
    with pytest.raises(IllegalTransition):
        whistles.release(s_labour, county.users["tclerk"], "不需要了", NOW + 13 * H)


def test_the_whistle_closes_only_when_every_unit_is_evaluated_or_released(county, town_case):
    whistle, s_labour, s_housing = reported_and_met(county, town_case)
    whistles.feed_back(s_labour, county.users["handler"], "已核实", NOW + 10 * H)
    whistles.evaluate(s_labour, county.users["tclerk"], 5, "及时", NOW + 11 * H)
    whistle.refresh_from_db()
    assert whistle.closed_at is None  # the housing department still owes its feedback
    assert (
        Deadline.objects.get(
            case=town_case, clock=Clock.FEEDBACK, unit=county.units["housing"]
        ).state
        == DeadlineState.OPEN
    )
    whistles.release(s_housing, county.users["tclerk"], "约谈改由属地负责", NOW + 12 * H)
    whistle.refresh_from_db()
    assert whistle.closed_at == NOW + 12 * H
    assert town_case.timeline.get(kind="whistle_released").data["closed"] is True
    assert (
        not Deadline.objects.filter(case=town_case, state=DeadlineState.OPEN)
        .exclude(clock=Clock.RESOLVE)
        .exists()
    )


def test_a_whistle_whose_units_are_all_released_closes(county, town_case):
    whistle = summon_both(county, town_case)
    s_labour, s_housing = both(whistle, county)
    whistles.release(s_labour, county.users["tclerk"], "误吹", NOW + H)
    whistle.refresh_from_db()
    assert whistle.closed_at is None
    whistles.release(s_housing, county.users["tclerk"], "误吹", NOW + H)
    whistle.refresh_from_db()
    assert whistle.closed_at == NOW + H
    # The units may be summoned again on the case.
    summon_both(county, town_case, at=NOW + 2 * H)


# --- The panel offers only the step that is due ------------------------------------------


def panel_row(county, case, username):
    context = panel_context(county.users[username], case)
    (row,) = context["whistles"]
    return row, {s["summons"].unit.name: s for s in row["summonses"]}


def test_the_panel_offers_each_role_only_the_step_that_is_due(county, town_case):
    whistle = summon_both(county, town_case)
    s_labour, s_housing = both(whistle, county)
    # 吹哨: the units may report; the caller may release but not meet or evaluate.
    row, caller = panel_row(county, town_case, "tclerk")
    assert row["meeting_form"] is None
    assert [s.unit.name for s in row["meeting_waits_for"]] == ["县人社局", "县住建局"]
    assert all(s["evaluation_form"] is None and s["release_form"] for s in caller.values())
    row, unit = panel_row(county, town_case, "handler")
    assert unit["县人社局"]["can_report"] and unit["县人社局"]["feedback_form"] is None
    assert not unit["县住建局"]["can_report"]
    # 报到 by one unit: still no meeting, no evaluation.
    whistles.report(s_labour, county.users["handler"], NOW + H)
    row, caller = panel_row(county, town_case, "tclerk")
    assert row["meeting_form"] is None and caller["县人社局"]["evaluation_form"] is None
    assert [s.unit.name for s in row["meeting_waits_for"]] == ["县住建局"]
    # Both reported: the meeting is due, evaluation is not.
    whistles.report(s_housing, county.users["housing"], NOW + H)
    row, caller = panel_row(county, town_case, "tclerk")
    assert row["meeting_form"] is not None and not row["meeting_waits_for"]
    assert all(s["evaluation_form"] is None for s in caller.values())
    assert not unit_panel(county, town_case, "handler")["can_report"]
    # 会商: feedback is due for the units, still no evaluation for the caller.
    meet(county, whistle, [s_labour, s_housing])
    row, caller = panel_row(county, town_case, "tclerk")
    assert row["meeting_form"] is None
    assert all(s["evaluation_form"] is None for s in caller.values())
    assert unit_panel(county, town_case, "handler")["feedback_form"] is not None
    # 反馈 of one unit: only that unit may be evaluated, and no longer released.
    whistles.feed_back(s_labour, county.users["handler"], "已核实", NOW + 10 * H)
    row, caller = panel_row(county, town_case, "tclerk")
    assert caller["县人社局"]["evaluation_form"] is not None
    assert caller["县人社局"]["release_form"] is None
    assert caller["县住建局"]["evaluation_form"] is None
    assert caller["县住建局"]["release_form"] is not None
    assert unit_panel(county, town_case, "handler")["feedback_form"] is None
    # Released: nothing more is offered for the unit, to anyone.
    whistles.release(s_housing, county.users["tclerk"], "不再需要", NOW + 11 * H)
    row, caller = panel_row(county, town_case, "tclerk")
    assert caller["县住建局"]["evaluation_form"] is None
    assert caller["县住建局"]["release_form"] is None
    housing = unit_panel(county, town_case, "housing", "县住建局")
    assert housing["feedback_form"] is None and not housing["can_report"]


def unit_panel(county, case, username, unit="县人社局"):
    return panel_row(county, case, username)[1][unit]


def test_the_case_page_offers_evaluation_only_after_feedback(county, town_case, client):
    whistle = summon_both(county, town_case)
    s_labour, s_housing = both(whistle, county)
    whistles.report(s_labour, county.users["handler"], NOW - 3 * H)
    whistles.report(s_housing, county.users["housing"], NOW - 3 * H)
    client.login(username="tclerk", password=PASSWORD)
    page_url = reverse("cases:detail", args=[town_case.code])
    evaluate_url = reverse("coordination:summons_evaluate", args=[s_labour.pk])
    assert evaluate_url not in client.get(page_url).content.decode()
    # A forged POST is refused by the service, with its message, and writes nothing.
    refused = client.post(evaluate_url, {f"evaluate-{s_labour.pk}-score": "5"})
    assert refused.status_code == 422
    assert "县人社局尚未反馈" in refused.content.decode()
    s_labour.refresh_from_db()
    assert s_labour.evaluated_at is None
    whistles.record_meeting(
        whistle,
        county.users["tclerk"],
        NOW - H,
        held_at=NOW - 2 * H,
        place="",
        decisions="分工",
        tasks=[
            whistles.Task(s_labour.pk, "核实", NOW + 48 * H),
            whistles.Task(s_housing.pk, "约谈", NOW + 48 * H),
        ],
    )
    whistles.feed_back(s_labour, county.users["handler"], "已核实", NOW - H / 2)
    page = client.get(page_url).content.decode()
    assert evaluate_url in page
    assert reverse("coordination:summons_evaluate", args=[s_housing.pk]) not in page


def test_release_through_the_case_page(county, town_case, client):
    whistle = summon_both(county, town_case)
    s_labour, s_housing = both(whistle, county)
    client.login(username="tclerk", password=PASSWORD)
    url = reverse("coordination:summons_release", args=[s_housing.pk])
    assert url in client.get(reverse("cases:detail", args=[town_case.code])).content.decode()
    bad = client.post(url, {f"release-{s_housing.pk}-reason": ""})
    assert bad.status_code == 422
    ok = client.post(url, {f"release-{s_housing.pk}-reason": "不涉及住建"})
    assert ok.status_code == 302
    s_housing.refresh_from_db()
    assert s_housing.released_at == NOW and s_housing.release_reason == "不涉及住建"
    page = client.get(reverse("cases:detail", args=[town_case.code])).content.decode()
    assert "已解除" in page and url not in page


def local_minute(at: datetime.datetime) -> str:
    return at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M")


def test_the_meeting_through_the_case_page_needs_a_task_for_every_unit(county, town_case, client):
    whistle = summon_both(county, town_case)
    s_labour, s_housing = both(whistle, county)
    whistles.report(s_labour, county.users["handler"], NOW - H)
    whistles.report(s_housing, county.users["housing"], NOW - H)
    client.login(username="tclerk", password=PASSWORD)
    url = reverse("coordination:whistle_meeting", args=[whistle.pk])
    p = f"meeting-{whistle.pk}"
    due = local_minute(NOW + 72 * H)
    data = {
        f"{p}-held_at": local_minute(NOW - H),
        f"{p}-decisions": "分工",
        f"{p}-task_{s_labour.pk}": "核实",
        f"{p}-due_{s_labour.pk}": due,
    }
    assert client.post(url, data).status_code == 422
    whistle.refresh_from_db()
    assert whistle.meeting_at is None
    data |= {f"{p}-task_{s_housing.pk}": "约谈", f"{p}-due_{s_housing.pk}": due}
    assert client.post(url, data).status_code == 302
    assert set(whistle.summonses.values_list("task", flat=True)) == {"核实", "约谈"}
