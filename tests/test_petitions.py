"""信访事项 under the 信访工作条例 (2022): the 15-day decision, the 60-day handling with one
leader-approved extension of at most 30 days, the written reply, 复查 and 复核 each asked
within 30 days and answered within 30 — every limit a clock through the sweep — plus the
访诉分离 catalogue and leader reception days. Bad input writes nothing."""

import datetime

import pytest

from cases.errors import InvalidInput, NotAllowed
from cases.models import Case, TimelineEvent
from cases.workflow import Status
from clocks.models import Clock, Deadline, DeadlineState
from jiefen.localtime import LOCAL_TZ
from petitions import services
from petitions.models import (
    Booking,
    ChannelGuide,
    Decision,
    Opinion,
    OpinionKind,
    Petition,
    ReceptionDay,
    Stage,
)
from routing.sweep import sweep
from tests.factories import NOW, new_case

DAY = datetime.timedelta(days=1)


def end_of_local_day(moment: datetime.datetime, days: int) -> datetime.datetime:
    """The end (23:59:59.999999, Asia/Shanghai) of the day `days` after `moment`'s local day:
    how a limit "within N days" runs out, written out by hand."""
    day = moment.astimezone(LOCAL_TZ).date() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time.max, tzinfo=LOCAL_TZ)


def petition_case(county, now=NOW, **kw) -> Case:
    return new_case(county, "tclerk", area=county.villages[0], now=now, channel="petition", **kw)


def petition_of(case) -> Petition:
    return Petition.objects.get(case=case)


def open_clock(case, clock) -> Deadline:
    return Deadline.objects.get(case=case, clock=clock, state=DeadlineState.OPEN)


def accepted(county, now=NOW) -> Petition:
    case = petition_case(county, now=now)
    return services.decide(petition_of(case), county.users["tclerk"], Decision.ACCEPT, now)


OPINION = dict(result="support", facts="经核实，情况属实。", text="支持信访人的诉求。")
REVIEW = dict(result="uphold", facts="复查认定事实清楚。", text="维持原处理意见。")


def replied(county, now=NOW) -> Petition:
    p = accepted(county, now)
    services.give_opinion(p, county.users["tclerk"], OpinionKind.HANDLING, now + DAY, **OPINION)
    return petition_of(p.case)


# ---------------------------------------------------------------- registration and decision


def test_a_petition_case_opens_the_15_day_decision_clock(county):
    case = petition_case(county)
    p = petition_of(case)
    assert p.stage == Stage.REGISTERED
    d = open_clock(case, Clock.PETITION_DECIDE)
    assert d.due_at == end_of_local_day(NOW, 15)
    assert case.timeline.filter(kind="petition_registered").exists()
    # Another channel is no petition.
    assert not Petition.objects.filter(case=new_case(county)).exists()


def test_accepting_starts_the_60_day_handling_clock_instead_of_the_mediation_limit(county):
    later = NOW + 3 * DAY
    p = accepted(county, later)
    case = Case.objects.get(pk=p.case_id)
    assert case.status == Status.ACCEPTED and p.stage == Stage.HANDLING
    decide = Deadline.objects.get(case=case, clock=Clock.PETITION_DECIDE)
    assert decide.state == DeadlineState.MET and decide.met is True
    assert open_clock(case, Clock.PETITION_REPLY).due_at == end_of_local_day(later, 60)
    resolve = Deadline.objects.get(case=case, clock=Clock.RESOLVE)
    assert resolve.state == DeadlineState.CANCELLED


def test_a_decision_after_15_days_is_recorded_as_late(county):
    case = petition_case(county)
    p = services.decide(petition_of(case), county.users["tclerk"], Decision.ACCEPT, NOW + 16 * DAY)
    decide = Deadline.objects.get(case=p.case, clock=Clock.PETITION_DECIDE)
    assert decide.state == DeadlineState.MISSED and decide.met is False


