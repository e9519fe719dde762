"""The routing administration pages: rules, escalation policies and calendar corrections."""

import datetime

import pytest
from django.urls import reverse

from areas.models import Level, Role, UnitKind
from cases.models import Category, TriageClass
from cases.services import perform_transition
from clocks import calendar
from clocks.models import CalendarOverride, Clock, EscalationPolicy, PolicyArea
from clocks.policies import policy_for_area
from routing.models import RoutingRule
from routing.triage import propose
from tests.factories import NOW, new_case, user


@pytest.fixture
def admin_client(client, county):
    client.force_login(user("radmin", county.center(county.county), Role.ADMIN))
    return client


def rule_post(**overrides):
    data = {
        "name": "劳动争议归县人社局",
        "priority": "10",
        "is_active": "on",
        "triage_class": TriageClass.MAJOR,
        "area_code": "",
        "category": str(Category.objects.get(code="07").pk),
        "min_scale": "",
        "min_people": "",
        "min_amount": "",
        "target_unit": "",
        "target_kind": UnitKind.DEPARTMENT,
        "target_speciality": "labour",
        "target_level": str(Level.COUNTY),
        "subject_kind": "",
        "subject_speciality": "",
        "guidance": "",
    }
    data.update(overrides)
    return data


def steps_post(steps, name="县级时限制", **overrides):
    data = {
        "name": name,
        "description": "",
        "is_active": "on",
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for i, step in enumerate(steps):
        for key in ("level", "time_limit", "time_unit", "max_attempts", "note"):
            data[f"steps-{i}-{key}"] = str(step.get(key, ""))
    data.update(overrides)
    return data


MANAGE_URLS = [
    "routing:manage_rules",
    "routing:manage_rule_new",
    "routing:manage_policies",
    "routing:manage_policy_new",
    "routing:manage_calendar",
]


@pytest.mark.parametrize("name", MANAGE_URLS)
def test_only_administrators_see_the_pages(client, county, name):
    url = reverse(name)
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(county.users["cclerk"])
    # Like every /manage/ page, a clerk gets a 404: the page does not reveal itself.
    assert client.get(url).status_code == 404
    client.force_login(user("radmin", county.center(county.county), Role.ADMIN))
    assert client.get(url).status_code == 200


def test_clerk_cannot_write(client, county):
    client.force_login(county.users["cclerk"])
    r = client.post(reverse("routing:manage_rule_new"), rule_post())
    assert r.status_code == 404
    assert not RoutingRule.objects.exists()


def test_manage_nav_links_to_the_routing_pages(admin_client):
    body = admin_client.get(reverse("cases:categories")).content.decode()
    assert "分流规则" in body and "逐级上报规则" in body and "工作日历" in body


def test_admin_creates_a_rule_and_a_case_gets_its_proposal(admin_client, county):
    r = admin_client.post(reverse("routing:manage_rule_new"), rule_post())
    assert r.status_code == 302
    rule = RoutingRule.objects.get()
    case = new_case(county, category_code="0701")
    proposal = propose(case)
    assert proposal.rule == rule
    assert (proposal.triage_class, proposal.unit) == (TriageClass.MAJOR, county.units["labour"])

    body = admin_client.get(reverse("routing:manage_rules")).content.decode()
    assert "劳动争议归县人社局" in body
    assert "劳动争议" in body and "及其小类" in body  # the condition, in words
    assert "案件所在县（区）的职能部门" in body  # the target, in words

    # The read-only helper shows what propose() gives for an existing case.
    body = admin_client.get(reverse("routing:manage_rules"), {"case": case.code}).content.decode()
    assert "劳动争议归县人社局" in body and "县人社局" in body and "大事" in body
    assert RoutingRule.objects.count() == 1

    # Deactivated, the rule proposes nothing any more.
    admin_client.post(reverse("routing:manage_rule_active", args=[rule.pk]), {"active": "0"})
    assert propose(case).rule is None
    body = admin_client.get(reverse("routing:manage_rules"), {"case": case.code}).content.decode()
    assert "没有启用的规则与此案件匹配" in body


def test_rule_edit_and_fixed_unit(admin_client, county):
    admin_client.post(reverse("routing:manage_rule_new"), rule_post())
    rule = RoutingRule.objects.get()
    town_center = county.center(county.towns[0])
    r = admin_client.get(reverse("routing:manage_rule_edit", args=[rule.pk]))
    assert 'value="劳动争议归县人社局"' in r.content.decode()
    r = admin_client.post(
        reverse("routing:manage_rule_edit", args=[rule.pk]),
        rule_post(
            name="群体性劳动争议上镇",
            min_people="30",
            target_kind="",
            target_speciality="",
            target_level="",
            target_unit=str(town_center.pk),
        ),
    )
    assert r.status_code == 302
    assert propose(new_case(county, category_code="0701", people_involved=40)).unit == town_center
    assert propose(new_case(county, category_code="0701", people_involved=3)).rule is None
    assert "30 人及以上" in admin_client.get(reverse("routing:manage_rules")).content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"target_unit": "PLACEHOLDER"}, "固定承办单位和承办单位类型只能选一个"),
        ({"target_kind": "", "target_speciality": "", "target_level": ""}, "须指定承办单位"),
        (
            {
                "triage_class": TriageClass.PRIVATE,
                "target_kind": "",
                "target_level": "",
                "target_speciality": "",
            },
            "请填写私事的引导意见",
        ),
        ({"area_code": "999999999999"}, "不在可用的选项中"),  # the area picker refuses it
    ],
)
def test_invalid_rules_are_refused_in_chinese(admin_client, county, overrides, message):
    if overrides.get("target_unit") == "PLACEHOLDER":
        overrides["target_unit"] = str(county.units["labour"].pk)
    r = admin_client.post(reverse("routing:manage_rule_new"), rule_post(**overrides))
    assert r.status_code == 200
    assert message in r.content.decode()
    assert not RoutingRule.objects.exists()


