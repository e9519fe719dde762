"""稳控: stabilising names measures, a responsible person and a review date (a swept clock)."""

import datetime

import pytest
from django.urls import reverse

from cases.errors import InvalidInput
from cases.models import Case
from cases.services import perform_transition
from cases.workflow import Status
from clocks.models import Clock, Deadline, DeadlineState
from risk.models import StabilityControl
from routing.sweep import sweep
from tests.factories import NOW, PASSWORD, local_day, new_case
from tests.visits import visit

D = datetime.timedelta(days=1)


@pytest.fixture
def handling(county):
    case = new_case(county)
    clerk = county.users["vclerk"]
    perform_transition(case, "accept", clerk, NOW)
    perform_transition(case, "route", clerk, NOW, unit_id=county.units["committee"].pk)
    perform_transition(case, "start", county.users["mediator"], NOW)
    return case


def test_stabilising_needs_measures_responsible_and_a_review_date(county, handling):
    mediator = county.users["mediator"]
    with pytest.raises(InvalidInput) as e:
        perform_transition(handling, "stabilise", mediator, NOW, note="暂时稳定")
    assert {"measures", "responsible", "review_date"} <= set(e.value.field_errors)
    assert Case.objects.get(pk=handling.pk).status == Status.IN_HANDLING
    assert not StabilityControl.objects.exists()

    perform_transition(
        handling,
        "stabilise",
        mediator,
        NOW,
        note="暂时稳定",
        measures="每周走访一次",
        responsible="网格员王五",
        review_date=local_day(10),
    )
    review = Deadline.objects.get(case=handling, clock=Clock.REVIEW, state=DeadlineState.OPEN)
    assert review.unit == county.units["committee"]
    sweep(NOW + 12 * D)
    sweep(NOW + 13 * D)
    review.refresh_from_db()
    assert review.overdue_at == NOW + 12 * D  # once
    visit(handling, mediator, NOW + 14 * D)  # all visits made: the case is followed up
    review.refresh_from_db()
    assert review.state == DeadlineState.MISSED


def test_a_review_through_the_case_page_moves_the_date(county, handling, client):
    perform_transition(
        handling,
        "stabilise",
        county.users["mediator"],
        NOW,
        note="暂时稳定",
        measures="每周走访一次",
        responsible="网格员王五",
        review_date=local_day(10),
    )
    client.login(username="mediator", password=PASSWORD)
    page = client.get(reverse("cases:detail", args=[handling.code])).content.decode()
    assert 'id="stability"' in page and "每周走访一次" in page
    url = reverse("risk:review", args=[handling.code])
    bad = client.post(
        url,
        {"review-measures": "x", "review-responsible": "y", "review-review_date": local_day(-1)},
    )
    assert bad.status_code == 422
    ok = client.post(
        url,
        {
            "review-measures": "每两周走访",
            "review-responsible": "网格员王五",
            "review-review_date": local_day(20),
        },
    )
    assert ok.status_code == 302
    assert StabilityControl.objects.filter(case=handling).first().measures == "每两周走访"
    states = Deadline.objects.filter(case=handling, clock=Clock.REVIEW).values_list(
        "state", flat=True
    )
    assert sorted(states) == [DeadlineState.MET, DeadlineState.OPEN]
    client.logout()
    client.login(username="vclerk_sibling", password=PASSWORD)
    assert client.post(url, {"review-measures": "x"}).status_code == 404
