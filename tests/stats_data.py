"""A hand-made month of cases for the statistics tests: what happened to each case is
written next to it, so the expected figures can be worked out by hand."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from cases.services import perform_transition
from clocks.models import EscalationPolicy, PolicyArea
from portal.evaluations import rate, token_for
from portal.models import Evaluation
from routing.escalation import record_failed_attempt
from routing.sweep import sweep
from stats import selectors
from tests.factories import new_case
from tests.visits import visit

SH = ZoneInfo("Asia/Shanghai")
NOV = selectors.period_of("month", datetime.date(2026, 11, 15))


def at(month, day, hour=10, minute=0, second=0):
    return datetime.datetime(2026, month, day, hour, minute, second, tzinfo=SH)


def act(county, case, name, when, actor="tclerk", **params):
    if "unit" in params:
        params["unit_id"] = county.units[params.pop("unit")].pk
    return perform_transition(case, name, county.users[actor], when, note="说明", **params)


def party_rates(case, satisfaction, when, role="applicant"):
    """The party of this role rates the case's latest outcome through their SMS link."""
    evaluation = Evaluation.objects.filter(case=case, party__role=role).latest("pk")
    return rate(token_for(evaluation), satisfaction, "", when)


def accepted(county, when, area=None, actor="vclerk", **kw):
    case = new_case(county, actor, area=area or county.villages[0], now=when, **kw)
    return act(county, case, "accept", when, actor=actor)


def handling(county, when, **kw):
    case = accepted(county, when, **kw)
    case = act(county, case, "route", when, unit="committee")
    return act(county, case, "start", when)


@pytest.fixture
def november(county):
    """Nine cases accepted in November 2026 in town 1, one in October, two never accepted."""
    c = county
    # Only the parties' own ratings (SMS link) count in 参评率 and 满意率; the ratings staff
    # enter at a follow-up visit stay on the timeline and count for nothing.
    # A: resolved in 3 days; the applicant is satisfied (the respondent does not rate).
    a = handling(c, at(11, 2))
    a = act(c, a, "resolve", at(11, 5))
    visit(a, c.users["tclerk"], at(11, 6), satisfaction="unsatisfied")  # staff's: not counted
    party_rates(a, "satisfied", at(11, 6))
    # B: sent to litigation after 10 days; the applicant is satisfied, the respondent not:
    # one party not satisfied makes the case not satisfied.
    b = handling(c, at(11, 3))
    b = act(c, b, "transfer", at(11, 13), channel="litigation")
    party_rates(b, "satisfied", at(11, 14))
    party_rates(b, "unsatisfied", at(11, 14), role="respondent")
    # C: three failed attempts at the village (柳州321), escalated to the town, then resolved.
    PolicyArea.objects.create(
        policy=EscalationPolicy.objects.get(name="柳州321工作法"), area=c.county
    )
    cc = handling(c, at(11, 4))
    for day in (5, 6, 7):
        record_failed_attempt(cc, c.users["mediator"], at(11, day))
    assert sweep(at(11, 7, 11)).escalated == 1
    cc = act(c, cc, "route", at(11, 8), unit="committee")
    cc = act(c, cc, "start", at(11, 8))
    act(c, cc, "resolve", at(11, 10))
    # D: resolved, evaluated, then reopened and still in handling: nothing but 受理.
    d = handling(c, at(11, 5))
    d = act(c, d, "resolve", at(11, 6))
    party_rates(d, "unsatisfied", at(11, 7))
    act(c, d, "reopen", at(11, 8))
    # E: resolved, reopened, resolved again, basically satisfied: resolved but not first-time.
    e = handling(c, at(11, 6))
    e = act(c, e, "resolve", at(11, 7))
    party_rates(e, "unsatisfied", at(11, 7))  # of the outcome the reopen undoes
    e = act(c, e, "reopen", at(11, 8))
    e = act(c, e, "resolve", at(11, 9))
    party_rates(e, "basic", at(11, 10))
    party_rates(e, "satisfied", at(11, 10), role="respondent")
    # F, G: pushed by the court (诉前委派); F resolved, G terminated.
    f = handling(c, at(11, 7), channel="court", category_code="0701")
    act(c, f, "resolve", at(11, 8))
    g = handling(c, at(11, 7), channel="court")
    g = act(c, g, "terminate", at(11, 9))
    visit(g, c.users["tclerk"], at(11, 10), satisfaction="satisfied")  # staff's only: not rated
    # H: accepted on the stroke of midnight of 1 November, found overdue, resolved late.
    h = handling(c, at(11, 1, 0))
    assert sweep(at(12, 2)).overdue >= 1
    act(c, h, "resolve", at(12, 3, 0))
    # K: in the other village, accepted and not yet handled.
    accepted(c, at(11, 10), area=c.villages[1], actor="vclerk_sibling")
    # I: one second before midnight: October.
    accepted(c, at(10, 31, 23, 59, 59))
    # Registered but never accepted, and declined: in no figure.
    new_case(c, now=at(11, 15))
    act(c, new_case(c, now=at(11, 15)), "reject", at(11, 15))
    return c
