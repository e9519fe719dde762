"""三事分流: rules propose a unit; the clerk follows or overrides with a reason; 私事 close with guidance."""

import pytest

from areas.models import Level, UnitKind
from cases.errors import InvalidInput
from cases.models import Category, TriageClass
from cases.selectors import cases_visible_to
from cases.services import perform_transition
from cases.workflow import Status
from routing.models import RoutingRule
from routing.triage import propose
from tests.factories import NOW, new_case


@pytest.fixture
def rules(county):
    cat = Category.objects.get
    RoutingRule.objects.create(
        name="劳动争议归人社",
        priority=10,
        category=cat(code="07"),
        triage_class=TriageClass.MAJOR,
        target_kind=UnitKind.DEPARTMENT,
        target_speciality="labour",
        target_level=Level.COUNTY,
        subject_kind=UnitKind.DEPARTMENT,
        subject_speciality="labour",
    )
    RoutingRule.objects.create(
        name="邻里纠纷归村调委会",
        priority=20,
        category=cat(code="02"),
        triage_class=TriageClass.MINOR,
        target_kind=UnitKind.MEDIATION_COMMITTEE,
    )
    RoutingRule.objects.create(
        name="群体性邻里纠纷上镇",
        priority=5,
        category=cat(code="02"),
        min_people=30,
        triage_class=TriageClass.MAJOR,
        target_unit=county.center(county.towns[0]),
    )
    RoutingRule.objects.create(
        name="不当得利属私事",
        priority=30,
        category=cat(code="1006"),
        triage_class=TriageClass.PRIVATE,
        guidance="可通过律师咨询或向人民法院起诉解决。",
    )


def accepted(county, **kw):
    case = new_case(county, area=county.grids[0], **kw)
    return perform_transition(case, "accept", county.users["vclerk"], NOW)


def test_rules_propose_by_category_scale_and_area(county, rules):
    labour = propose(accepted(county, category_code="0701"))
    assert (labour.triage_class, labour.unit, labour.subject_unit) == (
        TriageClass.MAJOR,
        county.units["labour"],
        county.units["labour"],
    )
    neighbours = propose(accepted(county, category_code="0201"))
    assert (neighbours.triage_class, neighbours.unit) == (
        TriageClass.MINOR,
        county.units["committee"],
    )
    crowd = propose(accepted(county, category_code="0201", people_involved=40))
    assert crowd.unit == county.center(county.towns[0])
    assert propose(accepted(county, category_code="0503")).rule is None


def test_following_the_proposal_records_triage_and_dual_ownership(county, rules):
    case = accepted(county, category_code="0701")
    case = perform_transition(
        case, "route", county.users["vclerk"], NOW, unit_id=county.units["labour"].pk
    )
    assert case.status == Status.ROUTED
    assert (case.triage_class, case.owner_unit, case.subject_unit) == (
        TriageClass.MAJOR,
        county.units["labour"],
        county.units["labour"],
    )
    # 首接负责制: the village center stays the first receiver and dispatcher.
    assert case.first_unit == case.dispatcher_unit == county.center(county.villages[0])
    event = case.timeline.get(kind="route")
    assert event.data["rule"] == "劳动争议归人社"
    assert event.data["override_reason"] == ""


def test_override_needs_a_reason_which_is_recorded(county, rules):
    case = accepted(county, category_code="0201")
    with pytest.raises(InvalidInput) as e:
        perform_transition(
            case, "route", county.users["vclerk"], NOW, unit_id=county.center(county.villages[0]).pk
        )
    assert "override_reason" in e.value.field_errors
    case.refresh_from_db()
    assert case.status == Status.ACCEPTED
    case = perform_transition(
        case,
        "route",
        county.users["vclerk"],
        NOW,
        unit_id=county.center(county.villages[0]).pk,
        override_reason="调委会主任外出，由村综治中心直接调处",
    )
    event = case.timeline.get(kind="route")
    assert event.data["proposed_unit"] == county.units["committee"].name
    assert event.data["override_reason"].startswith("调委会主任外出")


def test_subject_unit_sees_the_case(county, rules):
    case = accepted(county, category_code="0701")
    perform_transition(
        case,
        "route",
        county.users["vclerk"],
        NOW,
        unit_id=county.units["committee"].pk,
        override_reason="先行调解",
        subject_unit_id=county.units["labour"].pk,
    )
    assert case in cases_visible_to(county.users["handler"])


def test_private_matter_closes_with_guidance(county, rules):
    case = accepted(county, category_code="1006")
    proposal = propose(case)
    assert proposal.triage_class == TriageClass.PRIVATE
    with pytest.raises(InvalidInput):
        perform_transition(
            case,
            "route",
            county.users["vclerk"],
            NOW,
            unit_id=county.units["committee"].pk,
            triage_class="private",
        )
    case = perform_transition(case, "guide", county.users["vclerk"], NOW, note=proposal.guidance)
    assert (case.status, case.triage_class) == (Status.TERMINATED, TriageClass.PRIVATE)
    assert case.outcome_note == "可通过律师咨询或向人民法院起诉解决。"