def test_forwarding_hands_the_petition_and_its_clock_to_the_competent_unit(county):
    case = petition_case(county)
    labour = county.units["labour"]
    p = services.decide(
        petition_of(case), county.users["tclerk"], Decision.FORWARD, NOW,
        unit_id=labour.pk, note="属人社部门职责",
    )  # fmt: skip
    case.refresh_from_db()
    assert case.owner_unit == labour and case.status == Status.ROUTED
    assert p.forwarded_to == labour
    assert open_clock(case, Clock.PETITION_REPLY).unit == labour


def test_redirect_tells_the_channel_from_the_catalogue_and_closes_the_case(county):
    guide = ChannelGuide.objects.create(
        name="已进入诉讼程序的民事纠纷", kind="litigation", competent="县人民法院",
        how="向法院立案庭咨询案件进度，依法通过上诉、申请再审等程序解决。",
    )  # fmt: skip
    case = petition_case(county)
    p = services.decide(petition_of(case), county.users["tclerk"], Decision.REDIRECT, NOW,
                        guide_id=guide.pk)  # fmt: skip
    case.refresh_from_db()
    assert p.stage == Stage.REDIRECTED and p.guide == guide
    assert case.status == Status.TERMINATED
    assert "县人民法院" in case.outcome_note and "上诉" in case.outcome_note
    event = case.timeline.get(kind="petition_decided")
    assert event.data["who"] == "县人民法院"
    assert not Deadline.objects.filter(case=case, state=DeadlineState.OPEN).exists()


def test_redirect_without_a_catalogue_entry_is_refused(county):
    case = petition_case(county)
    with pytest.raises(InvalidInput) as e:
        services.decide(petition_of(case), county.users["tclerk"], Decision.REDIRECT, NOW)
    assert "guide_id" in e.value.field_errors
    assert petition_of(case).stage == Stage.REGISTERED


def test_only_center_staff_decide(county):
    case = petition_case(county)
    with pytest.raises(NotAllowed):
        services.decide(petition_of(case), county.users["handler"], Decision.ACCEPT, NOW)


# ---------------------------------------------------------------- the extension


def test_a_leader_extends_once_by_up_to_30_days(county):
    p = accepted(county)
    d = open_clock(p.case, Clock.PETITION_REPLY)
    services.extend(p, county.users["leader"], 30, "涉及多个部门，需现场勘验", NOW + 50 * DAY)
    d.refresh_from_db()
    assert d.due_at == end_of_local_day(NOW, 90)
    p.refresh_from_db()
    assert p.extended_days == 30 and p.extended_by == county.users["leader"]
    event = p.case.timeline.get(kind="petition_extended")
    assert event.note == "涉及多个部门，需现场勘验" and event.data["days"] == 30
    with pytest.raises(InvalidInput) as e:
        services.extend(p, county.users["leader"], 5, "再次延期", NOW + 55 * DAY)
    assert "一次" in str(e.value.message) or e.value.field_errors["days"]
    d.refresh_from_db()
    assert d.due_at == end_of_local_day(NOW, 90)


@pytest.mark.parametrize("days", [31, 0, -3, "三十"])
def test_an_extension_beyond_the_legal_maximum_is_refused_and_nothing_written(county, days):
    p = accepted(county)
    due = open_clock(p.case, Clock.PETITION_REPLY).due_at
    events = TimelineEvent.objects.count()
    with pytest.raises(InvalidInput) as e:
        services.extend(p, county.users["leader"], days, "情况复杂", NOW + DAY)
    assert "30" in e.value.field_errors["days"]
    assert open_clock(p.case, Clock.PETITION_REPLY).due_at == due
    assert petition_of(p.case).extended_days == 0
    assert TimelineEvent.objects.count() == events


