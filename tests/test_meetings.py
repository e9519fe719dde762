"""研判 meetings: the Wednesday agenda lists exactly what it should; conclusions apply through
the same services; 包案 with its task force, plan and leader's page; notices; permissions."""

import datetime

import pytest
from django.urls import reverse

from areas.models import Role, Unit
from cases.errors import InvalidInput, NotAllowed
from cases.models import TimelineEvent
from cases.selectors import cases_visible_to, work_queue
from cases.services import PartyInput, perform_transition
from clocks.models import Clock, Deadline, DeadlineState
from documents.models import Block, DocumentTemplate
from documents.seed import load_templates
from jiefen import clock
from risk import assignments, meetings, services
from risk.assignments import AssignmentInput, MeasureInput, MemberInput
from risk.models import Grade, KeyPerson, MeetingKind, MeetingSchedule
from routing.sweep import sweep
from tests.factories import NOW, PASSWORD, VALID_ID, new_case, user
from tests.test_documents import docx_text, pdf_text

H = datetime.timedelta(hours=1)
D = datetime.timedelta(days=1)
# The first Wednesday at least two days after NOW (a Monday, unless the suite runs with
# JIEFEN_CLOCK_OFFSET_DAYS), an hour after NOW's time of day.
WEDNESDAY = NOW + ((2 - NOW.astimezone(clock.LOCAL_TZ).weekday()) % 7 or 7) * D + H
if WEDNESDAY - NOW < 2 * D:
    WEDNESDAY += 7 * D


def one_party(i: int):
    return [PartyInput(name=f"当事人{i}", phone=f"1370013{i:04d}")]


def accepted(county, i, *, area=None, now=NOW - H, user="vclerk", **kw):
    kw.setdefault("parties", one_party(i))
    case = new_case(county, user, area or county.grids[0], now=now, title=f"纠纷{i}", **kw)
    perform_transition(case, "accept", county.users[user], now)
    return case


@pytest.fixture
def town(county):
    center = county.center(county.towns[0])
    MeetingSchedule.objects.create(center=center, name="每周三、周五研判", weekdays="3,5")
    return center


@pytest.fixture
def week(county, town):
    """Cases of the first town (and one of the other) before and after Monday's meeting."""
    c = {}
    c["old"] = accepted(county, 1)
    c["red"] = accepted(county, 2)
    services.set_grade(c["red"], county.users["vclerk"], Grade.RED, "扬言报复", NOW - H)
    c["orange"] = accepted(county, 3, area=county.grids[1], user="vclerk_sibling")
    services.set_grade(c["orange"], county.users["tclerk"], Grade.ORANGE, "聚集苗头", NOW - H)
    c["repeat1"] = accepted(county, 4, parties=[PartyInput(name="张三", id_number=VALID_ID)])
    c["repeat2"] = accepted(county, 5, parties=[PartyInput(name="张三", id_number=VALID_ID)])
    c["other_town"] = accepted(county, 6, area=county.villages[2], user="tclerk_other")
    services.set_grade(c["other_town"], county.users["tclerk_other"], Grade.RED, "x", NOW - H)
    # Monday's ad-hoc meeting; then a case accepted and one left unaccepted since.
    meetings.open_meeting(county.users["tclerk"], town, NOW.date(), MeetingKind.AD_HOC, NOW)
    c["new"] = accepted(county, 7, now=NOW + D)
    c["new_unaccepted"] = new_case(
        county, "vclerk", county.grids[0], now=NOW + D, title="纠纷8", parties=one_party(8)
    )
    c["person"] = KeyPerson.objects.create(
        name="王五",
        phone="13600136000",
        area=county.villages[0],
        responsible=county.users["vclerk"],
        visit_days=7,
        visit_due_at=NOW - D,
        created_at=NOW - 8 * D,
    )
    sweep(NOW)  # marks the key person's visit missed (nothing else is due yet)
    # The red case's plan obligations would be overdue by Wednesday; report it in time.
    services.close_obligation(
        c["red"], county.users["vclerk"], Clock.RISK_REPORT, "已报", NOW - H / 2
    )
    return c


def test_the_wednesday_agenda_lists_exactly_the_expected_items(county, town, week):
    meeting = meetings.open_meeting(
        county.users["tclerk"], town, WEDNESDAY.date(), MeetingKind.SCHEDULED, WEDNESDAY
    )
    got = {item.case.code: sorted(item.reasons) for item in meeting.items.select_related("case")}
    assert got == {
        week["red"].code: ["overdue", "red"],  # its 包案 (risk_handle) limit of 24 h passed
        week["orange"].code: ["orange", "overdue"],  # its 8 h report limit passed
        week["repeat1"].code: ["repeat"],
        week["repeat2"].code: ["repeat"],
        week["new"].code: ["new"],
        week["new_unaccepted"].code: ["new", "overdue"],
    }
    assert [mp.person for mp in meeting.persons.all()] == [week["person"]]
    # Red first, then orange, then the overdue ones.
    assert [i.case for i in meetings.agenda(meeting)][:3] == [
        week["red"],
        week["orange"],
        week["new_unaccepted"],
    ]


