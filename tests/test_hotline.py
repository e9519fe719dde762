"""12345 work orders both ways (issue 17 item 2), with the default mapping: an order in through
the API becomes a case (投诉, 求助) or is answered directly (咨询, 建议); 签收, 退单, 阶段回复,
办结 and 回访 go back in the platform's field names; a resend is idempotent; bad input is a
problem body naming the platform's field with nothing written; a repeat order merges."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from api.auth import issue_token
from cases.errors import IllegalTransition, InvalidInput, NotAllowed
from cases.models import Case, Channel
from cases.services import perform_transition
from cases.workflow import Status
from followup.models import FollowUpSetting
from hotline import services
from hotline.models import HotlineMapping, HotlineMessage, HotlineOrder, OrderState
from repeats import proposals
from repeats.services import merge_case
from tests.factories import NOW, PASSWORD
from tests.visits import visit
from webhooks.models import Subscriber

H = datetime.timedelta(hours=1)
D = datetime.timedelta(days=1)
URL = "/api/v1/hotline/orders"


@pytest.fixture(scope="module", autouse=True)
def chinese_catalog():
    call_command("compile_translations", verbosity=0)
    translation.trans_real._translations = {}
    translation.trans_real._default = None


def order_body(county, **overrides) -> dict:
    body = {
        "gdbh": "GD20261123000123",
        "sqlx": "投诉",
        "ldrxm": "王女士",
        "lxdh": "13800138000",
        "sqnr": "小区楼下烧烤店油烟扰民，多次协商无果。",
        "sfdz": "东升路18号",
        "xzqh": county.villages[0].code,
        "blsx": "2026-11-30 18:00:00",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def api_for(user) -> Client:
    return Client(
        HTTP_AUTHORIZATION=f"Bearer {issue_token(user, NOW)[0]}", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )


def post(api, body, **query):
    url = URL + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    return api.post(url, body, content_type="application/json")


def sent(order) -> list[tuple[str, dict]]:
    return [(m.kind, m.data) for m in HotlineMessage.objects.filter(order=order).order_by("pk")]


def stamp(at) -> str:
    return services.stamp(at)


def test_the_default_mapping_is_there_and_documented(db):
    mapping = HotlineMapping.objects.get(is_default=True)
    assert (mapping.order_no_field, mapping.request_type_field, mapping.area_code_field) == (
        "gdbh",
        "sqlx",
        "xzqh",
    )
    assert mapping.return_window_hours == 24
    mapping.full_clean()  # the outbound names pass the mapping's own checks
    with open("README.md", encoding="utf-8") as readme:
        text = readme.read()
    for field in ("gdbh", "sqlx", "ldrxm", "lxdh", "sqnr", "sfdz", "xzqh", "blsx", "bjnr", "myd"):
        assert f"`{field}`" in text


def test_an_order_round_trip_in_the_platforms_field_names(county):
    """order in → case → 签收 → 办结 with the reply → 回访, each out in the city's names."""
    FollowUpSetting.objects.create(area=county.county)
    clerk, mediator = county.users["vclerk"], county.users["mediator"]
    api = api_for(clerk)
    r = post(api, order_body(county))
    assert r.status_code == 201, r.content
    body = r.json()
    case = Case.objects.get(code=body["case_code"])
    assert (case.channel, case.status, case.description) == (
        Channel.HOTLINE,
        Status.REGISTERED,
        "小区楼下烧烤店油烟扰民，多次协商无果。",
    )
    assert case.parties.get().phone == "13800138000"
    assert body["state"] == "received" and body["request_type"] == "complaint"
    order = HotlineOrder.objects.get(order_no="GD20261123000123")
    assert order.case == case and order.due_at.astimezone(services.LOCAL_TZ).hour == 18
    assert order.payload["sqnr"].startswith("小区")

    case = perform_transition(case, "accept", clerk, NOW + H, category_code="0201")
    center = case.owner_unit.name
    assert sent(order) == [
        ("signed", {"gdbh": order.order_no, "qssj": stamp(NOW + H), "cbdw": center})
    ]
    case = perform_transition(case, "route", clerk, NOW + H, unit_id=county.units["committee"].pk)
    case = perform_transition(case, "start", mediator, NOW + 2 * H)
    committee = county.units["committee"].name  # the handling unit from now on
    services.progress_order(order, mediator, "已约双方下周调解。", NOW + 3 * H)
    case = perform_transition(
        case, "resolve", mediator, NOW + D, note="店主加装油烟净化器，双方和解。"
    )
    order.refresh_from_db()
    assert order.state == OrderState.FINISHED and order.reply == "店主加装油烟净化器，双方和解。"
    assert sent(order)[1:] == [
        (
            "progress",
            {
                "gdbh": order.order_no,
                "hfsj": stamp(NOW + 3 * H),
                "jzqk": "已约双方下周调解。",
                "cbdw": committee,
            },
        ),
        (
            "finished",
            {
                "gdbh": order.order_no,
                "bjsj": stamp(NOW + D),
                "bjnr": "店主加装油烟净化器，双方和解。",
                "cbdw": committee,
            },
        ),
    ]
    assert case.timeline.filter(kind="hotline_progress").count() == 1
    visit(case, mediator, NOW + 3 * D, satisfaction="satisfied", findings="油烟问题已解决")
    order.refresh_from_db()
    assert order.state == OrderState.VISITED
    assert sent(order)[-1] == (
        "visited",
        {
            "gdbh": order.order_no,
            "hfsj": stamp(NOW + 3 * D),
            "myd": "满意",
            "hfjg": "油烟问题已解决",
        },
    )


