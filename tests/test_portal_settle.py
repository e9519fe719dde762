"""网格息事: a grid worker settles a simple dispute of the grid on the spot; it counts as
resolved at grid level."""

import pytest

from areas.models import Level
from cases.errors import IllegalTransition, InvalidInput, NotAllowed
from cases.services import allowed_transitions, perform_transition
from cases.workflow import Status
from stats import selectors
from stats.models import Dim
from tests.factories import NOW, new_case


def settle(county, case, actor="grid", **params):
    params.setdefault("agreement", "楼上住户本周内修复防水层，楼下不再追究。")
    return perform_transition(
        case, "settle_at_grid", county.users[actor], NOW, note="现场调解", **params
    )


def test_a_grid_worker_settles_a_grid_case_on_the_spot(client, county):
    case = new_case(county, "grid")
    assert case.level == Level.GRID
    client.force_login(county.users["grid"])
    html = client.get(f"/cases/{case.code}/").content.decode()
    assert "网格就地化解" in html
    response = client.post(
        f"/cases/{case.code}/act/",
        {
            "action": "settle_at_grid",
            "settle_at_grid-note": "现场调解",
            "settle_at_grid-agreement": "双方同意各自清理排水沟。",
            "settle_at_grid-oral_agreement": "on",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.RESOLVED and case.level == Level.GRID
    assert case.accepted_at == NOW and case.closed_at == NOW
    event = case.timeline.last()
    assert event.kind == "settle_at_grid" and event.data["agreement_form"] == "oral"


def test_settling_needs_the_agreement_and_is_for_grid_workers_at_grid_level(county):
    case = new_case(county, "grid")
    with pytest.raises(InvalidInput):
        settle(county, case, agreement="")
    with pytest.raises(NotAllowed):
        settle(county, case, actor="vclerk")
    village_case = new_case(county, "vclerk", area=county.villages[0])
    assert "settle_at_grid" not in [
        t.name for t in allowed_transitions(county.users["grid"], village_case)
    ]
    accepted = perform_transition(case, "accept", county.users["vclerk"], NOW)
    with pytest.raises(IllegalTransition):
        settle(county, accepted)


def test_a_grid_settlement_counts_as_resolved_at_grid_level(county):
    settle(county, new_case(county, "grid"))
    period = selectors.period_of("month", NOW.date())
    for area in (county.county, county.towns[0], county.villages[0], county.grids[0]):
        figures = selectors.total(area, period)
        assert figures["resolved"] == 1 and figures["accepted"] == 1, area.name
    by_level = selectors.sums(county.county, period, Dim.LEVEL)
    assert by_level == {str(Level.GRID): by_level[str(Level.GRID)]}
    assert by_level[str(Level.GRID)]["resolved"] == 1  # 小事不出村: at grid level
