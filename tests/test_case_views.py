"""The clerk pages through Django's test client: queue, list, intake, case page, actions."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from PIL import Image

from cases.models import Case, CaseAccessLog, Category, MissingMaterial
from cases.workflow import Status
from clocks.models import Deadline
from jiefen import clock
from jiefen.localtime import LOCAL_TZ
from tests.factories import NOW, VALID_ID, local_day, new_case


@pytest.fixture(scope="module", autouse=True)
def chinese_catalog():
    """The pages are asserted in Chinese, so the catalog must be compiled and (re)loaded."""
    call_command("compile_translations", verbosity=0)
    translation.trans_real._translations = {}
    translation.trans_real._default = None


def login(client, county, key):
    client.force_login(county.users[key])
    return client


def intake_data(county, **overrides):
    data = {
        "title": "宅基地边界纠纷",
        "description": "两户因院墙位置发生争执。",
        "category_code": "0201",
        "scale": "01",
        "people_involved": "2",
        "amount_involved": "",
        "occurred_at": "2026-11-20T10:30",
        "area_code": county.grids[0].code,
        "address": "一组12号",
        "channel": "grid_app",
        "missing_materials": "户口本复印件\n房产证明",
        "parties-TOTAL_FORMS": "2",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "1",
        "parties-MAX_NUM_FORMS": "50",
        "parties-0-name": "王五",
        "parties-0-role": "applicant",
        "parties-0-kind": "person",
        "parties-0-id_number": VALID_ID,
        "parties-0-phone": "13700137000",
        "parties-1-name": "",
        "parties-1-role": "respondent",
        "parties-1-kind": "person",
    }
    data.update(overrides)
    return data


def test_pages_need_login(client, county):
    case = new_case(county)
    # (/c/<code>, the QR code's link, is the public tracking page: tests/test_portal_tracking.py)
    for url in ["/", "/cases/", "/cases/new/", f"/cases/{case.code}/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
    assert "登录" in client.get("/login/").content.decode()


def test_login_goes_to_the_queue(client, county):
    response = client.post("/login/", {"username": "grid", "password": "pw-for-tests-1"})
    assert response["Location"] == reverse("cases:queue")


def test_queue_shows_own_cases_overdue_first(client, county):
    older = new_case(county, title="先登记的案件")
    newer = new_case(county, title="后登记但已逾期", now=NOW + datetime.timedelta(hours=1))
    Deadline.objects.filter(case=newer).update(due_at=clock.now() - datetime.timedelta(days=1))
    html = login(client, county, "vclerk").get("/").content.decode()
    assert html.index(newer.code) < html.index(older.code)
    assert html.count('class="overdue"') == 1
    assert "逾期" in html
    # The sibling village's clerk has nothing to do on these.
    html = login(client, county, "vclerk_sibling").get("/?tab=unit").content.decode()
    assert newer.code not in html and older.code not in html


def test_queue_unit_tab(client, county):
    case = new_case(county)
    html = login(client, county, "tclerk").get("/?tab=mine").content.decode()
    assert case.code not in html  # owned by the village center, not the town
    html = login(client, county, "vclerk").get("/?tab=unit").content.decode()
    assert case.code in html


def test_list_filters_and_search(client, county):
    a = new_case(county, title="排水纠纷")
    b = new_case(county, title="工资拖欠", category_code="0501", channel="hotline")
    other = new_case(county, actor_key="vclerk_sibling", area=county.villages[1], title="隔壁村")
    login(client, county, "vclerk")

    def codes(query):
        html = client.get("/cases/", query).content.decode()
        return {c.code for c in (a, b, other) if c.code in html}

    assert codes({}) == {a.code, b.code}  # the sibling village is outside vclerk's scope
    assert codes({"q": "工资"}) == {b.code}
    assert codes({"q": "张三"}) == {a.code, b.code}
    assert codes({"q": a.code}) == {a.code}
    assert codes({"channel": "hotline"}) == {b.code}
    assert codes({"category": "02"}) == {a.code}
    assert codes({"category": "0501"}) == {b.code}
    assert codes({"status": "accepted"}) == set()
    assert codes({"area": county.villages[0].pk}) == {a.code, b.code}
    assert codes({"date_from": local_day(1)}) == set()
    assert codes({"date_to": local_day()}) == {a.code, b.code}


def test_list_masks_phones_and_serves_a_partial_to_htmx(client, county):
    case = new_case(county)
    login(client, county, "vclerk")
    html = client.get("/cases/").content.decode()
    assert "138****8000" in html and "13800138000" not in html
    partial = client.get("/cases/", {"q": "排水"}, headers={"HX-Request": "true"}).content.decode()
    assert case.code in partial and "<html" not in partial


def test_intake_success(client, county, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    login(client, county, "grid")
    photo = io.BytesIO()
    Image.new("RGB", (40, 30)).save(photo, "JPEG")
    data = intake_data(county, attachments=SimpleUploadedFile("现场照片.jpg", photo.getvalue()))
    response = client.post("/cases/new/", data, follow=True)
    case = Case.objects.get()
    assert response.redirect_chain[-1][0] == f"/cases/{case.code}/"
    html = response.content.decode()
    assert f"案件已登记，编号 {case.code}" in html
    assert case.title == "宅基地边界纠纷" and case.channel == "grid_app"
    assert case.category.code == "0201" and case.people_involved == 2
    assert [p.name for p in case.parties.all()] == ["王五"]  # the empty second row is ignored
    assert [m.name for m in case.missing_materials.all()] == ["户口本复印件", "房产证明"]
    assert case.attachments.get().name == "现场照片.jpg"
    assert case.reporter == county.users["grid"]


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"parties-0-id_number": "110105194912310021"}, "校验码"),
        ({"parties-0-phone": "12345678"}, "手机号"),
        ({"parties-0-ethnicity": "99"}, "不在可用的选项中"),
        ({"title": ""}, "请填写纠纷的简要标题"),
        ({"parties-0-name": ""}, "请填写当事人姓名"),
        ({"area_code": "430121100202001"}, "不在可用的选项中"),  # the sibling village
    ],
)
def test_intake_errors_save_nothing_and_keep_input(client, county, overrides, expected):
    login(client, county, "grid")
    response = client.post("/cases/new/", intake_data(county, **overrides))
    html = response.content.decode()
    assert response.status_code == 200
    assert expected in html
    assert 'class="errorlist' in html
    assert Case.objects.count() == 0
    assert "两户因院墙位置发生争执。" in html  # the user's input is kept


def test_intake_offers_only_areas_of_the_user(client, county):
    html = login(client, county, "grid").get("/cases/new/").content.decode()
    assert county.grids[0].code in html and county.grids[1].code not in html


def test_duplicate_hint(client, county):
    case = new_case(county)
    login(client, county, "vclerk")
    url = reverse("cases:duplicates")
    html = client.post(url, {"parties-0-id_number": VALID_ID.lower()}).content.decode()
    assert case.code in html and f"/cases/{case.code}/" in html
    html = client.post(url, {"parties-3-phone": "139 0013 9000"}).content.decode()
    assert case.code in html
    assert client.post(url, {"parties-0-phone": "13600136000"}).content.decode().strip() == ""
    # Someone who cannot see the case is not told about it.
    login(client, county, "vclerk_sibling")
    assert case.code not in client.post(url, {"parties-0-id_number": VALID_ID}).content.decode()


def test_case_page_masks_for_grid_workers_and_logs_full_reads(client, county):
    case = new_case(county, actor_key="grid")
    html = login(client, county, "grid").get(f"/cases/{case.code}/").content.decode()
    assert "1101**********002X" in html and VALID_ID not in html
    assert "138****8000" in html and "13800138000" not in html
    assert CaseAccessLog.objects.count() == 0

    html = login(client, county, "vclerk").get(f"/cases/{case.code}/").content.decode()
    assert VALID_ID in html and "13800138000" in html
    log = CaseAccessLog.objects.get()
    assert (log.case, log.user, log.channel) == (case, county.users["vclerk"], "web")
    assert "<svg" in html  # the QR code
    assert "邻里排水纠纷" in html and "已登记" in html


def test_transitions_through_the_page(client, county):
    case = new_case(county, category_code="")
    login(client, county, "vclerk")
    url = f"/cases/{case.code}/act/"
    # Accepting needs a category: refused in Chinese, nothing changes.
    response = client.post(url, {"action": "accept", "accept-note": ""})
    assert "受理前请选择纠纷类别" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.REGISTERED and case.timeline.count() == 1

    response = client.post(url, {"action": "accept", "accept-category_code": "0201"})
    assert response.status_code == 302
    response = client.post(url, {"action": "route", "route-unit_id": ""})
    assert "请选择承办单位" in response.content.decode()
    committee = county.units["committee"]
    response = client.post(url, {"action": "route", "route-unit_id": committee.pk}, follow=True)
    html = response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.ROUTED and case.owner_unit == committee
    assert "已分流" in html and "已完成：分流" in html
    assert f"{county.center(county.villages[0]).name} → {committee.name}" in html

    # The mediator takes it over; a note is required to resolve it.
    login(client, county, "mediator")
    client.post(url, {"action": "start"})
    response = client.post(url, {"action": "resolve", "resolve-note": ""})
    assert "此操作需要填写说明" in response.content.decode()
    client.post(url, {"action": "resolve", "resolve-note": "双方达成协议"})
    # 回访 is no longer an action beside 化解: a visit in the same minute is refused.
    assert client.post(url, {"action": "follow_up", "follow_up-note": "回访"}).status_code != 302
    party = case.parties.first()
    response = client.post(
        f"/followup/cases/{case.code}/visits/",
        {
            "visit-visited_at": NOW.astimezone(LOCAL_TZ).strftime("%Y-%m-%dT%H:%M"),
            "visit-visitee_kind": "party",
            "visit-party_id": party.pk,
            "visit-method": "home",
            "visit-findings": "回访无反复",
            "visit-satisfaction": "satisfied",
            "visit-rebound": "none",
        },
    )
    assert response.status_code == 422 and "回访应在结案" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.RESOLVED


def test_action_not_open_to_the_user_is_refused(client, county):
    case = new_case(county)
    login(client, county, "grid")
    html = client.get(f"/cases/{case.code}/").content.decode()
    assert 'value="accept"' not in html
    html = client.post(f"/cases/{case.code}/act/", {"action": "accept"}).content.decode()
    assert "您无权对此案件执行该操作" in html
    case.refresh_from_db()
    assert case.status == Status.REGISTERED


def test_missing_material_and_attachments(client, county, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = new_case(county, missing_materials=["身份证复印件"])
    login(client, county, "vclerk")
    material = MissingMaterial.objects.get()
    client.post(f"/cases/{case.code}/materials/{material.pk}/provided/")
    material.refresh_from_db()
    assert material.provided_at is not None

    f = SimpleUploadedFile("协议.pdf", b"%PDF-1.4", content_type="application/pdf")
    client.post(f"/cases/{case.code}/attachments/", {"file": f})
    att = case.attachments.get()
    response = client.get(f"/cases/{case.code}/attachments/{att.pk}/")
    assert b"".join(response.streaming_content) == b"%PDF-1.4"
    login(client, county, "vclerk_sibling")
    assert client.get(f"/cases/{case.code}/attachments/{att.pk}/").status_code == 404


def test_sibling_village_clerk_gets_404(client, county):
    case = new_case(county)
    login(client, county, "vclerk_sibling")
    assert client.get(f"/cases/{case.code}/").status_code == 404
    # Outside their scope, the QR code's link shows them the public page, as anyone.
    public = client.get(f"/c/{case.code}")
    assert public.status_code == 200 and "张三" not in public.content.decode()
    assert client.post(f"/cases/{case.code}/act/", {"action": "accept"}).status_code == 404
    assert case.code not in client.get("/cases/").content.decode()


def test_short_link_redirects_to_the_case_page(client, county):
    case = new_case(county)
    response = login(client, county, "tclerk").get(f"/c/{case.code}")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.code}/"


def test_intake_without_any_party_says_so(client, county):
    login(client, county, "grid")
    data = intake_data(
        county, **{"parties-0-name": "", "parties-0-id_number": "", "parties-0-phone": ""}
    )
    html = client.post("/cases/new/", data).content.decode()
    assert "请至少填写一名当事人" in html
    assert Case.objects.count() == 0


def test_list_ignores_an_invalid_filter_value_only(client, county):
    case = new_case(county)
    html = login(client, county, "vclerk").get("/cases/", {"date_from": "bad", "q": "排水"})
    assert case.code in html.content.decode()


def test_route_preselects_the_rules_proposal_and_wants_a_reason_to_override(client, county):
    from routing.models import RoutingRule

    committee, labour = county.units["committee"], county.units["labour"]
    RoutingRule.objects.create(
        name="邻里纠纷交人民调解",
        category=Category.objects.get(code="02"),
        triage_class="minor",
        target_unit=committee,
    )
    case = new_case(county)
    login(client, county, "vclerk")
    url = f"/cases/{case.code}/act/"
    client.post(url, {"action": "accept"})
    html = client.get(f"/cases/{case.code}/").content.decode()
    assert f'<input type="hidden" name="route-unit_id" value="{committee.pk}">' in html
    assert "邻里纠纷交人民调解" in html

    response = client.post(url, {"action": "route", "route-unit_id": labour.pk})
    assert "请说明不采用推荐单位的理由" in response.content.decode()
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED

    data = {"action": "route", "route-unit_id": labour.pk, "route-override_reason": "涉及欠薪"}
    html = client.post(url, data, follow=True).content.decode()
    case.refresh_from_db()
    assert case.owner_unit == labour and case.triage_class == "minor"
    assert "涉及欠薪" in html  # the reason is on the timeline


def test_the_reason_box_is_asked_only_against_a_proposal(client, county):
    """No routing rule matches: no proposal, so no box for a reason not to follow one."""
    case = new_case(county)
    login(client, county, "vclerk")
    client.post(f"/cases/{case.code}/act/", {"action": "accept"})
    html = client.get(f"/cases/{case.code}/").content.decode()
    assert 'data-picker="route-unit_id"' in html
    assert "route-override_reason" not in html and "data-proposed" not in html
    # A rule's proposal: the select names it and its reason box, which app.js shows only
    # once another unit is chosen.
    from routing.models import RoutingRule

    committee = county.units["committee"]
    RoutingRule.objects.create(
        name="邻里纠纷交人民调解",
        category=Category.objects.get(code="02"),
        triage_class="minor",
        target_unit=committee,
    )
    html = client.get(f"/cases/{case.code}/").content.decode()
    assert f'data-proposed="{committee.pk}"' in html
    assert 'data-reason="id_route-override_reason"' in html
    assert 'name="route-override_reason"' in html


def test_english_can_be_chosen(client, county):
    case = new_case(county)
    login(client, county, "vclerk")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(f"/cases/{case.code}/").content.decode()
    assert "Timeline" in html and "registered" in html
    assert "办理过程" not in html


def test_clerks_see_no_administration_links(client, county):
    html = login(client, county, "vclerk").get("/").content.decode()
    assert "/admin/" not in html and "/manage/" not in html


def test_intake_records_ethnic_group_and_occupation_shown_on_the_case_page(client, county):
    login(client, county, "grid")
    form = client.get("/cases/new/").content.decode()
    assert 'name="parties-0-ethnicity"' in form and "15 土家族" in form
    assert 'name="parties-0-occupation"' in form
    data = intake_data(county, **{"parties-0-ethnicity": "15", "parties-0-occupation": "养殖户"})
    response = client.post("/cases/new/", data, follow=True)
    party = Case.objects.get().parties.get()
    assert (party.ethnicity, party.occupation) == ("15", "养殖户")
    html = response.content.decode()
    assert "<th>民族</th><th>职业</th>" in html
    assert "土家族</td>" in html and "养殖户</td>" in html


def test_intake_refuses_an_unknown_ethnic_code_on_its_field(client, county):
    login(client, county, "grid")
    response = client.post("/cases/new/", intake_data(county, **{"parties-0-ethnicity": "57"}))
    assert response.status_code == 200 and not Case.objects.exists()
    assert "ethnicity" in response.context["formset"].forms[0].errors
