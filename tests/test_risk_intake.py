"""The risk grade at intake: the clerk's grade overrides the rules, in the registration's
transaction; a grade without a reason is a Chinese error and nothing is written."""

import pytest
from django.core.management import call_command
from django.utils import translation

from cases.errors import InvalidInput, NotAllowed
from cases.models import Case, TimelineEvent
from clocks.models import Clock, Deadline, DeadlineState
from risk.defaults import create_plans
from risk.models import CaseRisk, Grade, RiskPlan, RiskRule, RuleKind
from tests.factories import new_case
from tests.test_case_views import intake_data


@pytest.fixture(scope="module", autouse=True)
def chinese_catalog():
    call_command("compile_translations", verbosity=0)
    translation.trans_real._translations = {}
    translation.trans_real._default = None


def test_clerk_grade_at_intake_overrides_the_rules_in_one_event(county):
    RiskRule.objects.create(name="涉众", kind=RuleKind.PEOPLE, grade="yellow", threshold=2)
    create_plans(RiskPlan)
    case = new_case(
        county, people_involved=5, extensions={"risk_grade": "red", "risk_reason": "扬言报复"}
    )
    risk = CaseRisk.objects.get(case=case)
    assert (risk.grade, risk.source, risk.reason) == (Grade.RED, "manual", "扬言报复")
    events = TimelineEvent.objects.filter(case=case, kind="risk_graded")
    assert events.count() == 1
    assert events.get().actor == county.users["vclerk"]
    assert events.get().data["proposed"][1] == ["涉众"]
    # The red plan's obligations open at once, as for a grade set later.
    assert Deadline.objects.filter(
        case=case, state=DeadlineState.OPEN, clock__in=[Clock.RISK_REPORT, Clock.RISK_HANDLE]
    ).exists()


def test_no_grade_at_intake_leaves_the_rules_proposal(county):
    RiskRule.objects.create(name="涉众", kind=RuleKind.PEOPLE, grade="yellow", threshold=2)
    case = new_case(county, people_involved=5, extensions={"risk_grade": "", "risk_reason": ""})
    assert CaseRisk.objects.get(case=case).source == "rule"


def test_clerk_may_say_no_risk_against_the_rules(county):
    RiskRule.objects.create(name="涉众", kind=RuleKind.PEOPLE, grade="orange", threshold=2)
    case = new_case(
        county, people_involved=5, extensions={"risk_grade": "none", "risk_reason": "已当场化解"}
    )
    assert CaseRisk.objects.get(case=case).grade == Grade.NONE
    assert not Deadline.objects.filter(case=case, clock=Clock.RISK_HANDLE).exists()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"risk_grade": "red", "risk_reason": ""}, "risk_reason"),
        ({"risk_grade": "purple", "risk_reason": "x"}, "risk_grade"),
        ({"risk_grade": "", "risk_reason": "只有理由"}, "risk_grade"),
    ],
)
def test_bad_grade_at_intake_writes_nothing(county, params, field):
    with pytest.raises(InvalidInput) as e:
        new_case(county, extensions=params)
    assert field in e.value.field_errors
    assert Case.objects.count() == 0


def test_a_grid_worker_may_not_grade_at_intake(county, client):
    with pytest.raises(NotAllowed):
        new_case(county, "grid", extensions={"risk_grade": "red", "risk_reason": "扬言报复"})
    assert Case.objects.count() == 0
    # … and the form does not offer it to them.
    client.force_login(county.users["grid"])
    assert 'name="risk_grade"' not in client.get("/cases/new/").content.decode()


def test_intake_form_grade_with_reason(client, county):
    client.force_login(county.users["vclerk"])
    assert 'name="risk_grade"' in client.get("/cases/new/").content.decode()
    response = client.post(
        "/cases/new/", intake_data(county, risk_grade="orange", risk_reason="多次缠访")
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert CaseRisk.objects.get(case=case).grade == Grade.ORANGE


def test_intake_form_grade_without_reason_is_a_chinese_error(client, county):
    client.force_login(county.users["vclerk"])
    response = client.post("/cases/new/", intake_data(county, risk_grade="red", risk_reason=""))
    html = response.content.decode()
    assert response.status_code == 200
    assert "请填写定级理由。" in html
    assert Case.objects.count() == 0
    assert CaseRisk.objects.count() == 0
