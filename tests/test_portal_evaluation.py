"""A party rates how their case ended through an SMS link: once, within 30 days; 不满意
goes to the center's review list (3 working days, the center told) or reopens the case, as the region says."""

import datetime
import re

from cases.workflow import Status
from clocks.calendar import (
    CalendarUnknown,
    end_of_day,
    is_workday,
    local_date,
    working_days_between,
)
from clocks.models import CalendarOverride
from notifications.models import Delivery, Notification
from portal.evaluations import token_for
from portal.models import Evaluation, EvaluationSetting, OnUnsatisfied, Review
from tests.factories import NOW
from tests.test_portal_tracking import resolved_case


def link_of(phone):
    text = Delivery.objects.get(address=phone, key__startswith="evaluation:").text
    return re.search(r"http://localhost:8000(/e/\S+/)", text).group(1)


def test_resolving_a_case_sends_each_party_phone_a_link(client, county):
    case = resolved_case(county)
    assert sorted(Evaluation.objects.values_list("phone", flat=True)) == [
        "13800138000",
        "13900139000",
    ]
    url = link_of("13800138000")
    page = client.get(url)
    assert page.status_code == 200 and case.code in page.content.decode()
    response = client.post(url, {"satisfaction": "basic", "comment": "处理及时"})
    assert response.status_code == 200 and 'id="rated"' in response.content.decode()
    event = case.timeline.get(kind="party_rated")
    assert event.data["satisfaction"] == "basic" and event.note == "处理及时"
    # Single use: the link now says so, and a second post records nothing.
    again = client.post(url, {"satisfaction": "unsatisfied"})
    assert again.status_code == 410 and "已使用" in again.content.decode()
    assert case.timeline.filter(kind="party_rated").count() == 1


def test_the_link_expires_after_30_days(client, county):
    from jiefen import clock

    resolved_case(county)
    url = link_of("13800138000")
    with clock.pinned(NOW + datetime.timedelta(days=30)):
        response = client.post(url, {"satisfaction": "satisfied"})
    assert response.status_code == 410 and "已过期" in response.content.decode()
    assert not Evaluation.objects.filter(rated_at__isnull=False).exists()


def test_a_forged_link_is_refused_in_chinese(client, county):
    case = resolved_case(county)
    evaluation = Evaluation.objects.filter(case=case).first()
    forged = token_for(evaluation)[:-2] + "xx"
    response = client.get(f"/e/{forged}/")
    assert response.status_code == 404 and "链接无效" in response.content.decode()


def test_not_satisfied_goes_to_the_review_list_with_3_days_by_default(client, county):
    case = resolved_case(county)
    client.post(link_of("13900139000"), {"satisfaction": "unsatisfied", "comment": "没赔钱"})
    review = Review.objects.get()
    assert review.unit == county.center(county.villages[0])
    try:  # 3 working days; calendar days in a year without a known calendar
        due = nth_workday_after(local_date(NOW), 3)
    except CalendarUnknown:
        due = local_date(NOW) + datetime.timedelta(days=3)
    assert review.due_at == end_of_day(due)
    # The center's clerks and leader are told, once, with a link to the list.
    notices = Notification.objects.filter(kind="review", case=case)
    assert [n.recipient.username for n in notices] == ["vclerk"]
    assert notices.first().url == "/portal/reviews/" and "不满意" in notices.first().title
    case.refresh_from_db()
    assert case.status == Status.RESOLVED
    client.force_login(county.users["vclerk"])
    html = client.get("/portal/reviews/").content.decode()
    assert case.code in html and "没赔钱" in html
    # Another village's clerk neither sees nor closes it; a grid worker has no list.
    client.force_login(county.users["vclerk_sibling"])
    assert case.code not in client.get("/portal/reviews/").content.decode()
    assert client.post(f"/portal/reviews/{review.pk}/done/", {"note": "x"}).status_code == 404
    client.force_login(county.users["grid"])
    assert client.get("/portal/reviews/").status_code == 404
    client.force_login(county.users["vclerk"])
    client.post(f"/portal/reviews/{review.pk}/done/", {"note": "已电话回访并解释"})
    review.refresh_from_db()
    assert review.done_at == NOW and case.timeline.filter(kind="dissatisfaction_reviewed").exists()


def nth_workday_after(day, n):
    while n:
        day += datetime.timedelta(days=1)
        n -= is_workday(day)
    return day


def test_the_review_deadline_skips_a_holiday(client, county):
    """3 working days: a holiday among them (here the day after NOW) moves the deadline."""
    holiday = local_date(NOW) + datetime.timedelta(days=1)
    CalendarOverride.objects.create(date=holiday, is_workday=False)
    resolved_case(county)
    client.post(link_of("13900139000"), {"satisfaction": "unsatisfied"})
    due = local_date(Review.objects.get().due_at)
    assert due == nth_workday_after(local_date(NOW), 3) and due > holiday
    assert working_days_between(local_date(NOW), due) == 3
    assert due - local_date(NOW) >= datetime.timedelta(days=4)


def test_a_region_may_say_not_satisfied_reopens_the_case(client, county):
    EvaluationSetting.objects.create(area=county.towns[0], on_unsatisfied=OnUnsatisfied.REOPEN)
    case = resolved_case(county)
    client.post(link_of("13800138000"), {"satisfaction": "unsatisfied"})
    case.refresh_from_db()
    assert case.status == Status.IN_HANDLING and case.closed_at is None
    assert case.timeline.last().kind == "party_reopened"
    assert not Review.objects.exists()
    # Closed again, the parties are asked anew.
    assert Evaluation.objects.filter(case=case).count() == 2


def test_a_rating_must_be_one_of_the_three(client, county):
    resolved_case(county)
    response = client.post(link_of("13800138000"), {"satisfaction": "great"})
    assert response.status_code == 422
    assert not Evaluation.objects.filter(rated_at__isnull=False).exists()


def test_the_api_reads_and_rates_an_evaluation_once(client, county):
    case = resolved_case(county)
    token = link_of("13800138000").split("/")[2]
    got = client.get(f"/api/v1/portal/evaluations/{token}").json()
    assert got["case_code"] == case.code and got["rated"] is False
    url = f"/api/v1/portal/evaluations/{token}"
    body = {"satisfaction": "satisfied", "comment": "好"}
    assert client.post(url, body, content_type="application/json").status_code == 204
    again = client.post(url, body, content_type="application/json")
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"
    assert client.get("/api/v1/portal/evaluations/forged").status_code == 404