def test_policy_with_steps_is_created_and_assigned(admin_client, county):
    r = admin_client.post(
        reverse("routing:manage_policy_new"),
        steps_post(
            [
                {"level": Level.GRID, "time_limit": 3, "time_unit": "calendar_days"},
                {"level": Level.VILLAGE, "time_limit": 24, "time_unit": "hours"},
                {
                    "level": Level.TOWN,
                    "time_limit": 5,
                    "time_unit": "working_days",
                    "max_attempts": 2,
                },
                {},  # a blank row is ignored
            ]
        ),
    )
    assert r.status_code == 302
    policy = EscalationPolicy.objects.get(name="县级时限制")
    assert [(s.order, s.level, s.time_unit, s.max_attempts) for s in policy.steps.all()] == [
        (1, Level.GRID, "calendar_days", None),
        (2, Level.VILLAGE, "hours", None),
        (3, Level.TOWN, "working_days", 2),
    ]

    r = admin_client.post(
        reverse("routing:manage_policy_assign", args=[policy.pk]), {"area_code": county.county.code}
    )
    assert r.status_code == 302
    assert policy_for_area(county.villages[0]) == policy
    assert policy_for_area(county.grids[3]) == policy

    # A town gets its own policy (picked by name); its villages follow it.
    liuzhou = EscalationPolicy.objects.get(name="柳州321工作法")
    admin_client.post(
        reverse("routing:manage_policy_assign", args=[liuzhou.pk]),
        {"area_code": county.towns[0].code},
    )
    assert policy_for_area(county.villages[0]) == liuzhou
    assert policy_for_area(county.villages[2]) == policy

    body = admin_client.get(reverse("routing:manage_policies")).content.decode()
    assert "长沙县" in body and "镇1" in body
    assert "网格: 3 自然日" in body and "乡镇（街道）: 5 工作日 或 2 次调解" in body

    assignment = PolicyArea.objects.get(area=county.towns[0])
    admin_client.post(reverse("routing:manage_policy_unassign", args=[assignment.pk]))
    assert policy_for_area(county.villages[0]) == policy


