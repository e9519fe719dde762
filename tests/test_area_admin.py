"""The administration pages under /manage/ and the services behind them."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from areas.models import Area, Level, Membership, Role, Unit, UnitKind
from areas.services import (
    SYSTEM,
    AdminError,
    AreaInput,
    UnitInput,
    check_area_code,
    create_staff,
    import_areas,
    parent_code_of,
    save_area,
    save_unit,
    set_user_active,
)
from cases.models import Category, MojCategory


@pytest.fixture
def admin_client(client, county):
    admin = get_user_model().objects.create(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    ("code", "level", "ok"),
    [
        ("430121000000", Level.COUNTY, True),
        ("430121001000", Level.COUNTY, False),  # a county ends in 000000
        ("430100000000", Level.COUNTY, False),  # county digits all zero
        ("43012100000", Level.COUNTY, False),  # 11 digits
        ("430121100000", Level.TOWN, True),
        ("430121100201", Level.TOWN, False),  # a town ends in 000
        ("430121100201", Level.VILLAGE, True),
        ("430121100000", Level.VILLAGE, False),  # village digits all zero
        ("430121100201001", Level.GRID, True),
        ("430121100201000", Level.GRID, False),
        ("4301211002010", Level.GRID, False),
        ("43012110020A", Level.VILLAGE, False),
    ],
)
def test_check_area_code(code, level, ok):
    assert (check_area_code(code, level) is None) == ok


def test_parent_code_is_derived_from_the_code():
    assert parent_code_of("430121100201001", Level.GRID) == "430121100201"
    assert parent_code_of("430121100201", Level.VILLAGE) == "430121100000"
    assert parent_code_of("430121100000", Level.TOWN) == "430121000000"
    assert parent_code_of("430121000000", Level.COUNTY) == "430100000000"


@pytest.mark.parametrize(
    "url",
    [
        "/manage/",
        "/manage/areas/",
        "/manage/areas/new/",
        "/manage/areas/import/",
        "/manage/units/",
        "/manage/units/new/",
        "/manage/staff/",
        "/manage/staff/new/",
        "/manage/categories/",
    ],
)
def test_only_administrators_see_the_pages(client, county, url):
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(county.users["cclerk"])
    assert client.get(url).status_code == 404
    admin = county.users["cclerk"]
    Membership.objects.create(user=admin, unit=county.center(county.county), role=Role.ADMIN)
    client.force_login(admin)  # a fresh request, so the scope is computed again
    assert client.get(url, follow=True).status_code == 200


def test_tree_detail_and_expand(admin_client, county):
    r = admin_client.get("/manage/areas/")
    assert "长沙县" in r.content.decode()
    r = admin_client.get(reverse("areas:area_children", args=[county.county.pk]))
    assert "镇1" in r.content.decode() and "430121100000" in r.content.decode()
    r = admin_client.get(reverse("areas:area_detail", args=[county.villages[0].pk]))
    body = r.content.decode()
    assert "镇1村1综治中心" in body and "镇1村1一网格" in body
    r = admin_client.get("/manage/areas/?q=430121101")
    assert "镇2" in r.content.decode()


def test_add_area_checks_code_level_and_parent(admin_client, county):
    post = lambda **kw: admin_client.post(  # noqa: E731
        "/manage/areas/new/",
        {"name": "新村", "population": 1200, "parent_code": "", **kw},
    )
    r = post(code="430121100203", level=Level.VILLAGE)
    assert r.status_code == 302
    village = Area.objects.get(code="430121100203")
    assert village.parent == county.towns[0] and village.is_within(county.county)

    r = post(code="430121100203001", level=Level.GRID)
    assert Area.objects.get(code="430121100203001").parent == village

    for data, field in [
        ({"code": "430121100000", "level": Level.VILLAGE}, "code"),  # village digits zero
        ({"code": "430121109000", "level": Level.TOWN}, None),  # fine (new town)
        ({"code": "430121199201", "level": Level.VILLAGE}, "parent_code"),  # no such town
        (
            {"code": "430121100204", "level": Level.VILLAGE, "parent_code": "430121000000"},
            "parent_code",  # county is two levels above a village
        ),
        (
            {"code": "430121100205", "level": Level.VILLAGE, "parent_code": "430121101000"},
            "parent_code",  # code does not begin with the parent's
        ),
        ({"code": "430121100201", "level": Level.VILLAGE}, "code"),  # exists already
    ]:
        r = post(**data)
        if field is None:
            assert r.status_code == 302
        else:
            assert r.status_code == 200, data
            assert field in r.context["form"].errors, (data, r.context["form"].errors)


def test_edit_area(admin_client, county):
    village = county.villages[0]
    url = reverse("areas:area_edit", args=[village.pk])
    r = admin_client.post(
        url, {"code": village.code, "name": "红旗村", "level": Level.VILLAGE, "population": 4100}
    )
    assert r.status_code == 302
    village.refresh_from_db()
    assert (village.name, village.population) == ("红旗村", 4100)
    # An area with grids below it keeps its code.
    r = admin_client.post(
        url, {"code": "430121100209", "name": "红旗村", "level": Level.VILLAGE, "population": 1}
    )
    assert "code" in r.context["form"].errors


def test_services_refuse_non_administrators(county):
    with pytest.raises(AdminError):
        save_area(county.users["cclerk"], AreaInput("430121100209", "x", Level.VILLAGE))


def test_services_refuse_a_missing_actor_and_serve_the_system_when_named(county):
    village = AreaInput("430121100209", "红旗村", Level.VILLAGE)
    refusals = [
        lambda: save_area(None, village),
        lambda: save_unit(None, UnitInput("县住建局", UnitKind.DEPARTMENT, county.county.code)),
        lambda: create_staff(None, "newclerk", "新职员", "a-long-password"),
        lambda: import_areas(None, "areas.csv", b"code,name,level\n430121100209,x,village\n"),
        lambda: set_user_active(None, county.users["vclerk"], False),
    ]
    for refused in refusals:
        with pytest.raises(AdminError):
            refused()
    assert not Area.objects.filter(code=village.code).exists()
    assert not Unit.objects.filter(name="县住建局").exists()
    assert not get_user_model().objects.filter(username="newclerk").exists()
    county.users["vclerk"].refresh_from_db()
    assert county.users["vclerk"].is_active

    # A command or the demo builder says it acts as the system.
    assert save_area(SYSTEM, village).parent == county.towns[0]
    staff = create_staff(
        SYSTEM,
        "newclerk",
        "新职员",
        "a-long-password",
        unit=county.center(county.towns[0]),
        role=Role.CLERK,
    )
    assert Membership.objects.filter(user=staff, role=Role.CLERK).exists()
    assert not set_user_active(SYSTEM, staff, False).is_active


def test_units_add_edit_deactivate(admin_client, county):
    r = admin_client.post(
        "/manage/units/new/",
        {
            "name": "县住建局",
            "kind": UnitKind.DEPARTMENT,
            "area_code": county.county.code,
            "speciality": "housing",
            "phone": "0731-84567890",
        },
    )
    unit = Unit.objects.get(name="县住建局")
    assert r.status_code == 302 and unit.area == county.county and unit.is_active
    r = admin_client.post(
        reverse("areas:unit_edit", args=[unit.pk]),
        {"name": "县住房和城乡建设局", "kind": UnitKind.DEPARTMENT, "area_code": "nope"},
    )
    assert "area_code" in r.context["form"].errors
    admin_client.post(reverse("areas:unit_active", args=[unit.pk]), {"active": "0"})
    unit.refresh_from_db()
    assert not unit.is_active
    r = admin_client.get(reverse("areas:unit_edit", args=[unit.pk]))
    assert r.status_code == 200


def test_staff_create_memberships_and_deactivate(admin_client, county):
    village = county.villages[0]
    r = admin_client.post(
        "/manage/staff/new/",
        {
            "username": "wang.grid",
            "full_name": "王网格",
            "password": "a-long-password",
            "phone": "13912345678",
            "unit": county.center(village).pk,
            "role": Role.GRID_WORKER,
            "area": county.grids[0].pk,
        },
    )
    assert r.status_code == 302
    user = get_user_model().objects.get(username="wang.grid")
    m = user.memberships.get()
    assert (m.role, m.area, m.phone) == (Role.GRID_WORKER, county.grids[0], "13912345678")

    # A grid outside the unit's area is refused and no account is left behind.
    r = admin_client.post(
        "/manage/staff/new/",
        {
            "username": "li.grid",
            "full_name": "李网格",
            "password": "a-long-password",
            "unit": county.center(village).pk,
            "role": Role.GRID_WORKER,
            "area": county.grids[2].pk,
        },
    )
    assert "area" in r.context["form"].errors
    assert not get_user_model().objects.filter(username="li.grid").exists()

    detail = reverse("areas:staff_detail", args=[user.pk])
    admin_client.post(
        detail, {"form": "membership", "unit": county.units["committee"].pk, "role": Role.MEDIATOR}
    )
    assert user.memberships.count() == 2
    assert user.memberships.get(role=Role.MEDIATOR).phone == "13912345678"
    r = admin_client.post(detail, {"form": "edit", "full_name": "王二", "phone": "123"})
    assert "phone" in r.context["edit_form"].errors
    admin_client.post(detail, {"form": "edit", "full_name": "王二", "phone": "13800001111"})
    assert set(user.memberships.values_list("phone", flat=True)) == {"13800001111"}
    admin_client.post(reverse("areas:membership_remove", args=[m.pk]))
    assert list(user.memberships.values_list("role", flat=True)) == [Role.MEDIATOR]

    staff_client = Client()
    assert staff_client.login(username="wang.grid", password="a-long-password")
    admin_client.post(reverse("areas:staff_active", args=[user.pk]), {"active": "0"})
    assert not Client().login(username="wang.grid", password="a-long-password")
    assert "王二" in admin_client.get("/manage/staff/?q=wang").content.decode()


def test_categories_add_rename_remap_deactivate(admin_client):
    labour = Category.objects.get(code="07")
    r = admin_client.post(
        "/manage/categories/", {"major": labour.pk, "code": "0799", "name": "其他劳动争议"}
    )
    assert r.status_code == 302
    minor = Category.objects.get(code="0799")
    assert minor.parent == labour and minor.moj_category == labour.moj_category
    for code in ("0899", "07", "0701"):  # wrong major, too short, taken
        r = admin_client.post(
            "/manage/categories/", {"major": labour.pk, "code": code, "name": "x"}
        )
        assert "code" in r.context["form"].errors, code

    other = MojCategory.objects.get(code="99")
    admin_client.post(
        reverse("cases:category_edit", args=[minor.pk]),
        {"name": "劳动争议（其他）", "moj_category": other.pk},  # is_active unticked
    )
    minor.refresh_from_db()
    assert (minor.name, minor.moj_category, minor.is_active) == ("劳动争议（其他）", other, False)
    assert "劳动争议（其他）" in admin_client.get("/manage/categories/").content.decode()