def test_a_repeat_report_is_found_by_phone_too(county, town, week):
    """Two cases whose party has no ID number but the same phone: both are repeats."""
    first = accepted(county, 30, parties=one_party(30))
    second = accepted(county, 31, parties=one_party(30))
    meeting = meetings.open_meeting(
        county.users["tclerk"], town, WEDNESDAY.date(), MeetingKind.SCHEDULED, WEDNESDAY
    )
    got = {item.case_id: item.reasons for item in meeting.items.all()}
    assert got[first.pk] == ["repeat"] and got[second.pk] == ["repeat"]
    assert week["old"].pk not in got


def test_a_regular_meeting_only_on_its_days_and_once(county, town, week):
    with pytest.raises(InvalidInput):  # Thursday
        meetings.open_meeting(
            county.users["tclerk"], town, (WEDNESDAY + D).date(), MeetingKind.SCHEDULED, WEDNESDAY
        )
    meetings.open_meeting(
        county.users["tclerk"], town, WEDNESDAY.date(), MeetingKind.SCHEDULED, WEDNESDAY
    )
    with pytest.raises(InvalidInput):
        meetings.open_meeting(
            county.users["tclerk"], town, WEDNESDAY.date(), MeetingKind.SCHEDULED, WEDNESDAY
        )
    with pytest.raises(NotAllowed):
        meetings.open_meeting(
            county.users["vclerk"], town, WEDNESDAY.date(), MeetingKind.AD_HOC, WEDNESDAY
        )


def test_a_conclusion_changes_the_grade_and_writes_the_timeline(county, town, week):
    meeting = meetings.open_meeting(
        county.users["tclerk"], town, WEDNESDAY.date(), MeetingKind.SCHEDULED, WEDNESDAY
    )
    item = meeting.items.get(case=week["orange"])
    meetings.conclude(
        county.users["tclerk"],
        item,
        WEDNESDAY,
        conclusion="升为红色，镇领导包案",
        grade=Grade.RED,
        responsible_unit_id=county.center(county.villages[1]).pk,
        due_date=(WEDNESDAY + 3 * D).date(),
    )
    assert services.grade_of(week["orange"]) == Grade.RED
    kinds = list(
        TimelineEvent.objects.filter(case=week["orange"], at=WEDNESDAY).values_list("kind", "note")
    )
    assert ("risk_graded", "升为红色，镇领导包案") in kinds
    assert ("meeting_conclusion", "升为红色，镇领导包案") in kinds
    item.refresh_from_db()
    assert item.grade_after == Grade.RED and item.concluded_at == WEDNESDAY


def test_a_conclusion_without_text_or_by_an_outsider_writes_nothing(county, town, week):
    meeting = meetings.open_meeting(
        county.users["tclerk"], town, WEDNESDAY.date(), MeetingKind.SCHEDULED, WEDNESDAY
    )
    item = meeting.items.get(case=week["orange"])
    with pytest.raises(InvalidInput):
        meetings.conclude(county.users["tclerk"], item, WEDNESDAY, conclusion=" ", grade="red")
    with pytest.raises(InvalidInput):  # the other town's clerk cannot see the case
        meetings.conclude(county.users["tclerk_other"], item, WEDNESDAY, conclusion="x")
    assert services.grade_of(week["orange"]) == Grade.ORANGE
    assert not TimelineEvent.objects.filter(case=week["orange"], kind="meeting_conclusion").exists()