def test_assigning_to_an_area_with_a_policy_replaces_it(admin_client, county):
    wushan = EscalationPolicy.objects.get(name="巫山时限制")
    liuzhou = EscalationPolicy.objects.get(name="柳州321工作法")
    url = reverse("routing:manage_policy_assign", args=[wushan.pk])
    admin_client.post(url, {"area_code": county.county.code})
    r = admin_client.post(
        reverse("routing:manage_policy_assign", args=[liuzhou.pk]),
        {"area_code": county.county.code},
        follow=True,
    )
    assert "巫山时限制" in r.content.decode()  # the message names the replaced policy
    assert PolicyArea.objects.get(area=county.county).policy == liuzhou
    r = admin_client.post(url, {"area_code": "430121999999"})
    assert r.status_code == 200 and "不在可用的选项中" in r.content.decode()


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({"level": Level.VILLAGE}, "每一层级须设定时限或最多调解次数。"),
        ({"level": Level.VILLAGE, "time_limit": 24}, "时限须同时填写单位。"),
        ({"level": Level.VILLAGE, "time_unit": "hours", "max_attempts": 3}, "时限须同时填写单位。"),
        (
            {"level": Level.VILLAGE, "time_limit": "1.5", "time_unit": "working_days"},
            "以天计的时限须为整数天。",
        ),
        ({"level": Level.VILLAGE, "max_attempts": 0}, "至少为1次。"),
    ],
)
def test_invalid_step_shows_the_chinese_error_and_saves_nothing(admin_client, step, message):
    before = EscalationPolicy.objects.count()
    r = admin_client.post(
        reverse("routing:manage_policy_new"),
        steps_post([{"level": Level.GRID, "time_limit": 3, "time_unit": "calendar_days"}, step]),
    )
    assert r.status_code == 200
    assert message in r.content.decode()
    assert EscalationPolicy.objects.count() == before


def test_steps_must_go_from_the_lowest_level_up(admin_client):
    r = admin_client.post(
        reverse("routing:manage_policy_new"),
        steps_post(
            [
                {"level": Level.TOWN, "time_limit": 10, "time_unit": "calendar_days"},
                {"level": Level.VILLAGE, "time_limit": 24, "time_unit": "hours"},
            ]
        ),
    )
    assert r.status_code == 200
    assert "请按层级从低到高排列" in r.content.decode()
    assert not EscalationPolicy.objects.filter(name="县级时限制").exists()
    r = admin_client.post(reverse("routing:manage_policy_new"), steps_post([]))
    assert "至少需要一个层级" in r.content.decode()


def test_shipped_policies_are_visible_and_editable(admin_client):
    body = admin_client.get(reverse("routing:manage_policies")).content.decode()
    assert "巫山时限制" in body and "柳州321工作法" in body
    assert "村（社区）: 24 小时" in body and "村（社区）: 3 次调解" in body
    wushan = EscalationPolicy.objects.get(name="巫山时限制")
    url = reverse("routing:manage_policy_edit", args=[wushan.pk])
    body = admin_client.get(url).content.decode()
    assert 'name="steps-1-time_limit" value="24"' in body
    steps = list(wushan.steps.order_by("order"))
    data = steps_post(
        [
            {"level": s.level, "time_limit": s.time_limit, "time_unit": s.time_unit, "note": s.note}
            for s in steps
        ],
        name=wushan.name,
        description=wushan.description,
    )
    data["steps-INITIAL_FORMS"] = str(len(steps))
    data["steps-1-time_limit"] = "48"
    data["steps-2-DELETE"] = "on"  # drop the town step
    assert admin_client.post(url, data).status_code == 302
    assert [(s.level, s.time_limit, s.time_unit) for s in wushan.steps.order_by("order")] == [
        (Level.GRID, 3, "calendar_days"),
        (Level.VILLAGE, 48, "hours"),
    ]