def test_an_extension_without_a_leader_or_without_a_reason_is_refused(county):
    p = accepted(county)
    with pytest.raises(NotAllowed) as e:
        services.extend(p, county.users["tclerk"], 10, "情况复杂", NOW + DAY)
    assert "负责人" in str(e.value.message)
    with pytest.raises(InvalidInput) as e:
        services.extend(p, county.users["leader"], 10, "  ", NOW + DAY)
    assert "reason" in e.value.field_errors
    assert petition_of(p.case).extended_days == 0


def test_an_extension_after_the_60_days_is_refused(county):
    p = accepted(county)
    with pytest.raises(InvalidInput):
        services.extend(p, county.users["leader"], 10, "情况复杂", NOW + 62 * DAY)


# ---------------------------------------------------------------- the clocks through the sweep


def test_the_handling_clock_reminds_goes_overdue_once_and_closes_late(county):
    p = accepted(county)
    case = p.case
    sweep(NOW + 50 * DAY)  # past 80% of the 60 days: a reminder
    d = open_clock(case, Clock.PETITION_REPLY)
    assert d.warned_at is not None and d.overdue_at is None
    sweep(NOW + 62 * DAY)
    sweep(NOW + 62 * DAY + datetime.timedelta(minutes=1))
    assert case.timeline.filter(kind="deadline_missed").count() == 1
    services.give_opinion(p, county.users["tclerk"], OpinionKind.HANDLING, NOW + 63 * DAY,
                          **OPINION)  # fmt: skip
    d.refresh_from_db()
    assert d.state == DeadlineState.MISSED and d.met is False
    assert petition_of(case).stage == Stage.REPLIED


def test_the_reply_on_time_is_met_and_issues_the_opinion(county):
    p = replied(county)
    d = Deadline.objects.get(case=p.case, clock=Clock.PETITION_REPLY)
    assert d.state == DeadlineState.MET
    o = Opinion.objects.get(petition=p)
    assert o.kind == OpinionKind.HANDLING and o.unit == p.case.owner_unit
    assert p.case.timeline.get(kind="petition_replied").data["on_time"] is True


# ---------------------------------------------------------------- 复查 and 复核


def test_review_is_asked_within_30_days_and_answered_within_30(county):
    p = replied(county)  # replied at NOW + 1 day, by the town
    county_clerk = county.users["cclerk"]
    asked = NOW + 31 * DAY  # the 30th day after the reply
    # 复查: asked of the organ above the town's, the county.
    services.request(p, county_clerk, OpinionKind.REVIEW, "信访人对处理意见不服", asked)
    p.refresh_from_db()
    assert p.stage == Stage.REVIEW
    d = open_clock(p.case, Clock.PETITION_REVIEW)
    assert d.due_at == end_of_local_day(asked, 30)
    assert d.unit == county.center(county.county)
    services.give_opinion(p, county_clerk, OpinionKind.REVIEW, asked + 20 * DAY, **REVIEW)
    d.refresh_from_db()
    assert d.state == DeadlineState.MET
    # 复核 within 30 days of the review opinion, answered within 30: the county is the top of
    # this tree (no organ above it in the system), so the county records it.
    services.request(p, county_clerk, OpinionKind.RECHECK, "仍不服", asked + 45 * DAY)
    d = open_clock(p.case, Clock.PETITION_RECHECK)
    assert d.unit == county.center(county.county)
    assert d.due_at == end_of_local_day(asked + 45 * DAY, 30)
    sweep(asked + 80 * DAY)
    sweep(asked + 81 * DAY)
    assert p.case.timeline.filter(kind="deadline_missed").count() == 1
    services.give_opinion(p, county_clerk, OpinionKind.RECHECK, asked + 82 * DAY, **REVIEW)
    p.refresh_from_db()
    assert p.stage == Stage.CLOSED
    assert Deadline.objects.get(case=p.case, clock=Clock.PETITION_RECHECK).met is False


