"""Court and police docking: batch import (Excel page and API) with good and bad rows,
idempotent re-import, routing to the right center, outcome export and API with days taken."""

import datetime
import io
import json
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import translation
from openpyxl import load_workbook

from areas.models import Role, Unit, UnitKind
from cases.models import Case, Channel, Party, TimelineEvent
from cases.services import perform_transition
from docking import services
from docking.models import Outcome, Referral, ReferralBatch
from docking.selectors import days_taken, referrals_visible_to, with_outcome
from notifications.models import Notification
from tests.factories import NOW, PASSWORD, VALID_ID, local_day, user
from tests.visits import visit

BAD_ID = "110105194912310021"  # VALID_ID with a wrong check digit
DAY = datetime.timedelta(days=1)


@pytest.fixture(scope="module", autouse=True)
def chinese_catalog():
    """Pages, files and messages are asserted in Chinese: compile and reload the catalog."""
    call_command("compile_translations", verbosity=0)
    translation.trans_real._translations = {}
    translation.trans_real._default = None


@pytest.fixture
def police(county):
    station = Unit.objects.create(name="镇1派出所", kind=UnitKind.POLICE, area=county.towns[0])
    return user("police", station, Role.HANDLER)


def web(county, key) -> Client:
    client = Client()
    client.force_login(county.users[key] if isinstance(key, str) else key)
    return client


def good_row(ref, **overrides) -> dict:
    row = {
        "external_ref": ref,
        "title": "民间借贷纠纷",
        "description": "原告称被告借款两万元到期未还。",
        "category_code": "0201",
        "area_code": "",
        "occurred_at": "2026-10-01",
        "amount_involved": "20000",
        "people_involved": "2",
        "applicant_name": "张三",
        "applicant_id": VALID_ID,
        "applicant_phone": "13800138000",
        "respondent_name": "李四",
        "respondent_phone": "13900139000",
    }
    row.update(overrides)
    return row


