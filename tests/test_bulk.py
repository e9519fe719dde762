"""Batch work from the queue and the case list: 批量受理, 批量分流, 批量指派调解员, each case
through its own service, and the export of the list to Excel with PII masked or logged."""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from areas.models import Level, UnitKind
from cases import bulk
from cases.models import Case, CaseAccessLog, Category, Channel, TimelineEvent, TriageClass
from cases.registry import batch_action, batch_actions
from cases.services import PartyInput, perform_transition
from cases.workflow import Status
from clocks.models import Clock, Deadline, DeadlineState
from demo.county import PASSWORD as DEMO_PASSWORD
from mediation.models import Assignment, Mediator, MediatorKind
from routing.models import RoutingRule
from tests.factories import NOW, VALID_ID, court_batch, new_case


@pytest.fixture(scope="module", autouse=True)
def chinese_catalog():
    call_command("compile_translations", verbosity=0)
    translation.trans_real._translations = {}
    translation.trans_real._default = None


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def rules(county):
    RoutingRule.objects.create(
        name="劳动争议归人社",
        priority=10,
        category=Category.objects.get(code="07"),
        triage_class=TriageClass.MAJOR,
        target_kind=UnitKind.DEPARTMENT,
        target_speciality="labour",
        target_level=Level.COUNTY,
    )
    RoutingRule.objects.create(
        name="邻里纠纷归村调委会",
        priority=20,
        category=Category.objects.get(code="02"),
        triage_class=TriageClass.MINOR,
        target_kind=UnitKind.MEDIATION_COMMITTEE,
    )


def snapshot(case: Case):
    """What a refused act must leave exactly as it was."""
    case = Case.objects.get(pk=case.pk)
    clocks = sorted(Deadline.objects.filter(case=case).values_list("clock", "state", "unit_id"))
    return (
        case.status,
        case.owner_unit_id,
        case.category_id,
        case.level,
        case.timeline.count(),
        clocks,
    )


def run(county, user_key: str, action: str, codes, **options):
    user = county.users[user_key]
    return bulk.run_batch(user, batch_action(action), codes, options, NOW)


# ---------------------------------------------------------------- the service


def test_batch_accept_does_each_case_and_reports_each_refusal(county):
    referred = court_batch(county, 3)
    accepted = new_case(county)
    perform_transition(accepted, "accept", county.users["vclerk"], NOW)
    uncategorised = new_case(county, category_code="")
    before = {c.pk: snapshot(c) for c in (accepted, uncategorised)}
    codes = [c.code for c in referred] + [accepted.code, uncategorised.code]

    results = run(county, "vclerk", "accept", codes, category_code="", note="批量受理")

    assert [r.code for r in results] == codes
    by_code = {r.code: r for r in results}
    for case in referred:
        assert by_code[case.code].done
        assert by_code[case.code].case.status == Status.ACCEPTED
        case.refresh_from_db()
        assert case.status == Status.ACCEPTED
        event = case.timeline.get(kind="accept")
        assert event.actor == county.users["vclerk"] and event.note == "批量受理"
        assert Deadline.objects.get(case=case, clock=Clock.ACCEPT).state == DeadlineState.MET
        assert Deadline.objects.get(case=case, clock=Clock.RESOLVE).state == DeadlineState.OPEN
    assert not by_code[accepted.code].done
    assert by_code[accepted.code].reason == "处于“已受理”状态的案件不能执行“受理”。"
    assert not by_code[uncategorised.code].done
    assert by_code[uncategorised.code].reason == "受理前请选择纠纷类别。"
    assert {c.pk: snapshot(c) for c in (accepted, uncategorised)} == before


def test_batch_category_only_fills_cases_without_one(county):
    categorised = new_case(county, category_code="0201")
    uncategorised = new_case(county, category_code="")
    codes = [categorised.code, uncategorised.code]

    results = run(county, "vclerk", "accept", codes, category_code="0701", note="")

    assert all(r.done for r in results)
    assert Case.objects.get(pk=categorised.pk).category.code == "0201"
    assert Case.objects.get(pk=uncategorised.pk).category.code == "0701"


def test_cases_outside_the_scope_are_never_acted_on(county):
    mine = new_case(county)
    sibling_village = county.villages[1]
    theirs = new_case(county, "vclerk_sibling", area=sibling_village)
    before = snapshot(theirs)

    results = run(county, "vclerk", "accept", [theirs.code, mine.code, "NO-SUCH-CODE"])

    assert [(r.code, r.done) for r in results] == [
        (theirs.code, False),
        (mine.code, True),
        ("NO-SUCH-CODE", False),
    ]
    # The same answer for a case out of scope and one that does not exist: nothing about it.
    assert results[0].case is None and results[2].case is None
    assert results[0].reason == results[2].reason == "您可查看的案件中没有此案件，未作处理。"
    assert snapshot(theirs) == before