def test_a_resend_returns_the_first_order_and_writes_nothing(county):
    api = api_for(county.users["vclerk"])
    first = post(api, order_body(county))
    assert first.status_code == 201
    again = post(api, order_body(county, sqnr="改了内容也不算新工单"))
    assert again.status_code == 200
    assert again.json() == first.json()
    assert HotlineOrder.objects.count() == 1 and Case.objects.count() == 1


def test_a_consultation_is_answered_without_a_case(county):
    clerk = county.users["vclerk"]
    r = post(api_for(clerk), order_body(county, gdbh="GD-ZX-1", sqlx="咨询", sqnr="调解要收费吗？"))
    assert r.status_code == 201 and r.json()["case_code"] is None
    assert not Case.objects.exists()
    order = HotlineOrder.objects.get(order_no="GD-ZX-1")
    with pytest.raises(InvalidInput):
        services.answer_order(order, clerk, "  ", NOW + H)
    with pytest.raises(NotAllowed):
        services.answer_order(order, county.users["tclerk_other"], "答复", NOW + H)
    services.answer_order(order, clerk, "人民调解不收取任何费用。", NOW + H)
    order.refresh_from_db()
    assert (order.state, order.reply, order.answered_by) == (
        OrderState.ANSWERED,
        "人民调解不收取任何费用。",
        clerk,
    )
    assert sent(order) == [
        (
            "finished",
            {
                "gdbh": "GD-ZX-1",
                "bjsj": stamp(NOW + H),
                "bjnr": "人民调解不收取任何费用。",
                "cbdw": order.unit.name,
            },
        )
    ]
    with pytest.raises(IllegalTransition):
        services.answer_order(order, clerk, "再答一次", NOW + 2 * H)
    assert HotlineMessage.objects.count() == 1