def filled_template(client: Client, rows: list[dict]) -> SimpleUploadedFile:
    """The template as downloaded from the page, with these rows typed in."""
    r = client.get("/docking/template.xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.worksheets[0]
    keys = {str(label): key for key, label in excel_columns()}
    header = [keys[c.value] for c in ws[1]]
    for i, row in enumerate(rows, start=2):
        for j, key in enumerate(header, start=1):
            ws.cell(i, j).value = row.get(key, "")
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("委派批次.xlsx", out.getvalue())


def excel_columns():
    from docking.excel import COLUMNS

    with translation.override("zh-hans"):
        return [(key, str(label)) for key, label in COLUMNS]


def upload(client, rows):
    return client.post("/docking/upload/", {"file": filled_template(client, rows)}, follow=True)


MIXED_BATCH = [
    good_row("（2026）湘0121民诉前调1号"),
    good_row("（2026）湘0121民诉前调2号", area_code="430121100201"),  # 镇1村1
    good_row("（2026）湘0121民诉前调3号", applicant_id=BAD_ID),
    good_row("（2026）湘0121民诉前调4号", category_code=""),
    good_row("（2026）湘0121民诉前调5号", area_code="430121999999"),
]


# ---------------------------------------------------------------- Excel upload page


def test_template_has_chinese_headers_and_category_codes(county):
    r = web(county, "liaison").get("/docking/template.xlsx")
    wb = load_workbook(io.BytesIO(r.content))
    header = [c.value for c in wb.worksheets[0][1]]
    assert header[:4] == [
        "推送单位编号（法院案号/警情号）",
        "纠纷标题",
        "纠纷简要情况",
        "纠纷类别代码",
    ]
    codes = [row[0] for row in wb.worksheets[1].iter_rows(min_row=2, values_only=True)]
    assert "0201" in codes


def test_upload_registers_good_rows_and_reports_bad_ones(county, settings):
    settings.NOTIFY_SENDERS = []
    client = web(county, "liaison")
    r = upload(client, MIXED_BATCH)
    assert r.status_code == 200
    page = r.content.decode()
    batch = ReferralBatch.objects.get()
    assert (batch.total, batch.created, batch.duplicates, batch.failed) == (5, 2, 0, 3)
    assert "2 件新案件，0 件已接收过，3 行有错误" in page
    # The error table names row, reference, Chinese column header and message.
    assert "身份证号码校验码不正确" in page
    rows = {(e["row"], e["column"]) for e in batch.errors}
    assert rows == {
        (4, "申请人身份证号或统一社会信用代码"),
        (5, "纠纷类别代码"),
        (6, "区划代码（空白：推送单位所在区划）"),
    }
    assert "请选择有效的区域" in page
    assert "委派案件须填写纠纷类别" in page

    # Good rows are cases of the court channel with the court's reference…
    first = Case.objects.get(external_ref="（2026）湘0121民诉前调1号")
    second = Case.objects.get(external_ref="（2026）湘0121民诉前调2号")
    assert first.channel == second.channel == Channel.COURT
    # …received by the center of the court's area, or of the area the row names.
    assert first.owner_unit == county.center(county.county)
    assert second.owner_unit == county.center(county.villages[0])
    assert second.referral.receiving_unit == county.center(county.villages[0])
    # Registered straight to the receiving center: one registration event, the referral's.
    registration = second.timeline.get(to_status="registered")
    assert registration.kind == "referral_received"
    assert registration.data["external_ref"] == "（2026）湘0121民诉前调2号"
    assert second.timeline.count() == 1
    # A bad row leaves nothing behind.
    assert Case.objects.count() == 2
    assert Party.objects.count() == 4
    assert not Case.objects.filter(external_ref__endswith="3号").exists()

    # Each receiving center's clerks are told once about the batch.
    assert Notification.objects.filter(recipient=county.users["cclerk"]).count() == 1
    assert Notification.objects.filter(recipient=county.users["vclerk"]).count() == 1
    notice = Notification.objects.get(recipient=county.users["vclerk"])
    assert "县人民法院" in notice.title and f"batch={batch.pk}" in notice.url

    # The error report is a downloadable Excel file with the same rows.
    r = client.get(f"/docking/batches/{batch.pk}/errors.xlsx")
    ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
    report = list(ws.iter_rows(values_only=True))
    assert report[0] == ("行", "推送单位编号（法院案号/警情号）", "列", "错误说明")
    assert [row[:3] for row in report[1:]] == [
        (4, "（2026）湘0121民诉前调3号", "申请人身份证号或统一社会信用代码"),
        (5, "（2026）湘0121民诉前调4号", "纠纷类别代码"),
        (6, "（2026）湘0121民诉前调5号", "区划代码（空白：推送单位所在区划）"),
    ]


def test_uploading_the_same_batch_again_creates_no_duplicates(county, settings):
    settings.NOTIFY_SENDERS = []
    client = web(county, "liaison")
    upload(client, MIXED_BATCH)
    r = upload(client, MIXED_BATCH)
    assert "0 件新案件，2 件已接收过，3 行有错误" in r.content.decode()
    assert Case.objects.count() == 2
    assert Notification.objects.filter(recipient=county.users["cclerk"]).count() == 1

    # The corrected rows go in; the ones already received are skipped again.
    fixed = MIXED_BATCH[:2] + [
        good_row("（2026）湘0121民诉前调3号"),
        good_row("（2026）湘0121民诉前调4号"),
        good_row("（2026）湘0121民诉前调5号", area_code="430121101000"),  # 镇2
    ]
    r = upload(client, fixed)
    assert "3 件新案件，2 件已接收过，0 行有错误" in r.content.decode()
    assert Case.objects.count() == Referral.objects.count() == 5
    assert Case.objects.get(external_ref__endswith="5号").owner_unit == county.center(
        county.towns[1]
    )


def test_a_broken_file_is_refused_whole(county):
    client = web(county, "liaison")
    r = client.post("/docking/upload/", {"file": SimpleUploadedFile("x.xlsx", b"not a workbook")})
    assert "该文件不是 Excel 工作簿（.xlsx）" in r.content.decode()
    assert not ReferralBatch.objects.exists()


def test_only_liaisons_upload_and_only_docking_staff_see_the_pages(county):
    assert web(county, "vclerk").get("/docking/upload/").status_code == 404
    assert web(county, "grid").get("/docking/").status_code == 404
    assert web(county, "handler").get("/docking/").status_code == 404
    nav = "诉调警调对接"
    assert nav in web(county, "liaison").get("/").content.decode()
    assert nav in web(county, "cclerk").get("/").content.decode()
    assert nav not in web(county, "grid").get("/").content.decode()


# ---------------------------------------------------------------- service details


def items(*rows) -> list[services.ReferralInput]:
    """API-shaped inputs for the service: a reference, or (reference, overrides)."""
    from api.docking import ReferralIn, referral_input

    out = []
    for i, row in enumerate(rows, start=1):
        ref, overrides = row if isinstance(row, tuple) else (row, {})
        out.append(referral_input(i, ReferralIn(**api_item(ref, **overrides))))
    return out


def api_item(ref, **overrides) -> dict:
    data = {
        "external_ref": ref,
        "title": "民间借贷纠纷",
        "description": "原告称被告借款两万元到期未还。",
        "category_code": "0201",
        "parties": [
            {"name": "张三", "id_number": VALID_ID, "phone": "13800138000"},
            {"name": "李四", "role": "respondent"},
        ],
    }
    data.update(overrides)
    return data


def push(county, *refs, now=NOW, actor="liaison", channel=Channel.COURT):
    actor = county.users[actor] if isinstance(actor, str) else actor
    return services.import_referrals(actor, items(*refs), now, channel=channel, source="api")


def test_a_row_whose_referral_cannot_be_written_leaves_no_case(county, monkeypatch):
    """The unique (unit, reference) constraint is the last guard: a row that loses a race
    on it is rolled back whole and answered as a repeat."""
    push(county, "R-1")
    looked_up = []

    def existing_seen_late(unit, ref):
        # The first look finds nothing, as when another request commits just after it.
        looked_up.append(ref)
        return None if len(looked_up) == 1 else Referral.objects.get(external_ref=ref)

    monkeypatch.setattr(services, "_existing", existing_seen_late)
    _batch, [result] = push(county, "R-1")
    assert result.status == services.DUPLICATE
    assert Case.objects.count() == 1
    # The case's one registration event is the referral's own.
    assert TimelineEvent.objects.filter(kind="referral_received").count() == 1
    assert TimelineEvent.objects.filter(to_status="registered").count() == 1


def test_police_referrals_go_to_the_station_area_center(county, police):
    _batch, results = push(
        county,
        "JQ-1",
        ("JQ-2", {"area_code": county.villages[2].code}),  # another town: not the station's
        actor=police,
        channel=Channel.POLICE,
    )
    assert [r.status for r in results] == [services.CREATED, services.INVALID]
    assert "area_code" in results[1].errors
    case = Case.objects.get(external_ref="JQ-1")
    assert case.channel == Channel.POLICE
    assert case.owner_unit == county.center(county.towns[0])


def test_references_are_unique_per_referring_unit(county, police):
    push(county, "7")
    push(county, "7", actor=police, channel=Channel.POLICE)
    assert Referral.objects.filter(external_ref="7").count() == 2


# ---------------------------------------------------------------- API


def token(client: Client, username: str) -> str:
    r = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": PASSWORD},
        content_type="application/json",
    )
    return f"Bearer {r.json()['token']}"


