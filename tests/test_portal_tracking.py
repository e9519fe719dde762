"""The public tracking page (/c/<code>, the case QR code's target) and a party's own view
after proving their phone with an SMS code."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import MissingMaterial
from cases.services import perform_transition
from jiefen import clock
from notifications.models import Delivery
from notifications.senders import MemorySender
from portal import codes
from portal.models import PhoneCode
from tests.factories import NOW, VALID_ID, new_case

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def sms(settings):
    settings.NOTIFY_SENDERS = ["notifications.senders.MemorySender"]
    MemorySender.sent.clear()
    return MemorySender.sent


def resolved_case(county, now=NOW):
    """A case with full party data, accepted, handled and resolved, with notes on the way."""
    case = new_case(
        county,
        area=county.villages[0],
        now=now,
        address="长沙县镇1村1组18号",
        missing_materials=["房屋产权证明"],
    )
    clerk = county.users["vclerk"]
    case = perform_transition(case, "accept", clerk, now, note="内部备注：张三情绪激动")
    case = perform_transition(
        case, "route", clerk, now, note="交调委会", unit_id=county.units["committee"].pk
    )
    mediator = county.users["mediator"]
    case = perform_transition(case, "start", mediator, now)
    return perform_transition(case, "resolve", mediator, now, note="双方同意由楼上修复防水层")


def last_code(sent=None) -> str:
    """The code in the last SMS queued (the memory sender gets it once the request commits)."""
    sent = Delivery.objects.filter(key__startswith="code:").latest("pk")
    return re.search(r"验证码为(\d{6})", sent.text).group(1)


def test_the_public_page_shows_no_personal_field(client, county, django_assert_max_num_queries):
    case = resolved_case(county)
    with django_assert_max_num_queries(3):
        response = client.get(f"/c/{case.code}")
    html = response.content.decode()
    assert response.status_code == 200
    party_fields = []
    for p in case.parties.all():
        party_fields += [p.name, p.id_number, p.phone, p.occupation, p.address]
        party_fields += [p.phone[-4:], p.id_number[-6:] if p.id_number else p.name]
    personal = [
        *(f for f in party_fields if f),
        VALID_ID,
        case.title,
        case.description,
        case.address,
        "张三情绪激动",
        "双方同意由楼上修复防水层",  # a note, even one meant for parties, needs the phone
        "vclerk",
        "mediator",
        "房屋产权证明",
    ]
    for value in personal:
        assert value not in html, value
    assert case.code in html
    assert "已化解" in html and "镇1村1人民调解委员会" in html and "村（社区）" in html
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]


def test_staff_land_on_the_staff_page_unless_outside_their_scope(client, county):
    case = new_case(county)
    client.force_login(county.users["tclerk"])
    response = client.get(f"/c/{case.code}")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.code}/"
    client.force_login(county.users["tclerk_other"])
    response = client.get(f"/c/{case.code}")
    assert response.status_code == 200 and "private" in response["Cache-Control"]


def test_an_unknown_code_is_404(client, county):
    assert client.get("/c/NOPE").status_code == 404


def verify(client, case, phone, code=None, sms=None):
    url = f"/c/{case.code}/party/verify/"
    client.post(url, {"phone": phone, "action": "send"})
    return client.post(url, {"phone": phone, "code": code or last_code(sms), "action": "verify"})


def test_a_party_proves_the_phone_and_sees_notes_materials_and_hands_one_in(client, county, sms):
    case = resolved_case(county)
    assert client.get(f"/c/{case.code}/party/")["Location"].endswith("/party/verify/")
    response = verify(client, case, "13900139000", sms=sms)
    assert response.status_code == 302 and response["Location"] == f"/c/{case.code}/party/"
    sent = Delivery.objects.get(key__startswith="code:")
    assert sent.address == "13900139000" and case.code in sent.text
    html = client.get(f"/c/{case.code}/party/").content.decode()
    assert "双方同意由楼上修复防水层" in html  # the outcome note is for the parties
    assert "张三情绪激动" not in html  # a working note is not
    assert "房屋产权证明" in html
    material = MissingMaterial.objects.get(case=case)
    photo = SimpleUploadedFile("deed.png", PNG, content_type="image/png")
    response = client.post(f"/c/{case.code}/party/materials/{material.pk}/", {"file": photo})
    assert response.status_code == 302
    material.refresh_from_db()
    assert material.provided_at == NOW
    assert case.attachments.get().uploaded_by is None
    assert case.timeline.filter(kind="party_provided_material").exists()


def test_a_script_is_not_accepted_as_a_material(client, county, sms):
    case = resolved_case(county)
    verify(client, case, "13800138000", sms=sms)
    material = MissingMaterial.objects.get(case=case)
    bad = SimpleUploadedFile("x.png", b"<svg><script>alert(1)</script></svg>")
    response = client.post(f"/c/{case.code}/party/materials/{material.pk}/", {"file": bad})
    assert response.status_code == 422 and "照片" in response.content.decode()
    assert not case.attachments.exists()


def test_a_phone_not_on_the_case_gets_the_same_answer_and_no_code(client, county, sms):
    case = resolved_case(county)
    url = f"/c/{case.code}/party/verify/"
    html = client.post(url, {"phone": "13700137000", "action": "send"}).content.decode()
    assert 'id="sent"' in html and not Delivery.objects.filter(key__startswith="code:").exists()
    response = client.post(url, {"phone": "13700137000", "code": "123456", "action": "verify"})
    assert response.status_code == 422
    assert client.get(f"/c/{case.code}/party/").status_code == 302


def test_a_code_expires_after_5_minutes(county, sms):
    codes.send_code("13800138000", "track:X", "10.0.0.1", NOW)
    code = last_code(sms)
    with pytest.raises(codes.InvalidInput, match="过期"):
        codes.check_code("13800138000", "track:X", code, NOW + datetime.timedelta(minutes=5))


def test_a_code_allows_5_tries_and_is_single_use(county, sms):
    codes.send_code("13800138000", "track:X", "10.0.0.1", NOW)
    code = last_code(sms)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(codes.InvalidInput):
            codes.check_code("13800138000", "track:X", wrong, NOW)
    with pytest.raises(codes.InvalidInput, match="错误次数过多"):
        codes.check_code("13800138000", "track:X", code, NOW)  # the right one, too late
    later = NOW + datetime.timedelta(minutes=1)
    codes.send_code("13800138000", "track:X", "10.0.0.1", later)
    fresh = last_code(sms)
    codes.check_code("13800138000", "track:X", fresh, later)
    with pytest.raises(codes.InvalidInput):
        codes.check_code("13800138000", "track:X", fresh, later)  # used


def test_codes_are_rate_limited_per_phone_and_per_address(client, county, sms):
    codes.send_code("13800138000", "report", "10.0.0.1", NOW)
    with pytest.raises(codes.Throttled, match="一分钟"):
        codes.send_code("13800138000", "report", "10.0.0.2", NOW + datetime.timedelta(seconds=30))
    for i in range(1, 5):
        codes.send_code("13800138000", "report", "10.0.0.1", NOW + datetime.timedelta(minutes=i))
    with pytest.raises(codes.Throttled, match="一小时"):
        codes.send_code("13800138000", "report", "10.0.0.1", NOW + datetime.timedelta(minutes=9))
    # an hour later the phone may ask again
    codes.send_code("13800138000", "report", "10.0.0.1", NOW + datetime.timedelta(minutes=61))
    PhoneCode.objects.all().delete()
    for i in range(codes.PER_ADDRESS):
        codes.send_code(f"1380013{i:04d}", "report", "10.0.0.9", NOW)
    with pytest.raises(codes.Throttled):
        codes.send_code("13900000001", "report", "10.0.0.9", NOW)


def test_an_abuser_gets_a_chinese_message_on_the_page_not_a_500(client, county, sms):
    case = resolved_case(county)
    url = f"/c/{case.code}/party/verify/"
    client.post(url, {"phone": "13800138000", "action": "send"})
    with clock.pinned(NOW + datetime.timedelta(seconds=10)):
        response = client.post(url, {"phone": "13800138000", "action": "send"})
    assert response.status_code == 422 and "请稍候" in response.content.decode()
    assert Delivery.objects.filter(key__startswith="code:").count() == 1


def test_the_code_goes_out_through_the_memory_sender(
    client, county, sms, django_capture_on_commit_callbacks
):
    case = resolved_case(county)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/c/{case.code}/party/verify/", {"phone": "13800138000", "action": "send"})
    codes_sent = [m for m in sms if "验证码" in m.text]
    assert [m.address for m in codes_sent] == ["13800138000"]
    assert re.search(r"验证码为\d{6}", codes_sent[0].text) and case.code in codes_sent[0].text