def test_calendar_override_changes_is_workday(admin_client):
    friday = datetime.date(2026, 10, 9)
    assert calendar.is_workday(friday)
    url = reverse("routing:manage_calendar")
    r = admin_client.post(url, {"date": "2026-10-09", "is_workday": "0", "note": "县里补休"})
    assert r.status_code == 302
    assert not calendar.is_workday(friday)
    body = admin_client.get(url, {"year": 2026}).content.decode()
    assert "县里补休" in body and "已收录 2026 年" in body
    r = admin_client.get(url, {"year": 2026, "check": "2026-10-09"})
    assert "节假日或周末" in r.content.decode()

    override = CalendarOverride.objects.get(date=friday)
    admin_client.post(reverse("routing:manage_calendar_remove", args=[override.pk]))
    assert calendar.is_workday(friday)


def test_calendar_for_a_year_the_package_does_not_know(admin_client):
    url = reverse("routing:manage_calendar")
    body = admin_client.get(url, {"year": 2031}).content.decode()
    assert "尚未收录 2031 年" in body
    with pytest.raises(calendar.CalendarUnknown):
        calendar.is_workday(datetime.date(2031, 3, 3))
    admin_client.post(url, {"date": "2031-01-01", "is_workday": "0", "note": "元旦"})
    # Once the year has entries, its other dates follow Monday–Friday.
    assert calendar.is_workday(datetime.date(2031, 3, 3))
    assert not calendar.is_workday(datetime.date(2031, 1, 1))
    # Entering the same date again replaces the earlier correction.
    admin_client.post(url, {"date": "2031-01-01", "is_workday": "1", "note": "调休上班"})
    assert CalendarOverride.objects.get(date=datetime.date(2031, 1, 1)).is_workday


def test_a_policys_own_limits_set_every_case_clock_of_its_areas(admin_client, county):
    """Accept and resolve limits and the reminder point are data an administrator edits per
    policy; cases of areas without a policy keep the defaults (24 h, 30 days, 80 %)."""
    before = new_case(county, area=county.villages[0])
    accept = before.deadlines.get(clock=Clock.ACCEPT)
    assert accept.due_at - accept.started_at == datetime.timedelta(hours=24)
    assert accept.warn_at - accept.started_at == datetime.timedelta(hours=24 * 0.8)

    r = admin_client.post(
        reverse("routing:manage_policy_new"),
        steps_post(
            [{"level": Level.VILLAGE, "time_limit": 24, "time_unit": "hours"}],
            name="快办制",
            accept_hours="48",
            resolve_days="15",
            warn_percent="50",
        ),
    )
    assert r.status_code == 302
    policy = EscalationPolicy.objects.get(name="快办制")
    assert (policy.accept_hours, policy.resolve_days, policy.warn_percent) == (48, 15, 50)
    admin_client.post(
        reverse("routing:manage_policy_assign", args=[policy.pk]),
        {"area_code": county.towns[0].code},
    )
    case = new_case(county, area=county.villages[0])
    accept = case.deadlines.get(clock=Clock.ACCEPT)
    assert accept.due_at - accept.started_at == datetime.timedelta(hours=48)
    assert accept.warn_at - accept.started_at == datetime.timedelta(hours=24)
    case = perform_transition(case, "accept", county.users["vclerk"], NOW, category_code="02")
    resolve = case.deadlines.get(clock=Clock.RESOLVE)
    assert resolve.due_at - resolve.started_at == datetime.timedelta(days=15)
    # The page shows the values; an impossible one is refused with the field named.
    page = admin_client.get(reverse("routing:manage_policy_edit", args=[policy.pk]))
    assert 'name="resolve_days" value="15"' in page.content.decode()
    r = admin_client.post(
        reverse("routing:manage_policy_edit", args=[policy.pk]),
        steps_post(
            [{"level": Level.VILLAGE, "time_limit": 24, "time_unit": "hours"}],
            name="快办制",
            warn_percent="100",
        ),
    )
    assert r.status_code == 200 and "warn_percent" in r.context["form"].errors
    policy.refresh_from_db()
    assert policy.warn_percent == 50