def test_a_review_request_after_its_window_is_refused_and_nothing_written(county):
    p = replied(county)
    events = TimelineEvent.objects.count()
    with pytest.raises(InvalidInput) as e:
        services.request(p, county.users["cclerk"], OpinionKind.REVIEW, "不服", NOW + 32 * DAY)
    assert "30" in str(e.value.message)
    p.refresh_from_db()
    assert p.stage == Stage.REPLIED and p.review_requested_at is None
    assert not Deadline.objects.filter(case=p.case, clock=Clock.PETITION_REVIEW).exists()
    assert TimelineEvent.objects.count() == events


def test_a_review_is_asked_of_the_organ_above_the_one_that_gave_the_opinion(county):
    """第三十七条: the town that gave the handling opinion cannot take the 复查 of it."""
    p = replied(county)
    events = TimelineEvent.objects.count()
    with pytest.raises(NotAllowed) as e:
        services.request(p, county.users["tclerk"], OpinionKind.REVIEW, "不服", NOW + 5 * DAY)
    assert county.center(p.case.owner_unit.area).name in str(e.value.message)
    p.refresh_from_db()
    assert p.stage == Stage.REPLIED and p.review_requested_at is None
    assert not Deadline.objects.filter(case=p.case, clock=Clock.PETITION_REVIEW).exists()
    assert TimelineEvent.objects.count() == events


def test_a_recheck_before_a_review_is_refused(county):
    p = replied(county)
    with pytest.raises(InvalidInput):
        services.request(p, county.users["cclerk"], OpinionKind.RECHECK, "不服", NOW + 2 * DAY)


def test_a_handling_opinion_needs_facts_and_a_result_of_its_kind(county):
    p = accepted(county)
    with pytest.raises(InvalidInput) as e:
        services.give_opinion(p, county.users["tclerk"], OpinionKind.HANDLING, NOW,
                              result="uphold", facts="", text="答复")  # fmt: skip
    assert set(e.value.field_errors) == {"result", "facts"}
    assert not Opinion.objects.exists()


# ---------------------------------------------------------------- leader reception days


def reception_day(county, days=2) -> ReceptionDay:
    local = NOW.astimezone(LOCAL_TZ).date()
    return services.schedule_reception(
        county.users["tclerk"], county.center(county.towns[0]).pk, county.users["leader"].pk,
        local + datetime.timedelta(days=days), "镇综治中心接访室", "receive", NOW,
    )  # fmt: skip


def test_a_case_is_booked_to_a_leader_day_and_the_leader_records_the_outcome(county):
    day = reception_day(county)
    case = petition_case(county)
    booking = services.book(case, county.users["tclerk"], day.pk, NOW)
    assert case.timeline.filter(kind="reception_booked").exists()
    with pytest.raises(InvalidInput):  # the day has not come yet
        services.record_reception(booking, county.users["leader"], "当面答复", NOW)
    with pytest.raises(NotAllowed):
        services.record_reception(booking, county.users["tclerk"], "当面答复", NOW + 3 * DAY)
    services.record_reception(booking, county.users["leader"], "领导当面听取诉求，责成镇司法所一周内调处",
                              NOW + 3 * DAY)  # fmt: skip
    event = case.timeline.get(kind="reception_held")
    assert "司法所" in event.note and event.actor == county.users["leader"]
    with pytest.raises(InvalidInput):
        services.book(case, county.users["tclerk"], day.pk, NOW)  # booked already


def test_reception_days_refuse_the_past_a_non_leader_and_other_areas(county):
    local = NOW.astimezone(LOCAL_TZ).date()
    town = county.center(county.towns[0]).pk
    with pytest.raises(InvalidInput) as e:
        services.schedule_reception(county.users["tclerk"], town, county.users["tclerk"].pk,
                                    local - DAY, "", "receive", NOW)  # fmt: skip
    assert set(e.value.field_errors) == {"leader_id", "date", "place"}
    day = reception_day(county)
    other_town_case = new_case(county, "tclerk_other", area=county.villages[2])
    with pytest.raises((InvalidInput, NotAllowed)):
        services.book(other_town_case, county.users["tclerk_other"], day.pk, NOW)
    assert not Booking.objects.exists()


