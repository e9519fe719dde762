"""An administrator keeps the mediators without the Django admin: a form per mediator and
an Excel roster; the proposals read what they save."""

import io

import pytest
from openpyxl import Workbook, load_workbook

from areas.models import Role
from cases.services import perform_transition
from mediation.models import Mediator, MediatorKind, Pool, PoolKind
from mediation.selectors import propose_mediators
from tests.factories import NOW, new_case, user


@pytest.fixture
def admin(client, county):
    client.force_login(user("madmin", county.center(county.county), Role.ADMIN))
    return client


def form_data(county, **overrides):
    return {
        "name": "赵调解",
        "kind": MediatorKind.PEOPLE,
        "profession": "",
        "unit": county.units["committee"].pk,
        "phone": "13800000001",
        "area_codes": county.villages[0].code,
        "specialities": [],
        "is_active": "on",
        **overrides,
    }


def test_a_mediator_added_on_the_form_is_proposed_for_a_case_of_their_area(admin, county):
    from cases.models import Category

    neighbours = Category.objects.get(code="02")
    r = admin.post("/mediation/manage/new/", form_data(county, specialities=[neighbours.pk]))
    assert r.status_code == 302
    m = Mediator.objects.get(name="赵调解")
    assert [a.code for a in m.areas.all()] == [county.villages[0].code]
    case = new_case(county)  # a neighbours' dispute in that village
    case = perform_transition(case, "accept", county.users["vclerk"], NOW)
    assert m in [c.mediator for c in propose_mediators(case)]
    # The list shows them; deactivating on the form takes them out of the proposals.
    assert "赵调解" in admin.get("/mediation/manage/").content.decode()
    data = form_data(county, specialities=[neighbours.pk])
    data.pop("is_active")
    assert admin.post(f"/mediation/manage/{m.pk}/", data).status_code == 302
    m.refresh_from_db()
    assert not m.is_active


def test_bad_input_is_shown_next_to_the_field_and_saves_nothing(admin, county):
    r = admin.post("/mediation/manage/new/", form_data(county, area_codes="999999999999"))
    assert r.status_code == 200 and "不在可用的选项中" in r.content.decode()
    r = admin.post("/mediation/manage/new/", form_data(county, phone="电话号码"))
    assert "errorlist" in r.content.decode()
    assert not Mediator.objects.exists()


def roster(*rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(
        ["姓名", "类型", "职业", "所属单位", "擅长纠纷类别代码", "服务区域代码", "所属库", "电话"]
    )
    for row in rows:
        sheet.append(list(row))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_a_roster_adds_good_rows_reports_bad_ones_and_updates_on_the_second_upload(admin, county):
    Pool.objects.create(name="县人民调解专家库", kind=PoolKind.EXPERT, area=county.county)
    village = county.villages[0].code
    content = roster(
        (
            "王律师",
            "专家",
            "律师",
            "",
            "07, 10",
            county.county.code,
            "县人民调解专家库",
            "13800000002",
        ),
        ("李调解", "人民调解员", "", "镇1村1人民调解委员会", "02", village, "", "13800000003"),
        ("", "人民调解员", "", "", "", village, "", ""),  # no name
        ("张三", "调解大师", "", "", "", "000000000000", "", ""),  # bad kind and area
    )
    upload = io.BytesIO(content)
    upload.name = "roster.xlsx"
    r = admin.post("/mediation/manage/import/", {"file": upload})
    html = r.content.decode()
    assert r.status_code == 422  # some rows were refused: the page lists them
    assert Mediator.objects.count() == 2
    lawyer = Mediator.objects.get(name="王律师")
    assert lawyer.kind == MediatorKind.EXPERT and lawyer.profession == "lawyer"
    assert [p.name for p in lawyer.pools.all()] == ["县人民调解专家库"]
    assert sorted(c.code for c in lawyer.specialities.all()) == ["07", "10"]
    assert "服务区域代码" in html and "000000000000" in html and "类型" in html
    # The same roster again: nobody twice.
    upload = io.BytesIO(content)
    upload.name = "roster.xlsx"
    admin.post("/mediation/manage/import/", {"file": upload})
    assert Mediator.objects.count() == 2


def test_the_empty_roster_and_the_pages_are_for_administrators(admin, client, county):
    r = admin.get("/mediation/manage/roster.xlsx")
    header = next(load_workbook(io.BytesIO(r.content)).worksheets[0].iter_rows(values_only=True))
    assert header[0] == "姓名" and "服务区域代码" in header
    client.force_login(county.users["vclerk"])
    for url in ("/mediation/manage/", "/mediation/manage/new/", "/mediation/manage/import/"):
        assert client.get(url).status_code == 404