def accepted_cases(county, categories) -> list[Case]:
    cases = []
    for code in categories:
        case = new_case(county, category_code=code)
        cases.append(perform_transition(case, "accept", county.users["vclerk"], NOW))
    return cases


def test_batch_route_to_one_unit_asks_a_reason_where_the_rule_proposes_another(county, rules):
    neighbours_1, neighbours_2, labour = accepted_cases(county, ["0201", "0201", "0701"])
    committee = county.units["committee"]
    codes = [neighbours_1.code, neighbours_2.code, labour.code]
    before = snapshot(labour)

    results = run(county, "vclerk", "route", codes, mode="one", unit=committee.pk, triage_class="")

    assert [r.done for r in results] == [True, True, False]
    assert results[2].reason == "您选择的不是推荐的承办单位，请说明不采用推荐单位的理由。"
    assert snapshot(labour) == before
    for case in (neighbours_1, neighbours_2):
        case.refresh_from_db()
        assert (case.status, case.owner_unit, case.triage_class) == (
            Status.ROUTED,
            committee,
            TriageClass.MINOR,
        )
        event = case.timeline.get(kind="route")
        assert event.data["rule"] == "邻里纠纷归村调委会"
        assert event.data["override_reason"] == ""

    # With a reason, the labour case goes to the committee too, and the reason is kept.
    [again] = run(
        county,
        "vclerk",
        "route",
        [labour.code],
        mode="one",
        unit=committee.pk,
        triage_class="",
        override_reason="双方同意先由村调委会调解",
    )
    assert again.done
    event = Case.objects.get(pk=labour.pk).timeline.get(kind="route")
    assert event.data["override_reason"] == "双方同意先由村调委会调解"
    assert event.data["proposed_unit"] == "县人社局"


def test_batch_route_each_case_to_its_own_proposal(county, rules):
    neighbours, labour, other = accepted_cases(county, ["0201", "0701", "1501"])

    results = run(
        county, "vclerk", "route", [neighbours.code, labour.code, other.code], mode="proposed"
    )

    assert [r.done for r in results] == [True, True, False]
    assert results[0].case.owner_unit == county.units["committee"]
    assert results[1].case.owner_unit == county.units["labour"]
    assert results[1].case.triage_class == TriageClass.MAJOR
    assert results[2].reason == "没有分流规则为该案建议承办单位，请选择一个单位。"
    assert Case.objects.get(pk=other.pk).status == Status.ACCEPTED


def test_batch_assign_one_mediator(county):
    first, second = accepted_cases(county, ["0201", "0201"])
    closed = new_case(county)
    perform_transition(closed, "reject", county.users["vclerk"], NOW, note="不属于受理范围")
    mediator = Mediator.objects.create(
        name="王调解", kind=MediatorKind.PEOPLE, unit=county.units["committee"]
    )
    mediator.areas.set([county.villages[0]])
    run(county, "vclerk", "assign_mediator", [first.code], mediator=mediator.pk)

    results = run(
        county,
        "vclerk",
        "assign_mediator",
        [first.code, second.code, closed.code],
        mediator=mediator.pk,
    )

    assert [r.done for r in results] == [False, True, False]
    assert results[0].reason == "该调解员已在本案中。"
    assert Assignment.objects.filter(mediator=mediator).count() == 2
    assert second.timeline.filter(kind="mediators_assigned").count() == 1
    assert not Assignment.objects.filter(case=closed).exists()


def test_the_actions_offered_follow_the_role(county):
    def names(key):
        return [a.name for a in batch_actions(county.users[key])]

    assert names("vclerk") == ["accept", "route", "assign_mediator"]
    assert names("mediator") == ["assign_mediator"]
    assert names("grid") == []
    assert names("liaison") == []


# ---------------------------------------------------------------- the pages


def login(client, county, key):
    client.force_login(county.users[key])
    return client


def test_queue_has_checkboxes_and_the_batch_buttons_for_a_clerk(client, county):
    referred = court_batch(county, 2)
    page = login(client, county, "vclerk").get("/").content.decode()
    assert "data-bulk-all" in page
    for case in referred:
        assert f'name="cases" value="{case.code}" form="bulk-form"' in page
    for label in ("批量受理", "批量分流", "批量指派调解员", "导出Excel"):
        assert label in page

    grid_page = login(client, county, "grid").get("/").content.decode()
    assert "data-bulk-all" not in grid_page and "批量受理" not in grid_page
    assert "导出Excel" in grid_page


