"""The risk administration pages: grade rules, response plans, risk tags and 研判 schedules,
edited by an administrator within their area scope; bad input is a Chinese error and saves
nothing; everyone else gets a 404."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from areas.models import Role
from clocks.models import Clock, Deadline
from risk import services
from risk.defaults import create_plans
from risk.models import Grade, MeetingSchedule, RiskPlan, RiskRule, RiskTag
from tests.factories import NOW, new_case, user


@pytest.fixture(scope="module", autouse=True)
def chinese_catalog():
    call_command("compile_translations", verbosity=0)
    translation.trans_real._translations = {}
    translation.trans_real._default = None


@pytest.fixture
def town_admin(client, county):
    """An administrator of the first town: its rules and centers only."""
    client.force_login(user("tadmin", county.center(county.towns[0]), Role.ADMIN))
    return client


def rule_post(**overrides):
    data = {
        "name": "涉及5人以上",
        "kind": "people",
        "grade": "orange",
        "threshold": "5",
        "words": "",
        "category_code": "",
        "area_code": "",
        "is_active": "on",
    }
    data.update(overrides)
    return data


PAGES = [
    "risk:manage",
    "risk:manage_rules",
    "risk:manage_rule_new",
    "risk:manage_plans",
    "risk:manage_tags",
    "risk:manage_schedules",
    "risk:manage_schedule_new",
]


@pytest.mark.parametrize("name", PAGES)
def test_only_administrators_see_the_pages(client, county, name):
    client.force_login(county.users["tclerk"])
    assert client.get(reverse(name)).status_code == 404
    client.force_login(user("cadmin", county.center(county.county), Role.ADMIN))
    assert client.get(reverse(name)).status_code == 200


def test_manage_nav_links_to_the_risk_pages(town_admin):
    body = town_admin.get(reverse("routing:manage")).content.decode()
    assert reverse("risk:manage") in body
    body = town_admin.get(reverse("risk:manage")).content.decode()
    for name in ("risk:manage_rules", "risk:manage_plans", "risk:manage_tags"):
        assert reverse(name) in body


def test_a_town_rule_grades_the_town_s_cases_only(town_admin, county):
    r = town_admin.post(reverse("risk:manage_rule_new"), rule_post(area_code=county.towns[0].code))
    assert r.status_code == 302, r.content.decode()
    rule = RiskRule.objects.get()
    assert rule.area == county.towns[0]
    assert services.grade_of(new_case(county, people_involved=6)) == Grade.ORANGE
    other = new_case(county, "cclerk", area=county.grids[2], people_involved=6)
    assert services.grade_of(other) == Grade.NONE
    assert "涉及5人以上" in town_admin.get(reverse("risk:manage_rules")).content.decode()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"threshold": ""}, "此类规则需要填写阈值"),
        ({"kind": "threat", "threshold": ""}, "请至少填写一个词"),
        ({"kind": "category", "category_code": "88"}, "没有此代码的纠纷类别"),
        ({"name": ""}, "请填写名称"),
    ],
)
def test_bad_rule_is_a_chinese_error_and_saves_nothing(town_admin, overrides, expected):
    r = town_admin.post(reverse("risk:manage_rule_new"), rule_post(**overrides))
    assert r.status_code == 200
    assert expected in r.content.decode()
    assert not RiskRule.objects.exists()


def test_another_town_s_rule_is_a_404_and_its_area_is_refused(town_admin, county):
    theirs = RiskRule.objects.create(
        name="镇2规则", kind="people", grade="red", threshold=3, area=county.towns[1]
    )
    assert town_admin.get(reverse("risk:manage_rule_edit", args=[theirs.pk])).status_code == 404
    r = town_admin.post(reverse("risk:manage_rule_active", args=[theirs.pk]), {"active": "0"})
    assert r.status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active
    assert "镇2规则" not in town_admin.get(reverse("risk:manage_rules")).content.decode()
    r = town_admin.post(reverse("risk:manage_rule_new"), rule_post(area_code=county.towns[1].code))
    assert r.status_code == 200 and 'class="errorlist' in r.content.decode()
    assert RiskRule.objects.count() == 1


def test_deactivating_a_rule(town_admin, county):
    rule = RiskRule.objects.create(name="全县", kind="people", grade="red", threshold=2)
    town_admin.post(reverse("risk:manage_rule_active", args=[rule.pk]), {"active": "0"})
    rule.refresh_from_db()
    assert not rule.is_active
    assert services.grade_of(new_case(county, people_involved=6)) == Grade.NONE


def test_the_red_plan_edited_opens_its_new_limits(town_admin, county):
    create_plans(RiskPlan)
    r = town_admin.post(
        reverse("risk:manage_plan_edit", args=["red"]),
        {
            "notify_levels_up": "1",
            "report_hours": "2",
            "handle_hours": "12",
            "handle_label": "包案",
            "measures": "立即上报\n\n领导包案",
        },
    )
    assert r.status_code == 302
    plan = RiskPlan.objects.get(grade="red")
    assert (plan.report_hours, plan.handle_hours, plan.measure_list()) == (
        2,
        12,
        ["立即上报", "领导包案"],
    )
    case = new_case(county)
    services.set_grade(case, county.users["vclerk"], Grade.RED, "扬言报复", NOW)
    handle = Deadline.objects.get(case=case, clock=Clock.RISK_HANDLE)
    assert handle.due_at == NOW + (handle.due_at - NOW)  # opened
    assert (handle.due_at - NOW).total_seconds() == 12 * 3600
    page = town_admin.get(reverse("risk:manage_plans")).content.decode()
    assert "领导包案" in page


def test_a_plan_without_measures_or_limits_is_refused(town_admin):
    create_plans(RiskPlan)
    before = RiskPlan.objects.get(grade="orange").measures
    r = town_admin.post(
        reverse("risk:manage_plan_edit", args=["orange"]),
        {"notify_levels_up": "1", "report_hours": "", "handle_hours": "", "measures": ""},
    )
    html = r.content.decode()
    assert r.status_code == 200
    assert "请至少列出一项措施" in html and "请至少填写一个时限" in html
    assert RiskPlan.objects.get(grade="orange").measures == before
    assert town_admin.get(reverse("risk:manage_plan_edit", args=["purple"])).status_code == 404


def test_tags_are_added_renamed_and_deactivated(town_admin):
    r = town_admin.post(reverse("risk:manage_tags"), {"new-name": "涉稳"})
    assert r.status_code == 302
    tag = RiskTag.objects.get(name="涉稳")
    r = town_admin.post(reverse("risk:manage_tags"), {"new-name": "涉稳"})
    assert r.status_code == 422 and "该标签已存在" in r.content.decode()
    assert RiskTag.objects.filter(name="涉稳").count() == 1
    r = town_admin.post(reverse("risk:manage_tag_edit", args=[tag.pk]), {"name": "涉稳人员"})
    assert r.status_code == 302
    tag.refresh_from_db()
    assert (tag.name, tag.is_active) == ("涉稳人员", False)


def test_schedules_within_the_admin_s_scope(town_admin, county):
    own = county.center(county.villages[0])
    r = town_admin.post(
        reverse("risk:manage_schedule_new"),
        {"center": str(own.pk), "name": "村研判会", "weekdays": "3，5", "is_active": "on"},
    )
    assert r.status_code == 302
    schedule = MeetingSchedule.objects.get()
    assert (schedule.center, schedule.weekdays) == (own, "3,5")
    assert "周三、周五" in town_admin.get(reverse("risk:manage_schedules")).content.decode()
    # A weekday 8 is refused; another town's center is not offered.
    r = town_admin.post(
        reverse("risk:manage_schedule_edit", args=[schedule.pk]),
        {"center": str(own.pk), "name": "村研判会", "weekdays": "8", "is_active": "on"},
    )
    assert r.status_code == 200 and "1（周一）至 7（周日）" in r.content.decode()
    schedule.refresh_from_db()
    assert schedule.weekdays == "3,5"
    theirs = county.center(county.towns[1])
    r = town_admin.post(
        reverse("risk:manage_schedule_new"),
        {"center": str(theirs.pk), "name": "镇2研判", "weekdays": "1", "is_active": "on"},
    )
    assert r.status_code == 200
    assert MeetingSchedule.objects.count() == 1
    other = MeetingSchedule.objects.create(center=theirs, name="镇2研判", weekdays="1")
    url = reverse("risk:manage_schedule_edit", args=[other.pk])
    assert town_admin.get(url).status_code == 404
    assert (
        town_admin.post(url, {"center": str(theirs.pk), "name": "x", "weekdays": "2"}).status_code
        == 404
    )
    other.refresh_from_db()
    assert other.weekdays == "1"