def test_the_clerk_answers_a_suggestion_on_the_order_page(client, county):
    clerk = county.users["vclerk"]
    post(api_for(clerk), order_body(county, gdbh="GD-JY-1", sqlx="建议", sqnr="建议增设调解室"))
    order = HotlineOrder.objects.get()
    client.login(username="vclerk", password=PASSWORD)
    listing = client.get("/hotline/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "GD-JY-1" in listing.content.decode()
    queue = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "/hotline/" in queue  # linked from the work queue
    page = client.get(f"/hotline/{order.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "直接答复（办结）" in page.content.decode()
    r = client.post(f"/hotline/{order.pk}/answer/", {"answer-reply": ""})
    assert r.status_code == 422 and not HotlineMessage.objects.exists()
    r = client.post(f"/hotline/{order.pk}/answer/", {"answer-reply": "已转相关部门研究。"})
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.ANSWERED
    # Another town's clerk does not see it.
    client.login(username="tclerk_other", password=PASSWORD)
    assert client.get(f"/hotline/{order.pk}/").status_code == 404
    assert "GD-JY-1" not in client.get("/hotline/?tab=all").content.decode()


def test_return_within_the_window_and_refused_after_it(county):
    clerk = county.users["vclerk"]
    api = api_for(clerk)
    post(api, order_body(county, gdbh="GD-1"))
    post(api, order_body(county, gdbh="GD-2", lxdh="13900139000", ldrxm="李先生"))
    first, second = HotlineOrder.objects.order_by("order_no")
    services.return_order(first, clerk, "不属于本辖区，请改派。", NOW + 23 * H)
    first.refresh_from_db()
    assert first.state == OrderState.RETURNED and first.case.status == Status.TERMINATED
    assert sent(first) == [
        (
            "returned",
            {"gdbh": "GD-1", "tdsj": stamp(NOW + 23 * H), "tdyy": "不属于本辖区，请改派。"},
        )
    ]
    with translation.override("zh-hans"), pytest.raises(IllegalTransition) as refused:
        services.return_order(second, clerk, "太晚了", NOW + 25 * H)
    assert "24" in refused.value.message and "小时" in refused.value.message
    second.refresh_from_db()
    assert second.state == OrderState.RECEIVED and second.case.status == Status.REGISTERED
    assert not sent(second)
    # Declining the case on the case page after the window is refused the same way.
    with pytest.raises(IllegalTransition):
        perform_transition(second.case, "reject", clerk, NOW + 25 * H, note="不受理")
    second.case.refresh_from_db()
    assert second.case.status == Status.REGISTERED
    # Once the case is accepted, the order is handled, not returned.
    perform_transition(second.case, "accept", clerk, NOW + 2 * H, category_code="0201")
    with pytest.raises(IllegalTransition):
        services.return_order(second, clerk, "已受理后退单", NOW + 3 * H)


def test_the_clerk_signs_and_returns_on_the_case_page(client, county):
    clerk = county.users["vclerk"]
    post(api_for(clerk), order_body(county))
    order = HotlineOrder.objects.get()
    client.login(username="vclerk", password=PASSWORD)
    page = client.get(f"/cases/{order.case.code}/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert 'id="hotline"' in page.content.decode() and order.order_no in page.content.decode()
    r = client.post(f"/hotline/{order.pk}/sign/", {})
    assert r.status_code == 302
    r = client.post(f"/hotline/{order.pk}/return/", {"return-reason": ""})
    assert r.status_code == 422
    r = client.post(f"/hotline/{order.pk}/return/", {"return-reason": "非本中心职责"})
    assert r.status_code == 302
    order.refresh_from_db()
    assert order.state == OrderState.RETURNED
    assert [k for k, _d in sent(order)] == ["signed", "returned"]
    # The mediator of another unit may not act on it.
    client.login(username="tclerk_other", password=PASSWORD)
    assert client.post(f"/hotline/{order.pk}/sign/", {}).status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"gdbh": None}, "gdbh"),
        ({"gdbh": ""}, "gdbh"),
        ({"sqlx": "表扬"}, "sqlx"),
        ({"xzqh": "999999999999"}, "xzqh"),
        ({"sqnr": ""}, "sqnr"),
        ({"lxdh": "12"}, "lxdh"),
        ({"blsx": "下周一"}, "blsx"),
        ({"gdbh": ["x"]}, "gdbh"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field_and_writes_nothing(county, change, field):
    r = post(api_for(county.users["vclerk"]), order_body(county, **change))
    assert r.status_code == 422, r.content
    assert r["Content-Type"] == "application/problem+json"
    problem = r.json()
    assert field in problem["errors"]
    assert not HotlineOrder.objects.exists() and not Case.objects.exists()


def test_an_unknown_mapping_or_area_outside_the_users_scope_is_refused(county):
    api = api_for(county.users["vclerk"])
    r = post(api, order_body(county), mapping="nowhere")
    assert r.status_code == 422 and "mapping" in r.json()["errors"]
    r = post(api, order_body(county, xzqh=county.villages[2].code))
    assert r.status_code == 403 and "xzqh" in r.json()["errors"]
    assert not HotlineOrder.objects.exists() and not Case.objects.exists()
    assert Client().post(URL, {}, content_type="application/json").status_code == 401


def test_another_citys_mapping_reads_its_own_field_names(county):
    HotlineMapping.objects.create(
        code="city-b",
        name="B市12345",
        order_no_field="orderNo",
        request_type_field="type",
        caller_name_field="name",
        caller_phone_field="phone",
        content_field="content",
        address_field="addr",
        area_code_field="region",
        due_at_field="deadline",
        type_values={"1": "consult", "2": "complaint", "3": "suggestion", "4": "help"},
        outbound={
            "signed": {"order_no": "orderNo", "unit": "dept"},
            "returned": {"order_no": "orderNo", "reason": "why"},
            "progress": {"order_no": "orderNo", "text": "memo"},
            "finished": {"order_no": "orderNo", "reply": "answer"},
            "visited": {"order_no": "orderNo", "satisfaction": "rate"},
        },
        return_window_hours=2,
    )
    clerk = county.users["vclerk"]
    body = {"orderNo": "B-1", "type": "2", "content": "噪音扰民", "region": county.villages[0].code}
    r = post(api_for(clerk), body, mapping="city-b")
    assert r.status_code == 201, r.content
    order = HotlineOrder.objects.get(order_no="B-1")
    perform_transition(order.case, "accept", clerk, NOW + H, category_code="0201")
    assert sent(order) == [("signed", {"orderNo": "B-1", "dept": order.case.owner_unit.name})]
    r = post(api_for(clerk), {**body, "orderNo": "B-2", "type": "投诉"}, mapping="city-b")
    assert r.status_code == 422 and "type" in r.json()["errors"]


def test_a_repeat_order_is_proposed_merged_and_answered_with_its_main_case(county):
    clerk, mediator = county.users["vclerk"], county.users["mediator"]
    api = api_for(clerk)
    post(api, order_body(county, gdbh="GD-A"))
    post(api, order_body(county, gdbh="GD-B", sqnr="烧烤店油烟扰民，再次反映，多次协商无果。"))
    first, repeat = HotlineOrder.objects.order_by("order_no")
    main = perform_transition(first.case, "accept", clerk, NOW + H, category_code="0201")
    assert main.code in [p.case.code for p in proposals.propose_repeats(clerk, repeat.case, NOW)]
    merge_case(repeat.case, main, clerk, "同一油烟纠纷，并单办理。", NOW + 2 * H)
    repeat.refresh_from_db()
    # Merged into a case already signed for: the repeat's order is signed for with its unit.
    assert sent(repeat) == [
        ("signed", {"gdbh": "GD-B", "qssj": stamp(NOW + 2 * H), "cbdw": main.owner_unit.name})
    ]
    with pytest.raises(IllegalTransition):
        services.progress_order(repeat, clerk, "进展", NOW + 2 * H)
    main = perform_transition(
        main, "route", clerk, NOW + 2 * H, unit_id=county.units["committee"].pk
    )
    main = perform_transition(main, "start", mediator, NOW + 3 * H)
    perform_transition(main, "resolve", mediator, NOW + D, note="双方和解")
    for order in (first, repeat):
        order.refresh_from_db()
        assert order.state == OrderState.FINISHED
        assert sent(order)[-1] == (
            "finished",
            {
                "gdbh": order.order_no,
                "bjsj": stamp(NOW + D),
                "bjnr": "双方和解",
                "cbdw": county.units["committee"].name,
            },
        )


def test_a_reopened_case_finishes_its_order_again(county):
    clerk, mediator = county.users["vclerk"], county.users["mediator"]
    post(api_for(clerk), order_body(county))
    order = HotlineOrder.objects.get()
    case = perform_transition(order.case, "accept", clerk, NOW, category_code="0201")
    case = perform_transition(case, "route", clerk, NOW, unit_id=county.units["committee"].pk)
    case = perform_transition(case, "start", mediator, NOW)
    case = perform_transition(case, "resolve", mediator, NOW + H, note="第一次和解")
    case = perform_transition(case, "reopen", clerk, NOW + D, note="当事人反映未履行")
    order.refresh_from_db()
    assert order.state == OrderState.SIGNED
    perform_transition(case, "resolve", mediator, NOW + 2 * D, note="第二次和解")
    assert [d.get("bjnr") for k, d in sent(order) if k == "finished"] == [
        "第一次和解",
        "第二次和解",
    ]


def test_the_demo_has_orders_at_different_states(db):
    call_command(
        "seed_demo", "--cases", "63", "--seed", "11", "--now", NOW.isoformat(), stdout=io.StringIO()
    )
    states = set(HotlineOrder.objects.values_list("state", flat=True))
    assert {OrderState.ANSWERED, OrderState.RECEIVED} <= states
    assert len(states) >= 4, states
    assert HotlineMessage.objects.filter(kind="finished").exists()
    for order in HotlineOrder.objects.exclude(case=None):
        assert order.case.channel == Channel.HOTLINE
    assert HotlineOrder.objects.filter(case__duplicate_of__isnull=False).exists()
    (platform,) = [s for s in Subscriber.objects.all() if "hotline.finished" in s.topics]
    assert platform.status == "paused" and not platform.deliveries.exists()


def test_a_resend_by_an_account_that_cannot_see_the_order_learns_nothing(county):
    first = post(api_for(county.users["vclerk"]), order_body(county))
    assert first.status_code == 201
    other = post(
        api_for(county.users["tclerk_other"]), order_body(county, xzqh=county.villages[2].code)
    )
    assert other.status_code == 409 and "gdbh" in other.json()["errors"]
    assert first.json()["case_code"] not in other.content.decode()
    assert HotlineOrder.objects.count() == 1 and Case.objects.count() == 1


def test_the_clerks_acts_and_the_order_through_the_api(county):
    clerk = county.users["vclerk"]
    api = api_for(clerk)
    post(api, order_body(county, gdbh="GD-API", sqlx="求助"))
    post(api, order_body(county, gdbh="GD-ZX-API", sqlx="咨询"))
    url = f"{URL}/GD-API"
    r = api.post(f"{url}/return", {"text": ""}, content_type="application/json")
    assert r.status_code == 422 and "text" in r.json()["errors"]
    r = api.post(f"{url}/sign", {}, content_type="application/json")
    assert r.status_code == 200 and r.json()["state"] == "signed"
    r = api.post(f"{url}/progress", {"text": "已联系求助人"}, content_type="application/json")
    assert [m["kind"] for m in r.json()["messages"]] == ["signed", "progress"]
    assert r.json()["messages"][1]["data"]["jzqk"] == "已联系求助人"
    r = api.post(f"{url}/answer", {"text": "答复"}, content_type="application/json")
    assert r.status_code == 409  # a case's order is finished with its case
    r = api.post(
        f"{URL}/GD-ZX-API/answer", {"text": "可到镇综治中心咨询"}, content_type="application/json"
    )
    assert r.json()["state"] == "answered" and r.json()["reply"] == "可到镇综治中心咨询"
    outsider = api_for(county.users["tclerk_other"])
    assert outsider.get(url).status_code == 404
    assert (
        outsider.post(f"{url}/progress", {"text": "x"}, content_type="application/json").status_code
        == 404
    )
    assert api.get(url).json()["case_code"] == HotlineOrder.objects.get(order_no="GD-API").case.code
    schema = Client().get("/api/v1/openapi.json").json()
    assert {URL, URL + "/{order_no}", URL + "/{order_no}/{act}"} <= set(schema["paths"])


def test_the_round_trip_reaches_the_hotlines_subscriber_signed(county):
    """With the platform's URL registered as a webhook subscriber of the hotline topics, a
    real receiver on the loopback interface gets 签收, 办结 and 回访 in order, signed, in the
    platform's field names — and the answer to a 咨询, which has no case."""
    from hotline.apps import TOPICS
    from tests.test_webhooks import Receiver, run_at, subscriber

    receiver = Receiver(fail=1)  # the first delivery fails and is retried, in order
    try:
        subscriber(receiver.url, [code for code, _label in TOPICS])
        FollowUpSetting.objects.create(area=county.county)
        clerk, mediator = county.users["vclerk"], county.users["mediator"]
        post(api_for(clerk), order_body(county))
        order = HotlineOrder.objects.get()
        case = perform_transition(order.case, "accept", clerk, NOW, category_code="0201")
        case = perform_transition(case, "route", clerk, NOW, unit_id=county.units["committee"].pk)
        case = perform_transition(case, "start", mediator, NOW)
        case = perform_transition(case, "resolve", mediator, NOW + H, note="双方和解")
        visit(case, mediator, NOW + 2 * D, satisfaction="basic", findings="关系缓和")
        post(api_for(clerk), order_body(county, gdbh="GD-ZX", sqlx="咨询", sqnr="调解收费吗"))
        services.answer_order(
            HotlineOrder.objects.get(order_no="GD-ZX"), clerk, "不收费", NOW + 2 * D
        )
        assert list(HotlineMessage.objects.values_list("deliveries", flat=True)) == [1, 1, 1, 1]
        run_at(NOW + 2 * D)
        run_at(NOW + 3 * D)
        assert all(r["signed"] for r in receiver.requests)
        delivered = [r for r in receiver.requests if r["answered"] == 200]
        # In order per case (the first failure held the case's later messages back).
        of_case = [r for r in delivered if r["body"]["case"]]
        assert [r["topic"] for r in of_case] == [
            "hotline.signed",
            "hotline.finished",
            "hotline.visited",
        ]
        assert {r["body"]["case"]["code"] for r in of_case} == {case.code}
        signed, finished, visited = (r["body"]["data"] for r in of_case)
        assert signed == {"gdbh": order.order_no, "qssj": stamp(NOW), "cbdw": "镇1村1综治中心"}
        assert finished["bjnr"] == "双方和解" and visited["myd"] == "基本满意"
        (answered,) = [r for r in delivered if r["body"]["case"] is None]
        assert answered["topic"] == "hotline.finished"
        assert answered["body"]["data"] == {
            "gdbh": "GD-ZX",
            "bjsj": stamp(NOW + 2 * D),
            "bjnr": "不收费",
            "cbdw": "镇1村1综治中心",
        }
    finally:
        receiver.stop()


def test_the_platforms_system_key_is_held_to_its_channel_and_areas(county):
    """The city's 12345 platform posts with a connected system's key (api.SystemKey): only on
    the 12345 channel and in its areas, as the county center's clerk."""
    from api.services import issue_system_key

    hotline_key, _row = issue_system_key(
        None,
        name="12345热线平台",
        user=county.users["cclerk"],
        channels=["hotline"],
        areas=[county.towns[0]],
        now=NOW,
    )
    online_key, _row = issue_system_key(
        None, name="随手拍", user=county.users["cclerk"], channels=["online"], areas=[], now=NOW
    )
    platform = Client(HTTP_AUTHORIZATION=f"Bearer {hotline_key}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    r = post(platform, order_body(county, xzqh=county.villages[2].code))  # the other town
    assert r.status_code == 403 and "xzqh" in r.json()["errors"]
    other = Client(HTTP_AUTHORIZATION=f"Bearer {online_key}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    r = post(other, order_body(county))
    assert r.status_code == 403 and "channel" in r.json()["errors"]
    assert not HotlineOrder.objects.exists() and not Case.objects.exists()
    r = post(platform, order_body(county))
    assert r.status_code == 201, r.content
    assert Case.objects.get(code=r.json()["case_code"]).channel == Channel.HOTLINE