# ---------------------------------------------------------------- the case page and the API


def test_the_case_page_offers_the_step_and_refuses_bad_input_in_chinese(county, client):
    from django.test import Client

    case = petition_case(county)
    clerk = Client()
    clerk.force_login(county.users["tclerk"])
    page = clerk.get(f"/cases/{case.code}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="petition"' in html and "petition-decide" in html
    r = clerk.post(f"/petitions/cases/{case.code}/decide/", {"decide-decision": "accept"})
    assert r.status_code == 302
    assert petition_of(case).stage == Stage.HANDLING
    leader = Client()
    leader.force_login(county.users["leader"])
    events = TimelineEvent.objects.count()
    r = leader.post(
        f"/petitions/cases/{case.code}/extend/",
        {"extend-days": "45", "extend-reason": "情况复杂"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert r.status_code == 422
    assert "30" in r.content.decode()
    assert TimelineEvent.objects.count() == events and petition_of(case).extended_days == 0
    r = clerk.post(
        f"/petitions/cases/{case.code}/extend/", {"extend-days": "10", "extend-reason": "复杂"}
    )
    assert r.status_code == 422 and petition_of(case).extended_days == 0
    r = leader.post(
        f"/petitions/cases/{case.code}/extend/", {"extend-days": "20", "extend-reason": "复杂"}
    )
    assert r.status_code == 302 and petition_of(case).extended_days == 20
    assert clerk.get("/petitions/").status_code == 200
    assert case.code in clerk.get("/petitions/", {"stage": "handling"}).content.decode()
    assert clerk.post(f"/petitions/cases/{case.code}/nonsense/").status_code == 404


def test_the_api_runs_the_procedure_with_problem_bodies(county):
    from tests.test_api import PROBLEM, Api

    case = petition_case(county)
    base = f"/api/v1/cases/{case.code}/petition"
    clerk, leader = Api("tclerk"), Api("leader")
    assert clerk.get(base).json()["stage"] == "registered"
    assert clerk.post(f"{base}/decision", {"decision": "accept"}).status_code == 200
    bad = leader.post(f"{base}/extension", {"days": 31, "reason": "复杂"})
    assert bad.status_code == 422 and bad["Content-Type"] == PROBLEM
    assert "days" in bad.json()["errors"]
    assert clerk.post(f"{base}/extension", {"days": 10, "reason": "复杂"}).status_code == 403
    r = leader.post(f"{base}/extension", {"days": 30, "reason": "需现场勘验"})
    assert r.status_code == 200 and r.json()["extended_days"] == 30
    r = clerk.post(f"{base}/opinions", {"kind": "handling", **OPINION})
    assert r.status_code == 200 and r.json()["stage"] == "replied"
    assert [c["state"] for c in r.json()["clocks"]] == ["met", "met"]
    assert Api("vclerk_sibling").get(base).status_code == 404
    assert clerk.get(f"/api/v1/cases/{new_case(county).code}/petition").status_code == 404


def test_a_late_review_request_through_the_api_is_a_problem_and_writes_nothing(county):
    from tests.test_api import Api

    p = replied(county)
    from jiefen import clock

    with clock.pinned(NOW + 40 * DAY):
        r = Api("cclerk").post(
            f"/api/v1/cases/{p.case.code}/petition/requests", {"kind": "review", "note": "不服"}
        )
    assert r.status_code == 422
    assert petition_of(p.case).stage == Stage.REPLIED


def test_the_reply_prints_as_the_answer_document(county):
    import io

    import docx

    from documents.models import Block, DocumentTemplate
    from documents.seed import load_templates
    from documents.services import available_documents, draw_up

    if not DocumentTemplate.objects.exists():
        load_templates(DocumentTemplate, Block)
    p = replied(county)
    offers = [o for o in available_documents(p.case) if o.template.slug == "petition-reply"]
    assert len(offers) == 1
    data = draw_up(offers[0].template, p.case, offers[0].obj_id, "docx", None, NOW + 2 * DAY)
    d = docx.Document(io.BytesIO(data))
    text = "\n".join([x.text for x in d.paragraphs] + [
        c.text for t in d.tables for row in t.rows for c in row.cells
    ])  # fmt: skip
    assert "信访事项答复意见书" in text and "支持信访人的诉求" in text
    assert "30日内" in text and "复查" in text
    assert draw_up(offers[0].template, p.case, offers[0].obj_id, "pdf", None, NOW)[:4] == b"%PDF"


# ---------------------------------------------------------------- the figures


def test_the_petition_figures_by_a_hand_worked_example(county):
    """Four petitions of the county, counted on day 90 over days 0–100 (local dates):
    A accepted on day 1 (in time), extended on day 5, replied on day 10 (in time), 复查
    asked on day 20 and answered on day 30 (in time); B accepted on day 20 (late: 15 days
    ran out on day 15), not replied, its 60 days ran out on day 80; C told the competent
    channel on day 2; D registered on day 5, not decided, its 15 days ran out on day 20.
    registered 4, accepted 2 (A, B), 及时受理 2 of 4 (A, C; B late, D late and open),
    按期答复 1 of 2 (A; B late and open), extended 1, 告知 1, 复查 1 (answered in time),
    open now 2 (B handling, D registered)."""
    from routing.sweep import sweep
    from stats.petition_figures import figures

    clerk, leader = county.users["tclerk"], county.users["leader"]
    guide = ChannelGuide.objects.create(
        name="涉诉", kind="litigation", competent="法院", how="起诉"
    )
    a, b, c = (petition_of(petition_case(county)) for _ in range(3))
    d = petition_of(petition_case(county, now=NOW + 5 * DAY))
    services.decide(a, clerk, Decision.ACCEPT, NOW + DAY)
    services.extend(a, leader, 10, "需要勘验", NOW + 5 * DAY)
    services.give_opinion(a, clerk, OpinionKind.HANDLING, NOW + 10 * DAY, **OPINION)
    county_clerk = county.users["cclerk"]
    services.request(a, county_clerk, OpinionKind.REVIEW, "不服", NOW + 20 * DAY)
    services.give_opinion(a, county_clerk, OpinionKind.REVIEW, NOW + 30 * DAY, **REVIEW)
    services.decide(b, clerk, Decision.ACCEPT, NOW + 20 * DAY)
    services.decide(c, clerk, Decision.REDIRECT, NOW + 2 * DAY, guide_id=guide.pk)
    assert petition_of(d.case).stage == Stage.REGISTERED
    sweep(NOW + 90 * DAY)  # as every minute: B's and D's open clocks are found overdue
    start = NOW.astimezone(LOCAL_TZ).date()
    got = {f.key: f.value for f in figures(county.county, start, start + 100 * DAY)}
    assert got == {
        "petitions_registered": 4,
        "petitions_accepted": 2,
        "petitions_decided_on_time": "50.0%（2/4）",
        "petitions_replied_on_time": "50.0%（1/2）",
        "petitions_extended": 1,
        "petitions_redirected": 1,
        "petitions_reviews": 1,
        "petitions_rechecks": 0,
        "petitions_review_on_time": "100.0%（1/1）",
        "petitions_open": 2,
    }
    # Another town's area has none of them; a period before them has nothing due.
    assert figures(county.towns[1], start, start + 100 * DAY)[0].value == 0
    early = {f.key: f.value for f in figures(county.county, start - 30 * DAY, start - DAY)}
    assert early["petitions_replied_on_time"] == "—"
    # The town's and the province's figures count the same petitions (every ancestor keeps
    # its daily rows), and a fresh computation finds the stored marks right.
    town = {f.key: f.value for f in figures(county.towns[0], start, start + 100 * DAY)}
    assert town == got
    from stats.rebuild import differences

    assert differences() == []
