"""The case state machine: every legal transition works, every illegal one changes nothing."""

import datetime

import pytest

from cases.errors import IllegalTransition, InvalidInput, NotAllowed
from cases.models import Case, TimelineEvent
from cases.services import perform_transition
from cases.workflow import TRANSITIONS, Status
from clocks.models import Clock, Deadline, DeadlineState
from tests.factories import NOW, local_day, new_case
from tests.visits import visit

LATER = NOW + datetime.timedelta(hours=1)

# A path of actions that reaches each status from a fresh case, with the params they need.
PATHS: dict[str, list[tuple[str, dict]]] = {
    Status.REGISTERED: [],
    Status.ACCEPTED: [("accept", {})],
    Status.ROUTED: [("accept", {}), ("route", {"unit": "committee"})],
    Status.IN_HANDLING: [("accept", {}), ("route", {"unit": "committee"}), ("start", {})],
}
PATHS[Status.RESOLVED] = PATHS[Status.IN_HANDLING] + [("resolve", {})]
# 稳控 names its measures, the responsible person and a review date (risk.stability).
STABILISE = {"measures": "定期走访", "responsible": "网格员", "review_date": local_day(30)}
PATHS[Status.STABILISED] = PATHS[Status.IN_HANDLING] + [("stabilise", STABILISE)]
PATHS[Status.TRANSFERRED] = PATHS[Status.IN_HANDLING] + [("transfer", {"channel": "litigation"})]
PATHS[Status.TERMINATED] = PATHS[Status.IN_HANDLING] + [("terminate", {})]
# 回访 is a visit a day after the closing (followup.services.record_visit), not an action.
PATHS[Status.FOLLOWED_UP] = PATHS[Status.RESOLVED] + [("visit", {})]
PATHS[Status.ARCHIVED] = PATHS[Status.FOLLOWED_UP] + [("archive", {})]

PARAMS = {
    "route": {"unit": "committee"},
    "transfer": {"channel": "arbitration"},
    "stabilise": STABILISE,
}


def run(county, case, name, params, now=LATER):
    if name == "visit":
        visit(case, county.users["tclerk"], now + datetime.timedelta(days=1))
        case.refresh_from_db()
        return case
    params = dict(params)
    if "unit" in params:
        params["unit_id"] = county.units[params.pop("unit")].pk
    # The town clerk supervises village and committee cases, so may perform every action.
    return perform_transition(case, name, county.users["tclerk"], now, note="说明", **params)


def case_in(county, status):
    case = new_case(county)
    for name, params in PATHS[status]:
        case = run(county, case, name, params)
    assert case.status == status
    return case


# Escalation is the sweep's transition (tests/test_escalation.py), never a user's; settling
# at the grid is the grid worker's, at grid level only (tests/test_portal_settle.py).
LEGAL = [
    (s, t.name) for t in TRANSITIONS.values() for s in t.sources if not t.system and t.level is None
]
ILLEGAL = [
    (s, name) for s in Status.values for name in TRANSITIONS if s not in TRANSITIONS[name].sources
]


@pytest.mark.parametrize(("status", "action"), LEGAL)
def test_every_legal_transition_reaches_its_target_and_is_recorded(county, status, action):
    case = case_in(county, status)
    events_before = case.timeline.count()
    case = run(county, case, action, PARAMS.get(action, {}))
    assert case.status == TRANSITIONS[action].target
    event = case.timeline.order_by("-pk").first()
    assert case.timeline.count() == events_before + 1
    assert (event.kind, event.from_status, event.to_status) == (action, status, case.status)
    assert event.actor == county.users["tclerk"]
    assert event.actor_unit == county.center(county.towns[0])
    assert event.note == "说明"


@pytest.mark.parametrize(("status", "action"), ILLEGAL)
def test_every_illegal_transition_is_refused_and_changes_nothing(county, status, action):
    case = case_in(county, status)
    events = case.timeline.count()
    with pytest.raises(IllegalTransition):
        run(county, case, action, PARAMS.get(action, {}))
    case.refresh_from_db()
    assert case.status == status
    assert case.timeline.count() == events


def test_a_failed_guard_leaves_no_partial_write(county):
    case = case_in(county, Status.ACCEPTED)
    snapshot = (case.owner_unit_id, case.dispatcher_unit_id, case.level, case.updated_at)
    deadlines = list(Deadline.objects.filter(case=case).values_list("pk", "unit_id", "state"))
    with pytest.raises(InvalidInput) as err:
        perform_transition(case, "route", county.users["tclerk"], LATER, unit_id=999999)
    assert "unit_id" in err.value.field_errors
    case.refresh_from_db()
    assert (case.owner_unit_id, case.dispatcher_unit_id, case.level, case.updated_at) == snapshot
    assert (
        list(Deadline.objects.filter(case=case).values_list("pk", "unit_id", "state")) == deadlines
    )
    assert case.status == Status.ACCEPTED


def test_transfer_needs_a_channel_and_a_guidance_note(county):
    case = case_in(county, Status.IN_HANDLING)
    with pytest.raises(InvalidInput) as err:
        perform_transition(case, "transfer", county.users["tclerk"], LATER, note="到法院起诉")
    assert "channel" in err.value.field_errors
    with pytest.raises(InvalidInput) as err:
        perform_transition(case, "transfer", county.users["tclerk"], LATER, channel="litigation")
    assert "note" in err.value.field_errors
    assert Case.objects.get(pk=case.pk).status == Status.IN_HANDLING


def test_accepting_needs_a_category(county):
    case = new_case(county, category_code="")
    with pytest.raises(InvalidInput):
        perform_transition(case, "accept", county.users["vclerk"], LATER)
    case = perform_transition(case, "accept", county.users["vclerk"], LATER, category_code="0701")
    assert case.category.code == "0701"


def test_roles_limit_actions(county):
    case = new_case(county, actor_key="grid")
    # A grid worker reports but does not accept; a sibling village's clerk cannot act either.
    for key in ("grid", "vclerk_sibling", "handler"):
        with pytest.raises(NotAllowed):
            perform_transition(case, "accept", county.users[key], LATER)
    assert Case.objects.get(pk=case.pk).status == Status.REGISTERED
    assert TimelineEvent.objects.filter(case=case).count() == 1


def test_route_hands_over_the_case_and_its_clocks(county):
    case = case_in(county, Status.ACCEPTED)
    case = run(county, case, "route", {"unit": "labour"})
    assert case.owner_unit == county.units["labour"]
    assert case.dispatcher_unit == county.center(county.towns[0])
    resolve = Deadline.objects.get(case=case, clock=Clock.RESOLVE, state=DeadlineState.OPEN)
    assert resolve.unit == county.units["labour"]
    # The department refuses (退单) with a reason: the case goes back to the dispatcher.
    case = perform_transition(
        case, "return", county.users["handler"], LATER, note="不属于本部门职责"
    )
    assert case.status == Status.ACCEPTED
    assert case.owner_unit == county.center(county.towns[0])


def test_closing_records_whether_the_clocks_were_met(county):
    case = case_in(county, Status.IN_HANDLING)
    late = NOW + datetime.timedelta(days=45)
    run(county, case, "resolve", {}, now=late)
    accept = Deadline.objects.get(case=case, clock=Clock.ACCEPT)
    resolve = Deadline.objects.get(case=case, clock=Clock.RESOLVE)
    assert (accept.state, accept.met) == (DeadlineState.MET, True)
    assert (resolve.state, resolve.met) == (DeadlineState.MISSED, False)
