"""A citizen reports a dispute from a phone: it becomes a case of the village center."""

import warnings

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from areas.models import Level
from cases.models import Case
from notifications.models import Delivery
from portal.models import PhoneCode
from tests.factories import NOW
from tests.test_portal_tracking import PNG, last_code


def photo(name="p.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def get_code(client, phone="13600136000"):
    response = client.post("/report/code/", {"phone": phone})
    assert response.status_code == 200, response.content
    return last_code()


def form(**overrides):
    data = {
        "description": "隔壁装修每天晚上十点后还在施工，噪音很大。",
        "category": "neighbours",
        "place": "3组王家门口",
        "name": "王五",
        "phone": "13600136000",
        "other_name": "赵六",
        "other_phone": "",
        "idempotency_key": "k-1",
    }
    data.update(overrides)
    return data


def test_a_report_from_a_grid_qr_code_becomes_a_case_of_the_village_center(client, county):
    grid = county.grids[0]
    assert grid.name in client.get(f"/report/?grid={grid.code}").content.decode()
    code = get_code(client)
    response = client.post(
        "/report/", {**form(grid=grid.code, code=code), "photos": [photo(), photo("q.png")]}
    )
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.code in response.content.decode()
    assert case.channel == "online" and case.get_channel_display() == "群众网上反映"
    assert case.owner_unit == county.center(county.villages[0]) and case.level == Level.VILLAGE
    assert case.area == grid and case.reporter is None and case.address == "3组王家门口"
    assert case.category.code == "02"
    assert [(p.name, p.role, p.phone) for p in case.parties.all()] == [
        ("王五", "applicant", "13600136000"),
        ("赵六", "respondent", ""),
    ]
    assert case.attachments.count() == 2
    assert case.timeline.first().kind == "citizen_reported"
    receipt = Delivery.objects.get(key__startswith=f"receipt:{case.code}")
    assert receipt.address == "13600136000"
    assert case.code in receipt.text and f"http://testserver/c/{case.code}" in receipt.text
    # The village clerk finds it in the work queue.
    client.force_login(county.users["vclerk"])
    assert case.code in client.get("/").content.decode()


def test_a_report_by_village_without_a_grid(client, county):
    village = county.villages[3]
    code = get_code(client)
    client.post("/report/", form(area_code=village.code, code=code))
    case = Case.objects.get()
    assert case.owner_unit == county.center(village) and case.area == village


def test_a_wrong_code_registers_nothing_and_says_so(client, county):
    get_code(client)
    response = client.post("/report/", form(area_code=county.villages[0].code, code="000001"))
    assert response.status_code == 422 and "验证码不正确" in response.content.decode()
    assert not Case.objects.exists()


def test_a_missing_place_and_a_script_as_photo_are_refused_by_field(client, county):
    code = get_code(client)
    response = client.post("/report/", form(code=code))
    assert response.status_code == 422 and "请选择纠纷发生的村（社区）" in response.content.decode()
    bad = SimpleUploadedFile("x.png", b"<svg><script>alert(1)</script></svg>")
    response = client.post(
        "/report/", {**form(area_code=county.villages[0].code, code=code), "photos": [bad]}
    )
    assert response.status_code == 422 and "只能上传照片" in response.content.decode()
    assert not Case.objects.exists()
    assert PhoneCode.objects.get().used_at is None  # the code is still good


def test_a_resent_report_makes_no_second_case(client, county):
    code = get_code(client)
    data = form(area_code=county.villages[0].code, code=code)
    first = client.post("/report/", data)
    again = client.post("/report/", data)  # the code is used, but the key is known
    assert first.status_code == again.status_code == 200
    assert Case.objects.count() == 1


def test_a_phone_reporting_too_much_gets_a_message_not_a_500(client, county):
    from jiefen import clock

    for i in range(5):
        with clock.pinned(NOW.replace(hour=1 + i)):
            code = get_code(client)
            client.post(
                "/report/",
                form(area_code=county.villages[0].code, code=code, idempotency_key=f"k{i}"),
            )
    assert Case.objects.count() == 5
    with clock.pinned(NOW.replace(hour=7)):
        code = get_code(client)
        response = client.post(
            "/report/", form(area_code=county.villages[0].code, code=code, idempotency_key="k9")
        )
    assert response.status_code == 422 and "今天已反映5件" in response.content.decode()
    assert Case.objects.count() == 5


def test_asking_codes_too_often_answers_429_with_a_message(client, county):
    get_code(client)
    response = client.post("/report/code/", {"phone": "13600136000"})
    assert response.status_code == 429 and "请稍候" in response.json()["message"]
    response = client.post("/report/code/", {"phone": "123"})
    assert response.status_code == 422 and "手机" in response.json()["message"]


@pytest.mark.parametrize("level", ["county", "town"])
def test_only_villages_and_grids_receive_reports(client, county, level):
    area = county.county if level == "county" else county.towns[0]
    code = get_code(client)
    response = client.post("/report/", form(grid=area.code, code=code))
    assert response.status_code == 422 and not Case.objects.exists()


def test_the_api_sends_a_code_and_registers_a_report_once(client, county):
    response = client.post(
        "/api/v1/portal/codes", {"phone": "13600136000"}, content_type="application/json"
    )
    assert response.status_code == 202
    body = {
        "description": "村道被邻居堆放的建材堵住了。",
        "area_code": county.grids[1].code,
        "category": "neighbours",
        "name": "王五",
        "phone": "13600136000",
        "code": last_code(),
    }
    headers = {"HTTP_IDEMPOTENCY_KEY": "mini-1"}
    first = client.post("/api/v1/portal/reports", body, **headers)
    assert first.status_code == 201, first.content
    case = Case.objects.get()
    assert first.json()["code"] == case.code and first.json()["tracking_url"].endswith(
        f"/c/{case.code}"
    )
    assert case.owner_unit == county.center(county.villages[1])
    again = client.post("/api/v1/portal/reports", body, **headers)
    assert again.status_code == 200 and again.json()["code"] == case.code
    assert Case.objects.count() == 1
    wrong = client.post("/api/v1/portal/reports", {**body, "code": "000000"})
    assert wrong.status_code == 422 and wrong["Content-Type"] == "application/problem+json"
    assert "code" in wrong.json()["errors"]
    too_soon = client.post(
        "/api/v1/portal/codes", {"phone": "13600136000"}, content_type="application/json"
    )
    assert too_soon.status_code == 429 and too_soon.json()["title"] == "请求过于频繁"
    assert "/api/v1/portal/reports" in client.get("/api/v1/openapi.json").json()["paths"]


def test_the_api_takes_photos_with_the_web_forms_checks(client, county):
    """POST /api/v1/portal/reports is multipart: photos come as files, checked as on the
    web form (images only, at most 10 MB, at most 5); a refusal writes nothing."""
    client.post("/api/v1/portal/codes", {"phone": "13600136000"}, content_type="application/json")
    body = {
        "description": "邻居的院墙倒在我家菜地上。",
        "area_code": county.grids[0].code,
        "category": "neighbours",
        "name": "王五",
        "phone": "13600136000",
        "code": last_code(),
    }
    text = SimpleUploadedFile("note.png", b"not really a picture", content_type="image/png")
    refused = client.post("/api/v1/portal/reports", {**body, "photos": [text]})
    assert refused.status_code == 422 and "photos" in refused.json()["errors"]
    assert not Case.objects.exists()
    photos = [SimpleUploadedFile(f"p{i}.png", PNG, content_type="image/png") for i in range(6)]
    too_many = client.post("/api/v1/portal/reports", {**body, "photos": photos})
    assert too_many.status_code == 422 and not Case.objects.exists()
    shots = [SimpleUploadedFile(f"p{i}.png", PNG, content_type="image/png") for i in range(2)]
    with warnings.catch_warnings():
        # The answer is a ninja Status, not the deprecated (status, body) tuple.
        warnings.simplefilter("error", DeprecationWarning)
        created = client.post("/api/v1/portal/reports", {**body, "photos": shots})
    assert created.status_code == 201, created.content
    case = Case.objects.get()
    assert sorted(a.name for a in case.attachments.all()) == ["p0.png", "p1.png"]
    assert {a.content_type for a in case.attachments.all()} == {"image/png"}
    spec = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/portal/reports"]["post"]
    assert "multipart/form-data" in spec["requestBody"]["content"]
