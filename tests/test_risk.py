"""Risk grades (红橙黄): the rules at intake, the response plan's clocks through the sweep,
lowering, the queue order, the list filter, the case-page panel and its permissions."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.errors import InvalidInput, NotAllowed
from cases.models import TimelineEvent
from cases.selectors import work_queue
from cases.services import register_case
from clocks.models import Clock, Deadline, DeadlineState
from jiefen.localtime import LOCAL_TZ
from notifications.models import Kind, Notification
from risk import services
from risk.defaults import create_rules
from risk.models import CaseRisk, Grade, KeyPerson, RiskRule, RuleKind
from routing.sweep import sweep
from tests.factories import NOW, PASSWORD, VALID_ID, case_input, new_case

H = datetime.timedelta(hours=1)


def rule(kind, grade="orange", **kw):
    return RiskRule.objects.create(name=f"{kind}-{grade}", kind=kind, grade=grade, **kw)


def grade(case) -> str:
    return services.grade_of(case)


# ---------------------------------------------------------------- rules, each kind


def test_scale_rule(county):
    rule(RuleKind.SCALE, "red", threshold=3)
    rule(RuleKind.SCALE, "orange", threshold=2)
    assert grade(new_case(county, scale="01")) == Grade.NONE
    assert grade(new_case(county, scale="02")) == Grade.ORANGE
    assert grade(new_case(county, scale="03")) == Grade.RED


def test_people_and_amount_rules(county):
    rule(RuleKind.PEOPLE, "orange", threshold=30)
    rule(RuleKind.AMOUNT, "yellow", threshold=Decimal("500000"))
    assert grade(new_case(county, people_involved=29)) == Grade.NONE
    assert grade(new_case(county, people_involved=30)) == Grade.ORANGE
    assert grade(new_case(county, amount_involved="499999.99")) == Grade.NONE
    assert grade(new_case(county, amount_involved="500000")) == Grade.YELLOW


def test_threat_and_criminal_word_rules(county):
    rule(RuleKind.THREAT, "red", words="扬言报复、轻生")
    rule(RuleKind.CRIMINAL, "orange", words="持刀，斗殴")
    assert grade(new_case(county, description="对方扬言报复，情绪激动。")) == Grade.RED
    assert grade(new_case(county, title="两户持刀对峙")) == Grade.ORANGE
    assert grade(new_case(county)) == Grade.NONE


def test_repeat_rule_counts_a_party_s_earlier_cases(county):
    rule(RuleKind.REPEAT, "yellow", threshold=2)
    first = new_case(county)
    second = new_case(county)
    third = new_case(county)
    assert [grade(c) for c in (first, second, third)] == [Grade.NONE, Grade.NONE, Grade.YELLOW]


def test_key_person_rule_and_auto_link_by_id_number(county):
    rule(RuleKind.KEY_PERSON, "orange")
    person = KeyPerson.objects.create(
        name="张三",
        id_number=VALID_ID,
        area=county.villages[0],
        responsible=county.users["vclerk"],
        created_at=NOW,
    )
    case = new_case(county)
    assert grade(case) == Grade.ORANGE
    assert list(services.key_persons_of(case)) == [person]


def test_category_rule_and_the_highest_grade_wins(county):
    rule(RuleKind.CATEGORY, "yellow", category_code="02")
    rule(RuleKind.PEOPLE, "red", threshold=5)
    assert grade(new_case(county, category_code="0201")) == Grade.YELLOW
    both = new_case(county, category_code="0201", people_involved=8)
    risk = CaseRisk.objects.get(case=both)
    assert risk.grade == Grade.RED and risk.rules == ["people-red"]
    event = TimelineEvent.objects.get(case=both, kind="risk_graded")
    assert "people-red" in event.note


def test_rules_add_at_most_two_queries_to_an_ungraded_intake(county, monkeypatch):
    create_rules(RiskRule)
    new_case(county)  # warm the caches of the first intake
    data = case_input(county.grids[0])
    with CaptureQueriesContext(connection) as with_rules:
        register_case(county.users["vclerk"], data, NOW)
    monkeypatch.setattr("cases.services.intake_extensions", lambda: [])
    with CaptureQueriesContext(connection) as without:
        register_case(county.users["vclerk"], case_input(county.grids[0]), NOW)
    assert len(with_rules) - len(without) <= 2


# ---------------------------------------------------------------- plans and the sweep


def test_red_opens_its_plan_and_the_sweep_reminds_marks_and_escalates_once(county):
    case = new_case(county)
    services.set_grade(case, county.users["vclerk"], Grade.RED, "扬言报复", NOW)
    open_ = Deadline.objects.filter(case=case, state=DeadlineState.OPEN)
    report = open_.get(clock=Clock.RISK_REPORT)
    handle = open_.get(clock=Clock.RISK_HANDLE)
    assert report.due_at == NOW + H and handle.due_at == NOW + 24 * H
    # Told at once: the village center and the town and county centers above (2 levels).
    told = set(
        Notification.objects.filter(kind=Kind.RISK).values_list("recipient__username", flat=True)
    )
    assert {"vclerk", "tclerk", "cclerk"} <= told and "vclerk_sibling" not in told

    for _ in range(2):  # the second run finds nothing new
        sweep(NOW + 25 * H)
    report.refresh_from_db()
    handle.refresh_from_db()
    assert report.overdue_at and handle.overdue_at
    missed = TimelineEvent.objects.filter(case=case, kind="deadline_missed")
    assert sorted(e.data["clock"] for e in missed) == ["accept", "risk_handle", "risk_report"]
    escalated = Notification.objects.filter(kind=Kind.ESCALATED, key__startswith="risk-missed:")
    # The town center above hears of each missed obligation once.
    assert sorted(escalated.values_list("recipient__username", "key")) == sorted(
        [
            ("tclerk", f"risk-missed:{report.pk}"),
            ("tclerk", f"risk-missed:{handle.pk}"),
            ("leader", f"risk-missed:{report.pk}"),
            ("leader", f"risk-missed:{handle.pk}"),
        ]
    )


def test_a_reminder_before_the_handle_limit(county):
    case = new_case(county)
    services.set_grade(case, county.users["vclerk"], Grade.RED, "扬言报复", NOW)
    assert sweep(NOW + 20 * H).reminded >= 1
    assert Deadline.objects.get(case=case, clock=Clock.RISK_HANDLE).warned_at == NOW + 20 * H


def test_lowering_closes_the_obligations_with_the_reason(county):
    case = new_case(county)
    services.set_grade(case, county.users["vclerk"], Grade.RED, "扬言报复", NOW)
    services.set_grade(case, county.users["vclerk"], Grade.YELLOW, "已当面化解情绪", NOW + H / 2)
    assert not services.open_obligations(case).exists()
    assert set(
        Deadline.objects.filter(case=case, clock__in=["risk_report", "risk_handle"]).values_list(
            "state", flat=True
        )
    ) == {DeadlineState.CANCELLED}
    last = TimelineEvent.objects.filter(case=case, kind="risk_graded").last()
    assert last.note == "已当面化解情绪" and last.data["obligations_closed"] == 2
    assert sweep(NOW + 30 * H).overdue == 1  # only the accept clock of the case itself


def test_reporting_up_closes_the_report_clock_in_time(county):
    case = new_case(county)
    services.set_grade(case, county.users["vclerk"], Grade.RED, "扬言报复", NOW)
    services.close_obligation(
        case, county.users["vclerk"], Clock.RISK_REPORT, "已电话报镇综治中心", NOW + H / 2
    )
    d = Deadline.objects.get(case=case, clock=Clock.RISK_REPORT)
    assert d.state == DeadlineState.MET
    assert TimelineEvent.objects.filter(case=case, kind="risk_reported").exists()


def test_bad_grade_changes_write_nothing(county):
    case = new_case(county)
    with pytest.raises(InvalidInput) as e:
        services.set_grade(case, county.users["vclerk"], Grade.RED, " ", NOW)
    assert "reason" in e.value.field_errors
    with pytest.raises(InvalidInput):
        services.set_grade(case, county.users["vclerk"], "purple", "x", NOW)
    with pytest.raises(NotAllowed):
        services.set_grade(case, county.users["vclerk_sibling"], Grade.RED, "x", NOW)
    assert not CaseRisk.objects.filter(case=case).exists()
    assert not TimelineEvent.objects.filter(case=case, kind="risk_graded").exists()


# ---------------------------------------------------------------- lists, pages


def test_a_red_case_is_first_in_the_queue_and_a_filter_of_the_list(county, client):
    old = new_case(county)
    red = new_case(county, now=NOW + H)
    services.set_grade(red, county.users["vclerk"], Grade.RED, "扬言报复", NOW + H)
    later = NOW + 3 * 24 * H  # `old` is overdue by now, yet red comes first
    assert list(work_queue(county.users["vclerk"], "mine", later))[:2] == [red, old]

    client.login(username="vclerk", password=PASSWORD)
    page = client.get(reverse("cases:list"), {"risk": "red"}).content.decode()
    assert red.code in page and old.code not in page and 'data-risk="red"' in page
    page = client.get(reverse("cases:list"), {"risk": "none"}).content.decode()
    assert old.code in page and red.code not in page


def test_grade_through_the_case_page(county, client):
    case = new_case(county)
    client.login(username="vclerk", password=PASSWORD)
    url = reverse("risk:set_grade", args=[case.code])
    bad = client.post(url, {"grade-grade": "red", "grade-reason": ""})
    assert bad.status_code == 422
    assert not CaseRisk.objects.filter(case=case).exists()
    ok = client.post(url, {"grade-grade": "red", "grade-reason": "扬言报复"})
    assert ok.status_code == 302 and grade(case) == Grade.RED
    page = client.get(reverse("cases:detail", args=[case.code])).content.decode()
    assert 'id="risk"' in page and "包案" in page

    client.logout()
    client.login(username="vclerk_sibling", password=PASSWORD)
    assert client.post(url, {"grade-grade": "none", "grade-reason": "x"}).status_code == 404
    assert grade(case) == Grade.RED


def test_the_dashboard_shows_the_risk_figures_with_drill_down(county, client):
    """Grades count the cases as they stand, accepted or still awaiting acceptance; 排查 is
    the period's accepted cases, listed behind the figure."""
    from cases.services import perform_transition
    from stats.prevention import figures

    red = new_case(county)
    services.set_grade(red, county.users["vclerk"], Grade.RED, "扬言报复", NOW)
    waiting = new_case(county)
    services.set_grade(waiting, county.users["vclerk"], Grade.ORANGE, "涉众", NOW)
    perform_transition(red, "accept", county.users["vclerk"], NOW)
    client.login(username="tclerk", password=PASSWORD)
    page = client.get(reverse("stats:dashboard")).content.decode()
    assert 'id="risk-figures"' in page
    town = county.towns[0]
    link = f"/cases/?area={town.pk}&amp;risk=red"
    assert link in page
    listed = client.get(f"/cases/?area={town.pk}&risk=red").content.decode()
    assert red.code in listed and waiting.code not in listed

    day = NOW.astimezone(LOCAL_TZ).date()
    f = figures(town, day, day)
    values = {x.key: x.value for x in f["grades"] + f["work"]}
    assert values["grade_red"] == 1 and values["grade_orange"] == 1
    assert values["screened"] == 1 and values["plan_on_time"] == "0 / 0"
    screened = next(x for x in f["work"] if x.key == "screened")
    behind = client.get(screened.href).content.decode()
    assert red.code in behind and waiting.code not in behind
    assert [r["value"] for r in f["sub_areas"] if r["name"] == county.villages[0].name] == [2]