class Api:
    def __init__(self, username: str):
        self.client = Client()
        self.auth = token(self.client, username)

    def get(self, url, **params):
        return self.client.get(url, params, HTTP_AUTHORIZATION=self.auth)

    def post(self, url, body, **headers):
        return self.client.post(
            url,
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=self.auth,
            headers=headers,
        )


API_BATCH = {
    "items": [
        api_item("A-1"),
        api_item(
            "A-2",
            parties=[{"name": "王五", "id_number": BAD_ID}],
        ),
        api_item("A-3", category_code="", title=""),
        api_item("A-1"),  # the same reference twice in one batch
    ]
}


def test_api_batch_reports_each_item_and_is_idempotent(county):
    api = Api("liaison")
    r = api.post("/api/v1/court/referrals", API_BATCH)
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["created"], body["duplicates"], body["failed"]) == (1, 1, 2)
    a1, a2, a3, again = body["items"]
    assert a1["result"] == "created" and a1["case_code"]
    assert a2["result"] == "invalid" and "parties[0].id_number" in a2["errors"]
    assert set(a3["errors"]) == {"title", "category_code"}
    assert again == {**a1, "index": 4, "result": "duplicate"}

    # Re-sending the batch: nothing new, every good reference answered with its case.
    r = api.post("/api/v1/court/referrals", API_BATCH)
    assert [i["result"] for i in r.json()["items"]] == [
        "duplicate",
        "invalid",
        "invalid",
        "duplicate",
    ]
    assert r.json()["items"][0]["case_code"] == a1["case_code"]
    assert Case.objects.count() == 1

    # With an Idempotency-Key the first answer is replayed exactly.
    first = api.post(
        "/api/v1/court/referrals", {"items": [api_item("B-1")]}, **{"Idempotency-Key": "k1"}
    )
    replay = api.post(
        "/api/v1/court/referrals", {"items": [api_item("B-1")]}, **{"Idempotency-Key": "k1"}
    )
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert first.json()["items"][0]["result"] == "created"