def test_list_page_size_and_its_bar_after_filtering(client, county):
    court_batch(county, 30)
    login(client, county, "vclerk")
    page = client.get("/cases/", {"channel": "court", "per": "50"}).content.decode()
    assert page.count("data-bulk-pick") == 30
    page = client.get("/cases/", {"channel": "court", "per": "1000"}).content.decode()
    assert page.count("data-bulk-pick") == 25  # only the offered sizes
    # The htmx swap of the filtered table brings the bar along, the export keeping the filter.
    partial = client.get("/cases/", {"channel": "court"}, headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert 'id="bulk-form"' in html and html.count("data-bulk-pick") == 25
    assert "/cases/export/?channel=court" in html


def test_batch_preview_shows_each_proposal_then_the_run_reports_each_case(client, county, rules):
    neighbours, labour = accepted_cases(county, ["0201", "0701"])
    theirs = new_case(county, "vclerk_sibling", area=county.villages[1], title="邻村的宅基地纠纷")
    login(client, county, "vclerk")
    codes = [neighbours.code, labour.code, theirs.code]
    preview = client.post(
        reverse("cases:batch"),
        {"action": "route", "cases": codes, "next": "/?tab=unit"},
        headers={"HX-Request": "true"},
    )
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "批量分流：2件" in html
    assert "建议：镇1村1人民调解委员会 · 小事 · 规则：邻里纠纷归村调委会" in html
    assert "建议：县人社局 · 大事 · 规则：劳动争议归人社" in html
    assert theirs.code not in html and theirs.title not in html
    assert "所选案件中有1件不在您可查看的范围内" in html

    done = client.post(
        reverse("cases:batch"),
        {"action": "route", "step": "run", "cases": codes, "batch-mode": "proposed"},
    )
    html = done.content.decode()
    assert done.status_code == 200
    assert "已办理2件，未办理1件。" in html
    assert Case.objects.get(pk=labour.pk).owner_unit == county.units["labour"]
    assert Case.objects.get(pk=theirs.pk).status == Status.REGISTERED
    assert theirs.title not in html


def test_batch_form_errors_and_refused_requests(client, county):
    case = new_case(county)
    login(client, county, "vclerk")
    # No unit chosen: the form says so and nothing is done.
    answer = client.post(
        reverse("cases:batch"), {"action": "route", "step": "run", "cases": [case.code]}
    )
    assert answer.status_code == 422
    assert "此项为必填项" in answer.content.decode()
    # Nothing selected: said in place (htmx), or back to where the clerk was.
    answer = client.post(reverse("cases:batch"), {"action": "accept"}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and "请先勾选案件。" in answer.content.decode()
    answer = client.post(reverse("cases:batch"), {"action": "accept", "next": "/cases/?q=x"})
    assert answer.status_code == 302 and answer["Location"] == "/cases/?q=x"
    # An unknown action, an action the role does not have, a foreign `next`.
    assert client.post(reverse("cases:batch"), {"action": "delete"}).status_code == 404
    login(client, county, "grid")
    grid_accept = {"action": "accept", "step": "run", "cases": [case.code]}
    assert client.post(reverse("cases:batch"), grid_accept).status_code == 404
    assert Case.objects.get(pk=case.pk).status == Status.REGISTERED
    login(client, county, "vclerk")
    answer = client.post(
        reverse("cases:batch"), {"action": "accept", "next": "https://evil.example/"}
    )
    assert answer["Location"] == "/"


def pick(client, county, who, source, **params):
    client.force_login(county.users[who])
    return client.get(f"/pick/{source}/", params)


def picked(response) -> list[str]:
    """The labels of a picker's results, in order."""
    assert response.status_code == 200
    html = response.content.decode()
    return [label.strip() for label in re.findall(r'class="picker-option"[^>]*>([^<]*)<', html)]


def test_batch_route_picker_offers_the_units_of_the_selected_cases_in_scope(client, county):
    ours = new_case(county)
    theirs = new_case(county, "vclerk_sibling", area=county.villages[1])
    codes = f"{ours.code},{theirs.code}"
    labels = picked(pick(client, county, "vclerk", "batch-route-unit", cases=codes))
    # The clerk's village and the case's area upwards, grouped as everywhere.
    for unit in ("镇1村1综治中心（镇1村1）", "镇1综治中心（镇1）", "县人社局（长沙县）"):
        assert unit in labels
    assert not any(label.startswith(("镇1村2", "镇2")) for label in labels)
    # A case outside the clerk's scope is not counted: naming it widens nothing.
    assert picked(pick(client, county, "vclerk_sibling", "batch-route-unit", cases=ours.code)) == [
        "镇1村2综治中心（镇1村2）"
    ]
    assert picked(pick(client, county, "vclerk", "batch-route-unit", cases=codes, q="人社")) == [
        "县人社局（长沙县）"
    ]
    # Only those who route cases get an answer.
    assert pick(client, county, "grid", "batch-route-unit", cases=codes).status_code == 404


def test_batch_route_form_refuses_a_unit_outside_its_choices(client, county):
    case = perform_transition(new_case(county), "accept", county.users["vclerk"], NOW)
    before = snapshot(case)
    login(client, county, "vclerk")
    preview = client.post(reverse("cases:batch"), {"action": "route", "cases": [case.code]})
    html = preview.content.decode()
    assert 'name="batch-mode"' in html and "各案分流至规则建议的单位" in html
    assert f"/pick/batch-route-unit/?cases={case.code}" in html
    post = {"action": "route", "step": "run", "cases": [case.code], "batch-mode": "one"}
    # Another town's center, posted anyway: refused, nothing done.
    other_town = county.center(county.villages[3])
    answer = client.post(reverse("cases:batch"), {**post, "batch-unit": other_town.pk})
    assert answer.status_code == 422
    assert "不在可用的选项中" in answer.content.decode()
    # One unit for every case, and none chosen.
    answer = client.post(reverse("cases:batch"), post)
    assert answer.status_code == 422
    assert "请选择承办单位，或将每案分流至其建议的单位。" in answer.content.decode()
    assert snapshot(case) == before
    # The unit in reach is taken.
    committee = county.units["committee"]
    answer = client.post(reverse("cases:batch"), {**post, "batch-unit": committee.pk})
    assert "已办理1件，未办理0件。" in answer.content.decode()
    assert Case.objects.get(pk=case.pk).owner_unit == committee


def test_batch_mediator_picker_offers_those_who_may_serve_every_case(client, county):
    def mediator(name, *areas, active=True, kind=MediatorKind.PEOPLE):
        m = Mediator.objects.create(name=name, kind=kind, is_active=active)
        m.areas.set(areas)
        return m

    mediator("村一调解", county.villages[0])
    mediator("村二调解", county.villages[1])
    town = mediator("镇一调解", county.towns[0])
    mediator("县里专家", county.county, kind=MediatorKind.EXPERT)
    mediator("已停用", county.county, active=False)
    mediator("镇二调解", county.towns[1])
    first = new_case(county, "tclerk", area=county.grids[0])
    second = new_case(county, "tclerk", area=county.grids[1])
    codes = f"{first.code},{second.code}"
    response = pick(client, county, "tclerk", "batch-mediator", cases=codes)
    assert picked(response) == [
        "县里专家 · 专家 · — · 在办0件",
        "镇一调解 · 人民调解员 · — · 在办0件",
    ]
    groups = re.findall(r'class="picker-group-label">([^<]*)<', response.content.decode())
    assert groups == ["专家", "人民调解员"]
    # The village clerk cannot see the second case: it is not counted.
    labels = picked(pick(client, county, "vclerk", "batch-mediator", cases=codes))
    assert "村一调解 · 人民调解员 · — · 在办0件" in labels
    assert not any(label.startswith("村二调解") for label in labels)
    assert pick(client, county, "grid", "batch-mediator", cases=codes).status_code == 404

    # A mediator who serves only one of the cases, posted anyway, is refused.
    login(client, county, "tclerk")
    village_only = Mediator.objects.get(name="村一调解")
    post = {"action": "assign_mediator", "step": "run", "cases": [first.code, second.code]}
    answer = client.post(reverse("cases:batch"), {**post, "batch-mediator": village_only.pk})
    assert answer.status_code == 422 and "不在可用的选项中" in answer.content.decode()
    assert not Assignment.objects.exists()
    answer = client.post(reverse("cases:batch"), {**post, "batch-mediator": town.pk})
    assert "已办理2件，未办理0件。" in answer.content.decode()
    assert Assignment.objects.filter(mediator=town).count() == 2


# ---------------------------------------------------------------- the export


def exported(response) -> tuple[list, list[list]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return rows[0], rows[1:]


def test_export_masks_pii_for_roles_without_full_records(client, county):
    case = new_case(county, "grid")
    header, rows = exported(login(client, county, "grid").get("/cases/export/"))
    assert header[:3] == ["解纷码", "标题", "状态"]
    assert header[-2:] == ["身份证号码", "联系电话"]
    [row] = rows
    text = " ".join(str(v) for v in row)
    assert case.code in text and "1101**********002X" in text and "138****8000" in text
    assert VALID_ID not in text and "13800138000" not in text
    assert not CaseAccessLog.objects.exists()


def test_full_export_for_a_clerk_is_logged_as_a_read_of_each_case(client, county):
    with_pii = court_batch(county, 2)
    without_pii = new_case(
        county, parties=[PartyInput(name="某公司", kind="organisation")], category_code="0201"
    )
    login(client, county, "vclerk")
    header, rows = exported(client.get("/cases/export/", REMOTE_ADDR="10.1.2.3"))
    text = " ".join(str(v) for row in rows for v in row)
    assert VALID_ID in text and "13800138000" in text
    logs = CaseAccessLog.objects.all()
    assert sorted(log.case_id for log in logs) == sorted(c.pk for c in with_pii)
    assert {(log.user, log.channel, log.ip) for log in logs} == {
        (county.users["vclerk"], "export", "10.1.2.3")
    }
    assert without_pii.code in text


def test_export_respects_the_filter_and_the_queue(client, county):
    referred = court_batch(county, 2)
    window = new_case(county, channel="window")
    perform_transition(referred[0], "accept", county.users["vclerk"], NOW)
    login(client, county, "vclerk")

    _header, rows = exported(client.get("/cases/export/", {"channel": "court", "page": "2"}))
    assert sorted(r[0] for r in rows) == sorted(c.code for c in referred)

    _header, rows = exported(client.get("/cases/export/", {"status": "registered"}))
    assert sorted(r[0] for r in rows) == sorted([referred[1].code, window.code])

    # The queue's export is the queue: the sibling village's case is in neither.
    new_case(county, "vclerk_sibling", area=county.villages[1])
    _header, rows = exported(client.get("/cases/export/", {"view": "queue", "tab": "unit"}))
    assert sorted(r[0] for r in rows) == sorted([*(c.code for c in referred), window.code])


def test_no_event_is_written_by_looking_at_a_batch(client, county, rules):
    cases = accepted_cases(county, ["0201", "0701"])
    events = TimelineEvent.objects.count()
    login(client, county, "vclerk").post(
        reverse("cases:batch"), {"action": "route", "cases": [c.code for c in cases]}
    )
    assert TimelineEvent.objects.count() == events


def test_batch_preview_says_which_cases_the_act_cannot_apply_to(client, county):
    registered = new_case(county)
    [accepted] = accepted_cases(county, ["0201"])
    login(client, county, "vclerk")
    for action, expected in (
        ("accept", {registered: "可受理", accepted: "处于“已受理”状态的案件不能执行“受理”。"}),
        ("route", {registered: "处于“已登记”状态的案件不能执行“分流”。", accepted: "无建议"}),
    ):
        html = client.post(
            reverse("cases:batch"),
            {"action": action, "cases": [registered.code, accepted.code]},
            headers={"HX-Request": "true"},
        ).content.decode()
        for case, text in expected.items():
            row = html[html.index(f'value="{case.code}"') :]
            row = row[: row.index("</tr>")]
            assert f'class="bulk-detail">{text}</td>' in row, (action, text)


def test_the_demo_clerk_finds_the_courts_morning_batch_in_the_queue(client, db):
    call_command(
        "seed_demo", "--cases", "90", "--seed", "3", "--now", NOW.isoformat(), stdout=io.StringIO()
    )
    assert client.login(username="village_clerk", password=DEMO_PASSWORD)
    html = client.get("/").content.decode()
    codes = re.findall(r'name="cases" value="([^"]+)" form="bulk-form"', html)
    batch = Case.objects.filter(code__in=codes, channel=Channel.COURT, status=Status.REGISTERED)
    assert batch.count() == 8

    done = client.post(
        reverse("cases:batch"),
        {"action": "accept", "step": "run", "cases": [c.code for c in batch]},
    )
    assert "已办理8件，未办理0件。" in done.content.decode()
    preview = client.post(
        reverse("cases:batch"),
        {"action": "route", "cases": [c.code for c in batch]},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "批量分流：8件" in preview and "建议：" in preview
