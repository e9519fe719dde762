"""The figures kept current event by event (or once per case at the end of a deferred block)
equal a recomputation from the cases, after any series of transitions, escalations and
sweeps; check_stats reports a planted difference."""

import contextlib
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.errors import CaseError
from cases.services import perform_transition
from cases.workflow import TRANSITIONS
from clocks.models import EscalationPolicy, PolicyArea
from followup.models import FollowUpSetting
from routing.escalation import record_failed_attempt
from routing.sweep import sweep
from stats import recorder
from stats.models import CaseFact, DailyCount
from tests.factories import new_case
from tests.visits import visit

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime.datetime(2026, 11, 30, 20, 0, tzinfo=SH)  # near a month's end
PARAMS = {
    "route": lambda c: {"unit_id": c.units["committee"].pk},
    "transfer": lambda c: {"channel": "litigation"},
}
STEP = st.one_of(
    st.tuples(st.just("transition"), st.integers(0, 3), st.sampled_from(sorted(TRANSITIONS))),
    st.tuples(st.just("attempt"), st.integers(0, 3), st.just("")),
    st.tuples(st.just("sweep"), st.just(0), st.just("")),
    st.tuples(st.just("new"), st.integers(0, 3), st.just("")),
    # 回访 (the county's setting opens visit clocks at each closing): none, or a rebound.
    st.tuples(st.just("visit"), st.integers(0, 3), st.sampled_from(["none", "rebounded"])),
)


def check(out=None) -> None:
    call_command("check_stats", stdout=out or io.StringIO())


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(STEP, min_size=1, max_size=30),
    hours=st.lists(st.integers(1, 40)),
    defer=st.booleans(),
)
def test_figures_agree_with_the_cases_after_random_transitions(county, steps, hours, defer):
    c = county
    # Each example runs in a savepoint that is rolled back, so all start from the same county.
    with transaction.atomic():
        # Deferred: the figures are refreshed once per case when the block ends.
        with recorder.deferred() if defer else contextlib.nullcontext():
            PolicyArea.objects.create(
                policy=EscalationPolicy.objects.get(name="巫山时限制"), area=c.county
            )
            FollowUpSetting.objects.create(
                area=c.county,
                after_transferred=True,
                first_within_days=1,
                second_from_grade="",
                earliest_after_hours=1,
            )
            now = T0
            cases = [
                new_case(c, "grid", area=c.grids[0], now=now),
                new_case(c, "vclerk", now=now),
            ]
            for i, (what, which, name) in enumerate(steps):
                now += datetime.timedelta(hours=hours[i % len(hours)] if hours else 7)
                case = cases[which % len(cases)]
                try:
                    if what == "transition":
                        params = PARAMS.get(name, lambda c: {})(c)
                        perform_transition(
                            case, name, c.users["cclerk"], now, note="说明", **params
                        )
                    elif what == "attempt":
                        record_failed_attempt(case, c.users["cclerk"], now)
                    elif what == "sweep":
                        sweep(now)
                    elif what == "visit":
                        visit(case, c.users["cclerk"], now, rebound=name)
                    else:
                        area = c.villages[which % len(c.villages)]
                        cases.append(new_case(c, "cclerk", area=area, now=now))
                except CaseError:
                    pass  # an illegal step changes nothing, figures included
        check()  # raises CommandError on any difference
        transaction.set_rollback(True)


def test_check_stats_reports_a_difference(county):
    case = new_case(county)
    perform_transition(case, "accept", county.users["vclerk"], T0)
    check()
    CaseFact.objects.update(resolved=1)
    DailyCount.objects.filter(dim="total").update(accepted=5)
    out = io.StringIO()
    with pytest.raises(CommandError):
        check(out)
    text = out.getvalue()
    assert "resolved stored 1, computed 0" in text
    assert "stored (5," in text
    call_command("rebuild_stats", stdout=io.StringIO())
    check()


def test_deferred_figures_wait_for_the_end_of_the_block(county):
    with recorder.deferred():
        case = new_case(county)
        perform_transition(case, "accept", county.users["vclerk"], T0)
        assert not CaseFact.objects.filter(case=case).exists()
        with recorder.deferred():  # nested: the outer block refreshes
            perform_transition(case, "route", county.users["vclerk"], T0, **PARAMS["route"](county))
        assert not CaseFact.objects.filter(case=case).exists()
    assert CaseFact.objects.get(case=case).accepted == 1
    check()