def test_the_risk_figures_export_to_excel_with_their_definitions(county, client):
    import io

    from openpyxl import load_workbook

    from cases.services import perform_transition

    red = new_case(county)
    services.set_grade(red, county.users["vclerk"], Grade.RED, "扬言报复", NOW)
    perform_transition(red, "accept", county.users["vclerk"], NOW)
    new_case(county)  # registered, not accepted: not screened yet
    town = county.towns[0]
    client.login(username="tclerk", password=PASSWORD)
    day = NOW.astimezone(LOCAL_TZ).date().isoformat()
    response = client.get(
        "/stats/export/risk.xlsx", {"area": town.pk, "period": "custom", "start": day, "end": day}
    )
    assert response.status_code == 200
    rows = list(
        load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
    )
    figures = {r[0]: (r[1], r[2]) for r in rows[4:]}
    assert figures["红色"][0] == 1 and figures["红色"][1]  # the value and its definition
    assert figures["排查数"][0] == 1
    client.logout()
    client.login(username="tclerk_other", password=PASSWORD)
    assert client.get("/stats/export/risk.xlsx", {"area": town.pk}).status_code == 404


def test_handled_and_stabilised_count_the_periods_cases_and_categories_break_down(county, client):
    """排查/调处/稳控 (seed 002: 排查1587起，调处1045件，稳控542件): of the cases accepted in
    the period, those whose standing outcome is 化解 or 稳控, and those stabilised now; a
    reopen takes 调处 back. The grades break down by major category on the dashboard and in
    the Excel export."""
    import io

    from openpyxl import load_workbook

    from cases.services import perform_transition
    from stats.prevention import figures

    later = NOW + 10 * datetime.timedelta(days=1)
    clerk, mediator = county.users["vclerk"], county.users["mediator"]
    committee = county.units["committee"].pk
    case, calm = new_case(county), new_case(county)
    for c in (case, calm):
        perform_transition(c, "accept", clerk, NOW)
        perform_transition(c, "route", clerk, NOW, unit_id=committee)
        perform_transition(c, "start", mediator, NOW)
    perform_transition(case, "resolve", mediator, later, note="已化解")
    perform_transition(
        calm,
        "stabilise",
        mediator,
        later,
        note="已稳控",
        measures="每周走访一次",
        responsible="网格员",
        review_date=(later + 7 * datetime.timedelta(days=1)).astimezone(LOCAL_TZ).date(),
    )
    fresh = new_case(county, now=later, category_code="0301")
    perform_transition(fresh, "accept", clerk, later)
    services.set_grade(fresh, clerk, Grade.ORANGE, "涉众", later)
    services.set_grade(case, clerk, Grade.RED, "复发", later)
    town = county.towns[0]
    day, first = later.astimezone(LOCAL_TZ).date(), NOW.astimezone(LOCAL_TZ).date()

    def work(start, end):
        return {x.key: x.value for x in figures(town, start, end)["work"]}

    first_day = work(first, first)
    assert (first_day["screened"], first_day["handled"], first_day["stabilised"]) == (2, 2, 1)
    assert work(day, day)["screened"] == 1 and work(day, day)["handled"] == 0
    assert work(day, day)["stabilised_now"] == 1  # whenever accepted
    handled = next(x for x in figures(town, first, first)["work"] if x.key == "handled")
    client.login(username="tclerk", password=PASSWORD)
    behind = client.get(handled.href).content.decode()
    assert case.code in behind and calm.code in behind and fresh.code not in behind
    perform_transition(case, "reopen", clerk, later, note="当事人反映未履行")
    assert work(first, first)["handled"] == 1
    f = figures(town, day, day)
    cats = {r["code"]: [c["value"] for c in r["cells"]] for r in f["categories"]}
    assert cats == {"02": [1, 0, 0], "03": [0, 1, 0]}
    client.login(username="tclerk", password=PASSWORD)
    page = client.get(reverse("stats:dashboard")).content.decode()
    assert 'id="risk-categories"' in page
    assert f"area={town.pk}&amp;risk=orange&amp;category=03" in page
    response = client.get(
        "/stats/export/risk.xlsx",
        {"area": town.pk, "period": "custom", "start": day.isoformat(), "end": day.isoformat()},
    )
    rows = list(
        load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
    )
    exported = {r[0]: (r[1], r[2]) for r in rows[4:]}
    assert exported["调处数"][0] == 0 and "化解" in exported["调处数"][1]
    orange = [k for k in exported if k.startswith("03 ") and k.endswith("橙色")]
    assert orange and exported[orange[0]][0] == 1 and "类别" in exported[orange[0]][1]