def test_baoan_with_task_force_plan_progress_and_the_leaders_page(county, town, week, client):
    case = week["red"]
    handler = county.users["handler"]
    assert not cases_visible_to(handler).filter(pk=case.pk).exists()
    a = assignments.assign(
        county.users["tclerk"],
        case,
        AssignmentInput(
            leader_id=county.users["leader"].pk,
            report_days=3,
            members=[MemberInput(user_id=handler.pk, role="人社专员")],
            measures=[
                MeasureInput(text="走访当事人", responsible="镇1村1", due_date=(NOW + D).date()),
                MeasureInput(
                    text="组织调解", responsible="县人社局", due_date=(NOW + 5 * D).date()
                ),
            ],
        ),
        NOW,
    )
    # 包案 takes the red case in hand: its plan's obligation is met; progress is on a clock.
    assert Deadline.objects.get(case=case, clock=Clock.RISK_HANDLE).state == DeadlineState.MET
    progress = Deadline.objects.get(case=case, clock=Clock.PROGRESS, state=DeadlineState.OPEN)
    assert progress.due_at == NOW + 3 * D and progress.unit == town
    # The member reads the case while assigned — the member, not the member's whole unit.
    assert cases_visible_to(handler).filter(pk=case.pk).exists()
    colleague = user("labour2", county.units["labour"], Role.HANDLER)
    assert not cases_visible_to(colleague).filter(pk=case.pk).exists()
    # The leader sees it first in the queue, and on "my 包案 cases" with the overdue measure.
    assert list(work_queue(county.users["leader"], "unit", NOW + 2 * D))[0] == case
    client.login(username="leader", password=PASSWORD)
    with clock.pinned(NOW + 2 * D):  # the first measure was due yesterday
        page = client.get(reverse("risk:my_assignments")).content.decode()
    assert case.code in page and "走访当事人" in page and 'class="overdue"' in page

    assignments.report_progress(county.users["leader"], a, "已走访，情绪稳定", NOW + 2 * D)
    new_clock = Deadline.objects.get(case=case, clock=Clock.PROGRESS, state=DeadlineState.OPEN)
    assert new_clock.due_at == NOW + 5 * D
    assert sweep(NOW + 5 * D + H).overdue >= 1  # a missed progress report is overdue like any clock
    assignments.end_assignment(county.users["tclerk"], a, "已化解", NOW + 6 * D)
    assert not cases_visible_to(handler).filter(pk=case.pk).exists()


def test_baoan_needs_a_plan_and_a_center(county, week):
    case = week["red"]
    with pytest.raises(InvalidInput) as e:
        assignments.assign(
            county.users["tclerk"], case, AssignmentInput(leader_id=county.users["leader"].pk), NOW
        )
    assert "measures" in e.value.field_errors
    plan = [MeasureInput(text="走访", responsible="", due_date=NOW.date())]
    with pytest.raises(InvalidInput) as e:
        assignments.assign(
            county.users["tclerk"],
            case,
            AssignmentInput(leader_id=county.users["leader"].pk, measures=plan),
            NOW,
        )
    assert "measures[0].responsible" in e.value.field_errors
    plan[0].responsible = "镇1村1"
    with pytest.raises(NotAllowed):
        assignments.assign(
            county.users["handler"],
            case,
            AssignmentInput(leader_id=county.users["leader"].pk, measures=plan),
            NOW,
        )
    assert assignments.current(case) is None


def test_a_notice_goes_down_with_an_acknowledgement_deadline(county, town, week):
    meeting = meetings.open_meeting(
        county.users["tclerk"], town, WEDNESDAY.date(), MeetingKind.SCHEDULED, WEDNESDAY
    )
    v1, v2 = county.center(county.villages[0]), county.center(county.villages[1])
    notice = meetings.send_notice(
        county.users["tclerk"], meeting, [v1.pk, v2.pk], "注意王五动向", 24, WEDNESDAY
    )
    with pytest.raises(InvalidInput):  # a unit outside the town
        meetings.send_notice(
            county.users["tclerk"],
            meeting,
            [county.center(county.villages[2]).pk],
            "x",
            24,
            WEDNESDAY,
        )
    mine = meetings.notices_for(county.users["vclerk"]).get()
    meetings.acknowledge(county.users["vclerk"], mine.pk, WEDNESDAY + H)
    sweep(WEDNESDAY + 25 * H)
    sweep(WEDNESDAY + 26 * H)
    states = {r.unit_id: (r.acknowledged_at, r.overdue_at) for r in notice.recipients.all()}
    assert states[v1.pk] == (WEDNESDAY + H, None)
    assert states[v2.pk] == (None, WEDNESDAY + 25 * H)


@pytest.fixture
def templates(db):
    if not DocumentTemplate.objects.filter(subject="meeting").exists():
        load_templates(DocumentTemplate, Block)


