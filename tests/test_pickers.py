"""The searchable pickers' endpoint (/pick/<source>/): only rows in the user's scope, grouped
and paged; a context the user may not see is a 404; a form refuses an id posted from outside."""

import re

import pytest
from django.core.management import call_command
from django.utils import translation

from areas.models import Area, Level, Role, Unit, UnitKind
from cases.services import perform_transition
from cases.workflow import Status
from jiefen.pickers import PAGE_SIZE
from mediation.models import Mediator, MediatorKind
from tests.factories import NOW, new_case, user


@pytest.fixture(scope="module", autouse=True)
def chinese_catalog():
    call_command("compile_translations", verbosity=0)
    translation.trans_real._translations = {}
    translation.trans_real._default = None


def pick(client, county, who, source, **params):
    client.force_login(county.users[who])
    return client.get(f"/pick/{source}/", params)


def options(response) -> list[str]:
    """The labels of the results, in order."""
    html = response.content.decode()
    return [label.strip() for label in re.findall(r'class="picker-option"[^>]*>([^<]*)<', html)]


def test_areas_are_those_of_the_users_scope(client, county):
    found = options(pick(client, county, "vclerk", "area", q="镇1村"))
    assert found == ["镇1村1（430121100201）", "镇1村1一网格（430121100201001）"]
    # The sibling village's grid, asked for by name or by code: never returned.
    assert options(pick(client, county, "vclerk", "area", q="镇1村2")) == []
    assert options(pick(client, county, "vclerk", "area", q=county.grids[1].code)) == []
    # The town clerk sees both villages of the town, not the other town's.
    found = options(pick(client, county, "tclerk", "area", q="村"))
    assert len(found) == 4 and all(label.startswith("镇1") for label in found)
    # A unit without territory (a department) has no areas to pick from.
    assert options(pick(client, county, "handler", "area")) == []


def test_results_are_grouped_and_paged(client, county):
    for i in range(PAGE_SIZE + 5):
        Area.objects.create(
            code=f"430121100201{100 + i:03d}",
            name=f"测试网格{i:02d}",
            level=Level.GRID,
            parent=county.villages[0],
        )
    first = pick(client, county, "vclerk", "area", q="测试网格")
    html = first.content.decode()
    assert len(options(first)) == PAGE_SIZE
    assert "网格" in re.findall(r'class="picker-group-label">([^<]*)<', html)
    more = re.search(r'class="picker-more[^"]*" hx-get="([^"]+)"', html).group(1)
    second = client.get(more.replace("&amp;", "&"))
    assert len(options(second)) == 5 and "picker-more" not in second.content.decode()


def test_route_units_follow_the_case_and_group_by_kind(client, county):
    case = new_case(county)
    perform_transition(case, "accept", county.users["vclerk"], NOW)
    r = pick(client, county, "vclerk", "route-unit", case=case.code)
    groups = re.findall(r'class="picker-group-label">([^<]*)<', r.content.decode())
    assert groups == ["综治中心", "职能部门", "调解委员会", "法院、检察院和公安"]
    labels = options(r)
    assert "县人社局（长沙县）" in labels
    assert not any(label.startswith("镇1村2") or label.startswith("镇2") for label in labels)
    # Someone who cannot see the case is not told it exists.
    assert pick(client, county, "vclerk_sibling", "route-unit", case=case.code).status_code == 404
    assert pick(client, county, "vclerk", "route-unit", case="nope").status_code == 404


def test_whistle_units_only_for_a_center_that_may_summon(client, county):
    case = new_case(county, actor_key="tclerk", area=county.towns[0])
    perform_transition(case, "accept", county.users["tclerk"], NOW)
    labels = options(pick(client, county, "tclerk", "whistle-unit", case=case.code))
    assert "县人社局（长沙县）" in labels
    assert not any("综治中心" in label for label in labels)  # centers are not summoned
    # The village clerk sees the case but may not blow the whistle; the other town sees nothing.
    village_case = new_case(county)
    assert pick(client, county, "vclerk", "whistle-unit", case=village_case.code).status_code == 404
    assert pick(client, county, "tclerk_other", "whistle-unit", case=case.code).status_code == 404