def test_api_push_needs_a_referring_unit_of_that_kind(county, police):
    r = Api("vclerk").post("/api/v1/court/referrals", {"items": [api_item("X")]})
    assert r.status_code == 403 and r["Content-Type"] == "application/problem+json"
    assert (
        Api("liaison").post("/api/v1/police/referrals", {"items": [api_item("X")]}).status_code
        == 403
    )
    r = Api("police").post("/api/v1/police/referrals", {"items": [api_item("X")]})
    assert r.json()["created"] == 1
    r = Api("liaison").post("/api/v1/court/referrals", {"items": []})
    assert r.status_code == 422


@pytest.mark.threaded
@pytest.mark.django_db(transaction=True)
def test_racing_uploads_of_one_batch_create_each_case_once(county):
    api = Api("liaison")
    batch = {"items": [api_item(f"R-{i}") for i in range(5)]}
    barrier = threading.Barrier(3)
    results = []

    def send():
        try:
            barrier.wait()
            results.append(api.post("/api/v1/court/referrals", batch).json())
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r["created"] for r in results) == [0, 0, 5]
    assert Case.objects.count() == Referral.objects.count() == 5


# ---------------------------------------------------------------- outcomes


def settle(county, case, action, at, **params):
    """Accept, route to the county labour bureau, start, then close with `action`."""
    clerk, handler = county.users["cclerk"], county.users["handler"]
    perform_transition(case, "accept", clerk, at)
    perform_transition(
        case, "route", clerk, at, unit_id=county.units["labour"].pk, override_reason="劳动争议"
    )
    perform_transition(case, "start", handler, at)
    return perform_transition(case, action, handler, at, note="结果说明", **params)


@pytest.fixture
def outcomes(county):
    """Three court referrals at NOW: mediated after 5 days, failed after 12, one open."""
    push(county, "M-1", "F-1", "O-1")
    cases = {r.external_ref: r.case for r in Referral.objects.select_related("case")}
    settle(county, cases["M-1"], "resolve", NOW + 5 * DAY)
    visit(cases["M-1"], county.users["handler"], NOW + 9 * DAY)
    settle(county, cases["F-1"], "transfer", NOW + 12 * DAY, channel="litigation")
    return cases


def test_outcome_is_derived_from_status_and_timeline(county, outcomes):
    rows = {r.external_ref: r for r in with_outcome(Referral.objects.all())}
    assert rows["M-1"].outcome == Outcome.MEDIATED  # followed up after a resolve
    assert rows["F-1"].outcome == Outcome.FAILED
    assert rows["O-1"].outcome == Outcome.IN_PROGRESS
    later = NOW + 30 * DAY
    assert days_taken(rows["M-1"], later) == 5
    assert days_taken(rows["F-1"], later) == 12
    assert days_taken(rows["O-1"], later) == 30
    # A reopened case is in progress again.
    perform_transition(outcomes["M-1"], "reopen", county.users["cclerk"], later, note="反弹")
    assert with_outcome(Referral.objects.filter(external_ref="M-1")).get().outcome == "in_progress"