def test_meeting_pages_minutes_and_404s(county, town, week, client, templates):
    meeting = meetings.open_meeting(
        county.users["tclerk"], town, WEDNESDAY.date(), MeetingKind.SCHEDULED, WEDNESDAY
    )
    item = meeting.items.get(case=week["orange"])
    client.login(username="tclerk", password=PASSWORD)
    page = client.get(reverse("risk:meeting", args=[meeting.pk])).content.decode()
    assert week["red"].code in page and week["other_town"].code not in page
    url = reverse("risk:meeting_conclude", args=[meeting.pk, item.pk])
    assert "conclusion-form" in client.get(url).content.decode()
    assert client.post(url, {f"item-{item.pk}-conclusion": ""}).status_code == 422
    r = client.post(url, {f"item-{item.pk}-conclusion": "维持橙色，专人跟进"})
    assert r.status_code == 302
    # The minutes print through the documents app, in Chinese, as Word and as PDF.
    docx = client.get(reverse("documents:meeting_minutes", args=[meeting.pk, "docx"]))
    text = docx_text(docx.content)
    assert week["orange"].code in text and "维持橙色，专人跟进" in text
    assert "矛盾纠纷研判会议纪要" in text and town.name in text
    pdf = client.get(reverse("documents:meeting_minutes", args=[meeting.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "维持橙色" in text and "研判会议纪要" in text
    assert "研判纪要" in pdf["Content-Disposition"] or "%E7%A0%94" in pdf["Content-Disposition"]
    bad = client.get(reverse("documents:meeting_minutes", args=[meeting.pk, "txt"]))
    assert bad.status_code == 404
    client.logout()
    client.login(username="tclerk_other", password=PASSWORD)
    assert client.get(reverse("risk:meeting", args=[meeting.pk])).status_code == 404
    minutes = reverse("documents:meeting_minutes", args=[meeting.pk, "pdf"])
    assert client.get(minutes).status_code == 404
    assert client.post(url, {f"item-{item.pk}-conclusion": "x"}).status_code == 404
    assert client.get(url).status_code == 404
    assert Unit.objects.filter(pk=town.pk).exists()


def test_the_center_ends_a_baoan_on_the_case_page(county, week, client):
    case = week["red"]
    handler = county.users["handler"]
    assignments.assign(
        county.users["tclerk"],
        case,
        AssignmentInput(
            leader_id=county.users["leader"].pk,
            members=[MemberInput(user_id=handler.pk, role="人社专员")],
            measures=[MeasureInput(text="走访", responsible="镇1村1", due_date=NOW.date())],
        ),
        NOW,
    )
    url = reverse("risk:end_assignment", args=[case.code])
    client.login(username="vclerk_sibling", password=PASSWORD)
    assert client.post(url, {"end-reason": "x"}).status_code == 404
    client.logout()
    client.login(username="tclerk", password=PASSWORD)
    page = client.get(reverse("cases:detail", args=[case.code])).content.decode()
    assert url in page
    assert client.post(url, {"end-reason": ""}).status_code == 422
    assert assignments.current(case) is not None
    assert client.post(url, {"end-reason": "已化解"}).status_code == 302
    assert assignments.current(case) is None
    assert not cases_visible_to(handler).filter(pk=case.pk).exists()
    assert TimelineEvent.objects.filter(case=case, kind="assignment_ended", note="已化解").exists()


def test_the_baoan_form_takes_the_plan_as_rows(county, week, client):
    case = week["red"]
    client.login(username="tclerk", password=PASSWORD)
    page = client.get(reverse("cases:detail", args=[case.code])).content.decode()
    assert 'name="assign-measures-0-text"' in page and "measure-template" in page
    url = reverse("risk:assign", args=[case.code])
    due = (NOW + 3 * D).astimezone(clock.LOCAL_TZ).date().isoformat()
    data = {
        "assign-leader_id": str(county.users["leader"].pk),
        "assign-report_days": "3",
        "assign-member_role": "专班成员",
        "assign-measures-TOTAL_FORMS": "3",
        "assign-measures-INITIAL_FORMS": "0",
        "assign-measures-MIN_NUM_FORMS": "0",
        "assign-measures-MAX_NUM_FORMS": "20",
        "assign-measures-0-text": "走访当事人",
        "assign-measures-0-responsible": "",
        "assign-measures-0-due_date": due,
    }
    with clock.pinned(NOW):
        r = client.post(url, data)
    assert r.status_code == 422 and "请填写责任人。" in r.content.decode()
    assert assignments.current(case) is None
    with clock.pinned(NOW):
        r = client.post(url, {**data, "assign-measures-0-text": ""})
    assert r.status_code == 422 and assignments.current(case) is None
    data.update(
        {
            "assign-measures-0-responsible": "镇1村1",
            "assign-measures-1-text": "组织调解",
            "assign-measures-1-responsible": "县人社局",
            "assign-measures-1-due_date": due,
        }
    )
    with clock.pinned(NOW):
        assert client.post(url, data).status_code == 302
    a = assignments.current(case)
    assert [(m.text, m.responsible) for m in a.measures.all()] == [
        ("走访当事人", "镇1村1"),
        ("组织调解", "县人社局"),
    ]