def test_mediators_serving_the_case_area_only(client, county):
    near = Mediator.objects.create(name="王调解", kind=MediatorKind.PEOPLE)
    near.areas.set([county.villages[0]])
    far = Mediator.objects.create(name="王远方", kind=MediatorKind.PEOPLE)
    far.areas.set([county.villages[3]])
    case = new_case(county)
    labels = options(pick(client, county, "vclerk", "case-mediator", case=case.code, q="王"))
    assert labels == ["王调解 · 人民调解员 · —"]
    assert (
        pick(client, county, "vclerk_sibling", "case-mediator", case=case.code).status_code == 404
    )


def test_unknown_sources_admin_sources_and_strangers(client, county):
    assert pick(client, county, "vclerk", "nope").status_code == 404
    assert pick(client, county, "vclerk", "admin-area").status_code == 404
    assert pick(client, county, "vclerk", "admin-unit").status_code == 404
    assert pick(client, county, "vclerk", "admin-mediating-unit").status_code == 404
    client.logout()
    r = client.get("/pick/area/", {"q": "镇"})
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_an_out_of_scope_id_posted_anyway_is_refused(client, county):
    # Route: another town's center is not a unit this village case can go to.
    case = new_case(county)
    client.force_login(county.users["vclerk"])
    url = f"/cases/{case.code}/act/"
    client.post(url, {"action": "accept"})
    other = county.center(county.villages[3])
    r = client.post(url, {"action": "route", "route-unit_id": other.pk})
    assert "不在可用的选项中" in r.content.decode()
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED

    # 吹哨: a governance center is not summoned, even when its id is posted.
    town_case = new_case(county, actor_key="tclerk", area=county.towns[0])
    perform_transition(town_case, "accept", county.users["tclerk"], NOW)
    client.force_login(county.users["tclerk"])
    r = client.post(
        f"/routing/cases/{town_case.code}/whistle/",
        {
            "whistle-units": [county.centers[county.county.code].pk],
            "whistle-reason": "欠薪",
            "whistle-report_hours": "24",
        },
        follow=True,
    )
    assert "不在可用的选项中" in r.content.decode()
    assert not town_case.whistles.exists()

    # The case list's area filter ignores an area outside the scope (and lists nothing of it).
    client.force_login(county.users["vclerk"])
    r = client.get("/cases/", {"area": county.villages[1].pk})
    assert r.context["form"].errors.get("area")


def test_the_staff_form_picks_a_grid_by_name(admin_client, county):
    html = admin_client.get("/manage/staff/new/").content.decode()
    assert "姓名" in html and 'data-picker="area"' in html and "area_code" not in html
    r = admin_client.get("/pick/admin-area/", {"q": "镇2村2一"})
    assert options(r) == ["镇2村2一网格（430121101202001）"]
    r = admin_client.get("/pick/admin-unit/", {"q": "人社"})
    assert options(r) == ["县人社局（长沙县）"]
    assert Unit.objects.filter(kind=UnitKind.DEPARTMENT).exists()


def test_an_administrator_picks_within_their_own_county(client, county):
    """An administrator of one county (not a superuser) never sees another county's rows."""
    other = Area.objects.create(code="430122000000", name="邻县", level=Level.COUNTY)
    Area.objects.create(code="430122100000", name="邻县镇1", level=Level.TOWN, parent=other)
    Unit.objects.create(name="邻县人社局", kind=UnitKind.DEPARTMENT, area=other)
    client.force_login(user("county_admin", county.center(county.county), Role.ADMIN))
    assert options(client.get("/pick/admin-area-code/", {"q": "镇1"})) == [
        "镇1（430121100000）",
        "镇1村1（430121100201）",
        "镇1村2（430121100202）",
        "镇1村1一网格（430121100201001）",
        "镇1村2一网格（430121100202001）",
    ]
    assert options(client.get("/pick/admin-unit/", {"q": "人社局"})) == ["县人社局（长沙县）"]
    # Posting the other county's area on a form is refused all the same.
    r = client.post(
        "/manage/units/new/",
        {"name": "县信访局", "kind": UnitKind.DEPARTMENT, "area_code": "430122000000"},
    )
    assert "不在可用的选项中" in r.content.decode()
    assert not Unit.objects.filter(name="县信访局").exists()
