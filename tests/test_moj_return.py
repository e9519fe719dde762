"""The people's-mediation statistical return (人民调解工作统计表) of a town for a hand-worked
November: every figure of the page and of the Excel file, against numbers worked out by hand
next to the cases that make them; who may see it; bad periods."""

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from areas.models import Role, Unit, UnitKind
from cases.errors import InvalidInput
from cases.models import Category, Channel
from cases.services import perform_transition
from mediation import services as mediation
from mediation.models import AgreementForm, SessionResult
from stats import moj_return, selectors
from tests.factories import PASSWORD, local_day, new_case, user
from tests.test_mediation_work import in_handling_at_village
from tests.test_navigation import english

SH = ZoneInfo("Asia/Shanghai")
NOVEMBER = {"month": "2026-11"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The MoJ categories in code order: the return's category columns (C … Q in the workbook).
MOJ = ["婚姻家庭", "邻里", "房屋宅基地", "合同", "生产经营", "损害赔偿", "山林土地", "征地拆迁",
       "环境污染", "劳动争议", "消费", "医疗", "道路交通事故", "物业", "其他"]  # fmt: skip


def at(month, day, hour=10):
    return datetime.datetime(2026, month, day, hour, tzinfo=SH)


def act(county, case, name, when, actor="tclerk", **params):
    return perform_transition(case, name, county.users[actor], when, note="说明", **params)


def taken_over(county, committee, when, actor="tclerk", area=None, **kw):
    """A case registered and accepted by `actor`'s center, routed to `committee` and taken
    over (started) there."""
    case = new_case(county, actor, area=area or county.villages[0], now=when, **kw)
    case = act(county, case, "accept", when, actor)
    case = act(county, case, "route", when, actor, unit_id=committee.pk)
    return act(county, case, "start", when, actor)


def agreement(county, case, when, amount=None, form=AgreementForm.WRITTEN, actor="tclerk"):
    """A session held at `when` that reaches an agreement (the case is resolved)."""
    u = county.users[actor]
    session = mediation.schedule_session(case, u, when, starts_at=when, place="调解室")
    mediation.record_session(
        session,
        u,
        when,
        mediation.SessionRecord(result=SessionResult.AGREEMENT, facts="查明事实"),
        mediation.AgreementInput(
            form=form,
            facts="事实",
            content="协议内容",
            performance_method="当场履行",
            amount=amount,
        ),
    )


@pytest.fixture
def month(county):
    """Town 1 (镇1) has three committees: its own (镇1人民调解委员会, C2), 镇1村1's (C1, the
    factory's) and 镇1村2's (C4, no cases); 镇2村1 has one (C3) in the other town."""
    c = county
    c1 = c.units["committee"]
    c2 = Unit.objects.create(
        name="镇1人民调解委员会", kind=UnitKind.MEDIATION_COMMITTEE, area=c.towns[0]
    )
    c4 = Unit.objects.create(
        name="镇1村2人民调解委员会", kind=UnitKind.MEDIATION_COMMITTEE, area=c.villages[1]
    )
    c3 = Unit.objects.create(
        name="镇2村1人民调解委员会", kind=UnitKind.MEDIATION_COMMITTEE, area=c.villages[2]
    )
    c.units.update(c2=c2, c3=c3, c4=c4)
    c.users["mediator_c3"] = user("mediator_c3", c3, Role.MEDIATOR)
    # 1203 区划边界 is left without a MoJ category: its cases count under 其他.
    Category.objects.filter(code="1203").update(moj_category=None)

    # C1 (镇1村1人民调解委员会): 5 cases in the return.
    # a: 邻里 (0201), reported by the grid (主动), agreement of 3,000.00 yuan: a success.
    a = taken_over(c, c1, at(11, 2), channel=Channel.GRID_APP, category_code="0201")
    agreement(c, a, at(11, 4), amount=Decimal("3000.00"))
    # b: 婚姻家庭 (0101), at the window (申请), oral agreement without an amount: a success.
    b = taken_over(c, c1, at(11, 3), channel=Channel.WINDOW, category_code="0101")
    agreement(c, b, at(11, 5), form=AgreementForm.ORAL)
    # c: 物业 (0402: its major 04 maps to 损害赔偿, the minor to 物业), pushed by the court
    # (移送); no agreement, sent to litigation: not a success.
    cc = taken_over(c, c1, at(11, 4), channel=Channel.COURT, category_code="0402")
    mediation.end_without_agreement(cc, c.users["tclerk"], at(11, 9), "未达成", "litigation")
    # d: 道路交通事故 (0503), from the police (移送), still in mediation: not a success.
    taken_over(c, c1, at(11, 5), channel=Channel.POLICE, category_code="0503")
    # h: 区划边界 (1203, no MoJ category → 其他), from the 12345 hotline (移送), resolved
    # without an agreement: a success, no amount.
    h = taken_over(c, c1, at(11, 6), channel=Channel.HOTLINE, category_code="1203")
    act(c, h, "resolve", at(11, 8))
    # Not in the return:
    # e: routed to C1 on 11-07 and not taken over yet.
    e = new_case(c, "tclerk", area=c.villages[0], now=at(11, 7), category_code="0201")
    e = act(c, act(c, e, "accept", at(11, 7)), "route", at(11, 7), unit_id=c1.pk)
    # f: accepted on 31 October (Shanghai), resolved with an agreement of 500 in November.
    f = taken_over(c, c1, at(10, 31, 23), channel=Channel.WINDOW, category_code="0201")
    agreement(c, f, at(11, 2), amount=Decimal("500"))
    # m: resolved by the labour department, not a committee.
    m = new_case(c, "tclerk", area=c.villages[0], now=at(11, 8), category_code="0701")
    m = act(c, act(c, m, "accept", at(11, 8)), "route", at(11, 8), unit_id=c.units["labour"].pk)
    act(c, act(c, m, "start", at(11, 8), "handler"), "resolve", at(11, 9), "handler")

    # C2 (镇1人民调解委员会): 3 cases.
    # i: 劳动争议 (0701), at the window (申请), agreement of 12,000.50: a success.
    i = taken_over(c, c2, at(11, 10), channel=Channel.WINDOW, category_code="0701")
    agreement(c, i, at(11, 12), amount=Decimal("12000.50"))
    # j: 消费 (0601), from the grid (主动), resolved and reopened: not a success now.
    j = taken_over(c, c2, at(11, 11), channel=Channel.GRID_APP, category_code="0601")
    act(c, act(c, j, "resolve", at(11, 12)), "reopen", at(11, 13))
    # k: 医疗 (0502), from the hotline (移送), stabilised: not a success.
    k = taken_over(c, c2, at(11, 12), channel=Channel.HOTLINE, category_code="0502")
    act(c, k, "stabilise", at(11, 14), measures="走访", responsible="网格员",
        review_date=datetime.date(2026, 12, 14))  # fmt: skip

    # C3 (镇2村1, the other town): l, 邻里, agreement of 800: only in town 2's return.
    l_ = taken_over(c, c3, at(11, 15), actor="tclerk_other", area=c.villages[2],
                    channel=Channel.WINDOW, category_code="0201")  # fmt: skip
    agreement(c, l_, at(11, 16), amount=Decimal("800"), actor="tclerk_other")
    return c


def cats(**named) -> list[int]:
    return [named.get(n, 0) for n in MOJ]


# The hand-worked return of 镇1 for November 2026 (columns: total, the 15 categories,
# success, rate %, amount, 主动 / 申请 / 移送):
# C2: i, j, k → 3; 劳动争议 1, 消费 1, 医疗 1; success i → 1, 1/3 = 33.33%; 12,000.50;
#     主动 j, 申请 i, 移送 k.
C2 = (3, cats(劳动争议=1, 消费=1, 医疗=1), 1, 33.33, Decimal("12000.50"), [1, 1, 1])
# C1: a, b, c, d, h → 5 (e not taken over, f of October, m not a committee's); 邻里 a,
#     婚姻家庭 b, 物业 c, 道路交通事故 d, 其他 h; success a, b, h → 3, 60.00%; 3,000.00 (a's;
#     b's oral agreement has none, f is of October); 主动 a, 申请 b, 移送 c, d, h.
C1 = (5, cats(婚姻家庭=1, 邻里=1, 物业=1, 道路交通事故=1, 其他=1), 3, 60.0, Decimal("3000.00"),
      [1, 1, 3])  # fmt: skip
C4 = (0, cats(), 0, None, Decimal("0"), [0, 0, 0])
# Total: 8 cases, 4 successes (50.00%), 15,000.50 yuan, 主动 2, 申请 2, 移送 4.
TOTAL = (
    8,
    cats(婚姻家庭=1, 邻里=1, 劳动争议=1, 消费=1, 医疗=1, 道路交通事故=1, 物业=1, 其他=1),
    4,
    50.0,
    Decimal("15000.50"),
    [2, 2, 4],
)


def figures(line) -> tuple:
    rate = round(line.rate, 2) if line.rate is not None else None
    cats_ = [line.categories.get(pk, 0) for pk in moj_pks()]
    return (line.total, cats_, line.success, rate, line.amount, list(line.sources.values()))


def moj_pks() -> list[int]:
    from cases.models import MojCategory

    return list(MojCategory.objects.order_by("code").values_list("pk", flat=True))


def test_the_return_of_a_town_for_a_hand_worked_month(month):
    town = month.towns[0]
    ret = moj_return.build(town, selectors.period_of("month", datetime.date(2026, 11, 1)))
    assert [c.name for c in ret.categories] == MOJ  # from the data, in code order
    assert [(line.kind, line.name) for line in ret.lines] == [
        ("area", "镇1"),
        ("committee", "镇1人民调解委员会"),
        ("area", "镇1村1"),
        ("committee", "镇1村1人民调解委员会"),
        ("area", "镇1村2"),
        ("committee", "镇1村2人民调解委员会"),  # no case: listed with zeros
        ("total", "合计"),
    ]
    got = [figures(line) for line in ret.lines]
    assert got == [C2, C2, C1, C1, C4, C4, TOTAL]
    # Town 2's return has only C3's case: 1 邻里, a success, 800 yuan, 申请.
    other = moj_return.build(month.towns[1], ret.period)
    assert [figures(line) for line in other.lines if line.kind == "committee"] == [
        (1, cats(邻里=1), 1, 100.0, Decimal("800"), [0, 1, 0])
    ]
    # The county's return adds both towns up: 9 cases, 5 successes.
    county = moj_return.build(month.county, ret.period)
    assert (county.total.total, county.total.success) == (9, 5)
    assert county.total.amount == Decimal("15800.50")


def test_the_page_shows_the_return_and_links_the_download(month, client):
    town = month.towns[0]
    client.force_login(month.users["tclerk"])
    dashboard = client.get("/stats/", {"area": town.pk}).content.decode()
    assert "/stats/moj-return/" in dashboard
    page = client.get("/stats/moj-return/", {"area": town.pk, **NOVEMBER})
    assert page.status_code == 200
    html = page.content.decode()
    assert "人民调解工作统计表" in html
    assert english(html) <= {"tclerk"}  # all in Chinese but the username (no full name)
    assert "2026-11-01 至 2026-11-30" in html
    assert f"/stats/moj-return.xlsx?area={town.pk}&month=2026-11" in html
    c1 = month.units["committee"].pk
    row = html.split(f'data-unit="{c1}"')[1].split("</tr>")[0]
    assert 'data-figure="total">5<' in row
    assert 'data-figure="success">3<' in row
    assert 'data-figure="rate">60.00%<' in row
    assert 'data-figure="amount">3000.00<' in row
    assert "手工填写" in row
    total = html.split('data-kind="total"')[1].split("</tr>")[0]
    assert 'data-figure="total">8<' in total and 'data-figure="rate">50.00%<' in total


def test_the_excel_return_in_the_official_layout(month, client):
    town = month.towns[0]
    client.force_login(month.users["tclerk"])
    response = client.get("/stats/moj-return.xlsx", {"area": town.pk, **NOVEMBER})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert f"moj-return-{town.code}-20261101-20261130.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    ws, defs = book.worksheets
    assert ws["A1"].value == "人民调解工作统计表"
    assert ws["A2"].value == "填报单位：镇1综治中心"
    row2 = [v for v in next(ws.iter_rows(min_row=2, max_row=2, values_only=True)) if v]
    assert row2 == [
        "填报单位：镇1综治中心",
        "统计期间：2026-11-01 至 2026-11-30",
        f"填报日期：{local_day()}",
    ]
    merged = {str(r) for r in ws.merged_cells.ranges}
    # 27 columns: name, total, 15 categories (C–Q), success, rate, amount, 3 sources (U–W),
    # 件/人 of the two hand-filled figures (X–AA).
    assert {"A1:AA1", "A3:A4", "B3:B4", "C3:Q3", "R3:R4", "S3:S4", "T3:T4", "U3:W3", "X3:Y3",
            "Z3:AA3"} <= merged  # fmt: skip
    header = [c.value for c in ws[3]]
    assert header[:3] == ["单位", "调解纠纷总数（件）", "其中：纠纷类型"]
    assert header[17:21] == ["调解成功（件）", "成功率（%）", "协议涉及金额（元）", "案件来源"]
    assert header[23] == "防止民间纠纷转化为刑事案件" and header[25] == "防止群体性上访"
    assert [c.value for c in ws[4]][2:17] == MOJ
    assert [c.value for c in ws[4]][20:27] == [
        "主动调解", "申请调解", "接受委托移送调解", "件", "人", "件", "人"
    ]  # fmt: skip

    def line(row: int) -> tuple:
        v = [c.value for c in ws[row]]
        return (v[1], v[2:17], v[17], v[18], Decimal(str(v[19])), v[20:23])

    assert [ws.cell(r, 1).value for r in range(5, 12)] == [
        "镇1 小计", "　镇1人民调解委员会", "镇1村1 小计", "　镇1村1人民调解委员会", "镇1村2 小计",
        "　镇1村2人民调解委员会", "合计",
    ]  # fmt: skip
    assert [line(r) for r in range(5, 12)] == [C2, C2, C1, C1, C4, C4, TOTAL]
    # The hand-filled cells are empty, and a note says why.
    assert all(ws.cell(r, c).value is None for r in range(5, 12) for c in range(24, 28))
    assert "手工填写" in ws.cell(12, 1).value
    assert ws.cell(8, 19).number_format == "0.00"
    assert [r[0] for r in defs.iter_rows(min_row=2, values_only=True)][:2] == [
        "调解纠纷总数",
        "其中：纠纷类型",
    ]
    assert all(r[1] for r in defs.iter_rows(min_row=2, values_only=True))


def test_every_intake_channel_has_a_case_source():
    assert set(moj_return.SOURCE_OF_CHANNEL) == set(Channel.values)


def test_a_user_of_another_area_cannot_get_the_committees_figures(month, client):
    town = month.towns[0]
    for username, status in (
        ("tclerk_other", 404),  # the other town's center
        ("vclerk_sibling", 404),  # 镇1村2's center: 镇1 is above it
        ("mediator", 404),  # a committee's own mediator: no territorial scope
    ):
        client.force_login(month.users[username])
        for path in ("/stats/moj-return/", "/stats/moj-return.xlsx"):
            response = client.get(path, {"area": town.pk, **NOVEMBER})
            assert response.status_code == status, (username, path)
            assert b"moj-table" not in response.content  # no table
            assert response["Content-Type"] != XLSX  # no workbook
    # Without an area the mediator is told the statistics are for center staff.
    client.force_login(month.users["mediator"])
    assert client.get("/stats/moj-return/", NOVEMBER).status_code == 403
    # 镇1村2's clerk gets their own village: its committee, no case of 镇1村1.
    client.force_login(month.users["vclerk_sibling"])
    html = client.get("/stats/moj-return/", NOVEMBER).content.decode()
    assert "镇1村2人民调解委员会" in html and "镇1村1人民调解委员会" not in html


@pytest.mark.parametrize(
    "query, message",
    [
        ({"month": "2026-13"}, "2026-11"),
        ({"month": "November"}, "2026-11"),
        ({"period": "custom", "start": "2026-11-30", "end": "2026-11-01"}, "结束日期"),
        ({"period": "custom", "start": "2026-11-01"}, "请填写统计期间的起止日期"),
        ({"period": "custom", "start": "2026-02-30", "end": "2026-03-01"}, "日期"),
        ({"period": "custom", "start": "1900-01-01", "end": "2026-03-01"}, "日期"),
        ({"period": "decade"}, "统计期间"),
        ({"area": "abc"}, "区域"),
    ],
)
def test_a_bad_period_is_a_chinese_error_not_a_server_error(month, client, query, message):
    client.force_login(month.users["tclerk"])
    for path in ("/stats/moj-return/", "/stats/moj-return.xlsx"):
        response = client.get(path, query)
        assert response.status_code == 400, (path, query)
        assert message in response.content.decode(), response.content.decode()


def test_any_dates_and_the_default_month(month, client):
    town = month.towns[0]
    client.force_login(month.users["tclerk"])
    # 2–5 November: a (02), b (03), c (04), d (05) of C1; f is of October.
    response = client.get(
        "/stats/moj-return.xlsx",
        {"area": town.pk, "period": "custom", "start": "2026-11-02", "end": "2026-11-05"},
    )
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert ws["A2"].value == "填报单位：镇1综治中心"
    assert ws.cell(2, 10).value == "统计期间：2026-11-02 至 2026-11-05"
    total = [c.value for c in ws[11]]
    assert (total[0], total[1], total[17]) == ("合计", 4, 2)  # a and b resolved
    # Without a period: the month just ended, the one a 司法所 reports (the page says which).
    html = client.get("/stats/moj-return/", {"area": town.pk}).content.decode()
    last = datetime.date.fromisoformat(local_day()).replace(day=1) - datetime.timedelta(days=1)
    assert f"{last:%Y-%m}-01 至 {last:%Y-%m-%d}" in html
    assert f'value="{last:%Y-%m}"' in html  # the month field shows it


def test_an_agreement_amount_must_be_a_sum_of_yuan(county):
    case = taken_over(county, county.units["committee"], at(11, 2), category_code="0201")
    with pytest.raises(InvalidInput) as refused:
        agreement(county, case, at(11, 3), amount=Decimal("-1"))
    assert "amount" in refused.value.field_errors
    case.refresh_from_db()
    assert case.status == "in_handling" and not case.agreements.exists()


def test_a_county_committee_is_listed_with_the_towns_cases_only(month, client):
    county_committee = Unit.objects.create(
        name="县医疗纠纷人民调解委员会", kind=UnitKind.PRO_MEDIATION, area=month.county,
        speciality="medical",
    )  # fmt: skip
    month.users["county_mediator"] = user("county_mediator", county_committee, Role.MEDIATOR)
    # A medical dispute of 镇1村1 that 镇1 routes to the county's committee, taken over there
    # on 11-20.
    case = new_case(month, "tclerk", area=month.villages[0], now=at(11, 20),
                    channel=Channel.WINDOW, category_code="0502")  # fmt: skip
    case = act(month, case, "accept", at(11, 20))
    case = act(month, case, "route", at(11, 20), unit_id=county_committee.pk)
    act(month, case, "start", at(11, 20), "county_mediator")
    client.force_login(month.users["tclerk"])
    response = client.get("/stats/moj-return.xlsx", {"area": month.towns[0].pk, **NOVEMBER})
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    # Above 镇1's own committees: the county's area line (marked) and its committee.
    assert ws["A5"].value == "长沙县 小计（上级区域，仅含本区域的案件）"
    assert [c.value for c in ws[6]][:2] == ["　县医疗纠纷人民调解委员会", 1]
    assert [c.value for c in ws[13]][:2] == ["合计", 9]  # 8 + 1
    # The other town's committees are not listed (镇2村1's has a case, not of 镇1).
    names = [ws.cell(r, 1).value for r in range(5, 14)]
    assert not any("镇2" in n for n in names)


def test_the_mediator_enters_the_agreements_amount_on_the_record_form(county, client):
    case = in_handling_at_village(county)  # 镇1村1's committee, accepted 2026-11-23
    client.login(username="mediator", password=PASSWORD)
    client.post(
        f"/mediation/cases/{case.code}/sessions/",
        {
            "schedule-kind": "mediation",
            "schedule-starts_at": f"{local_day(0)}T09:00",
            "schedule-place": "村调解室",
        },
    )
    session = case.mediation_sessions.get()
    p = f"record-{session.pk}"
    form = {
        f"{p}-result": "agreement",
        f"{p}-facts": "经现场查看，渗水系防水层破损所致。",
        f"{p}-form": "written",
        f"{p}-agreement_facts": "楼上卫生间防水层破损导致楼下渗水。",
        f"{p}-content": "李四于十日内修复防水层并赔偿张三三千元五角。",
        f"{p}-performance_method": "银行转账",
        f"{p}-amount": "三千",
    }
    url = f"/mediation/cases/{case.code}/sessions/{session.pk}/record/"
    response = client.post(url, form)
    assert response.status_code == 422
    assert "协议涉及金额（元）" in response.content.decode()
    assert not case.agreements.exists()

    assert client.post(url, {**form, f"{p}-amount": "3000.5"}).status_code == 302
    assert case.agreements.get().amount == Decimal("3000.50")
    panel = client.get(f"/mediation/cases/{case.code}/").content.decode()
    assert "协议涉及金额（元） 3000.50" in panel
    ret = moj_return.build(county.villages[0], selectors.period_of("month", at(11, 1).date()))
    assert (ret.total.total, ret.total.success, ret.total.amount) == (1, 1, Decimal("3000.50"))