def test_api_reports_outcomes_with_days_taken(county, outcomes):
    api = Api("liaison")
    r = api.get("/api/v1/court/referrals")
    assert r.status_code == 200, r.content
    by_ref = {x["external_ref"]: x for x in r.json()["results"]}
    assert by_ref["M-1"]["outcome"] == "mediated" and by_ref["M-1"]["days_taken"] == 5
    assert by_ref["M-1"]["outcome_label"] == "调解成功"
    assert by_ref["F-1"]["outcome"] == "failed" and by_ref["F-1"]["days_taken"] == 12
    assert by_ref["F-1"]["transfer_channel"] == "litigation"
    assert by_ref["O-1"]["outcome"] == "in_progress" and by_ref["O-1"]["outcome_at"] is None

    # Reading changes nothing; the referring unit records what it took back, and polling
    # for unreported outcomes then finds nothing new.
    assert not Referral.objects.filter(reported_at__isnull=False).exists()
    assert api.get("/api/v1/court/referrals", unreported="true").json()["count"] == 2
    r = api.post("/api/v1/court/referrals/reported", {"refs": ["M-1", "F-1", "O-1", "NOPE"]})
    assert r.status_code == 200, r.content
    assert r.json() == {"reported": 2}  # O-1 is still in progress
    assert api.get("/api/v1/court/referrals", unreported="true").json()["count"] == 0
    again = api.post("/api/v1/court/referrals/reported", {"refs": ["M-1"]})
    assert again.json() == {"reported": 0}
    # Only the referring unit records: the center's clerk cannot.
    assert Api("cclerk").post("/api/v1/court/referrals/reported", {"refs": ["M-1"]}).json() == {
        "reported": 0
    }
    assert api.get("/api/v1/court/referrals", outcome="failed").json()["count"] == 1

    one = api.get("/api/v1/court/referrals/F-1").json()
    assert one["case_code"] == outcomes["F-1"].code and one["days_taken"] == 12
    assert api.get("/api/v1/court/referrals/NOPE").status_code == 404
    assert api.get("/api/v1/court/referrals", outcome="x").status_code == 422


def test_outcome_export_for_a_period(county, outcomes):
    client = web(county, "liaison")
    r = client.get("/docking/export.xlsx", {"date_from": local_day(), "date_to": local_day()})
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).worksheets[0]
    header, *rows = list(ws.iter_rows(values_only=True))
    assert header[:2] == ("推送单位编号（法院案号/警情号）", "解纷码")
    col = {name: i for i, name in enumerate(header)}
    got = {row[0]: (row[col["办理结果"]], row[col["用时（天）"]]) for row in rows}
    assert got["M-1"] == ("调解成功", 5)
    assert got["F-1"] == ("调解不成，退回推送单位", 12)
    assert got["O-1"][0] == "调解中"
    # Another period holds none of them.
    r = client.get("/docking/export.xlsx", {"date_from": local_day(8)})
    assert len(list(load_workbook(io.BytesIO(r.content)).worksheets[0].iter_rows())) == 1


def test_list_filters_by_outcome_and_shows_only_what_the_user_may_see(county, outcomes):
    page = web(county, "liaison").get("/docking/", {"outcome": "mediated"}).content.decode()
    assert "M-1" in page and "F-1" not in page and "调解成功" in page
    assert "F-1" in web(county, "cclerk").get("/docking/").content.decode()
    # Another court's liaison sees none of this court's referrals.
    tribunal = Unit.objects.create(name="镇2人民法庭", kind=UnitKind.TRIBUNAL, area=county.towns[1])
    other = user("liaison2", tribunal, Role.COURT_LIAISON)
    assert not referrals_visible_to(other).exists()
    assert "M-1" not in web(county, other).get("/docking/").content.decode()
    assert Api("liaison2").get("/api/v1/court/referrals").json()["count"] == 0
    # A village clerk sees only referrals delivered into the village.
    assert not referrals_visible_to(county.users["vclerk"]).exists()
