"""Time limits by complexity (简单 / 一般 / 疑难) and pausing a case's clocks.

The calendar of the weeks around NOW is entered as overrides, so that which days are
working days is fixed by the test whatever the date of the run (JIEFEN_CLOCK_OFFSET_DAYS):
day +5 and +6 are a "weekend", day +7 a "holiday", every other day works.
"""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cases.errors import IllegalTransition, InvalidInput, NotAllowed
from cases.models import CasePause, MissingMaterial, TimelineEvent
from cases.services import (
    add_attachment,
    change_complexity,
    pause_case,
    perform_transition,
    provide_material,
    resume_case,
)
from clocks.calendar import SHANGHAI, add_working_time, working_time_between
from clocks.models import CalendarOverride, Clock, Deadline, EscalationPolicy, PolicyArea
from routing.sweep import sweep
from tests.factories import NOW, PASSWORD, new_case
from tests.test_api import PROBLEM, Api

H = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
OFF = {5, 6, 7}  # a weekend and a holiday after it
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def local(days: int, hour: int) -> datetime.datetime:
    """NOW's local date plus `days`, at `hour`:00 Asia/Shanghai."""
    d = NOW.astimezone(SHANGHAI).date() + datetime.timedelta(days=days)
    return datetime.datetime.combine(d, datetime.time(hour), tzinfo=SHANGHAI)


@pytest.fixture
def calendar(db):
    start = NOW.astimezone(SHANGHAI).date()
    CalendarOverride.objects.bulk_create(
        CalendarOverride(date=start + datetime.timedelta(days=i), is_workday=i not in OFF)
        for i in range(-3, 60)
    )


@pytest.fixture
def policy(county, calendar):
    """The demo county's limits: 简单 1, 一般 7, 疑难 20 days; 24 hours to accept."""
    p = EscalationPolicy.objects.create(
        name="辉南式时限", resolve_days=30, simple_days=1, ordinary_days=7, complex_days=20
    )
    PolicyArea.objects.create(policy=p, area=county.county)
    return p


def accepted(county, complexity="", at=NOW, **kw):
    case = new_case(county, now=at - H, **kw)
    return perform_transition(case, "accept", county.users["vclerk"], at, complexity=complexity)


def resolve_clock(case) -> Deadline:
    return Deadline.objects.get(case=case, clock=Clock.RESOLVE, state="open")


# ---------------------------------------------------------------- working time


def test_working_time_skips_weekend_and_holiday(calendar):
    # Paused day +4 10:00 → day +8 10:00: 14 h of day 4, nothing of days 5–7, 10 h of day 8.
    assert working_time_between(local(4, 10), local(8, 10)) == 24 * H
    assert working_time_between(local(5, 0), local(8, 0)) == datetime.timedelta(0)
    assert working_time_between(local(8, 10), local(4, 10)) == datetime.timedelta(0)
    # Adding it back skips the same days: 14 h to the end of day 4, then 10 h of day 8.
    assert add_working_time(local(4, 10), 24 * H) == local(8, 10)
    assert add_working_time(local(6, 12), 2 * H) == local(8, 2)  # starts on the next working day
    assert add_working_time(local(3, 9), datetime.timedelta(0)) == local(3, 9)


# ---------------------------------------------------------------- complexity


@pytest.mark.parametrize(
    "complexity, days", [("simple", 1), ("ordinary", 7), ("complex", 20), ("", 30)]
)
def test_complexity_sets_the_resolve_limit(county, policy, complexity, days):
    case = accepted(county, complexity)
    assert case.complexity == complexity
    assert resolve_clock(case).due_at == NOW + days * DAY


def test_a_policy_limit_above_one_month_is_refused_and_capped(policy):
    policy.complex_days = 31
    with pytest.raises(ValidationError):
        policy.full_clean()
    # A row written around the validation still yields at most the legal month (art. 33).
    assert policy.resolve_days_for("complex") == 30


def test_complexity_at_routing_and_changed_later_with_a_reason(county, policy):
    case = accepted(county, "simple")
    clerk = county.users["vclerk"]
    committee = county.units["committee"]
    case = perform_transition(
        case, "route", clerk, NOW + H, unit_id=committee.pk, complexity="ordinary"
    )
    assert case.complexity == "ordinary"
    assert resolve_clock(case).due_at == NOW + 7 * DAY  # from acceptance, not from routing

    with pytest.raises(InvalidInput) as e:
        change_complexity(case, clerk, "complex", "  ", NOW + 2 * H)
    assert "reason" in e.value.field_errors
    with pytest.raises(InvalidInput):
        change_complexity(case, clerk, "hard", "涉及多个部门", NOW + 2 * H)
    with pytest.raises(NotAllowed):
        change_complexity(case, county.users["grid"], "complex", "涉及多个部门", NOW + 2 * H)
    assert resolve_clock(case).due_at == NOW + 7 * DAY

    change_complexity(case, clerk, "complex", "涉及多个部门，需合力办", NOW + 2 * H)
    case.refresh_from_db()
    assert case.complexity == "complex"
    assert resolve_clock(case).due_at == NOW + 20 * DAY
    event = case.timeline.get(kind="complexity_changed")
    assert event.note == "涉及多个部门，需合力办"
    assert event.data["complexity_before"] == "ordinary" and event.data["complexity"] == "complex"


# ---------------------------------------------------------------- pausing


def test_the_due_time_moves_by_exactly_the_paused_working_time(county, policy):
    # Accepted on day 0 at 10:00 as 疑难 with 14 days (a policy set so): due day 14, 10:00.
    policy.complex_days = 14
    policy.save()
    case = accepted(county, "complex", at=local(0, 10))
    due = local(14, 10)
    assert resolve_clock(case).due_at == due
    clerk = county.users["vclerk"]

    pause_case(case, clerk, "appraisal", "等待伤残等级鉴定意见", local(4, 10))
    assert resolve_clock(case).paused_at == local(4, 10)
    resume_case(case, clerk, local(8, 10), "鉴定意见已出")
    # Four calendar days paused, but only 24 working hours: day 4 after 10:00 and day 8 up
    # to 10:00 (the weekend and the holiday do not count). The due time moves by 24 hours.
    clock = resolve_clock(case)
    assert clock.paused_at is None
    assert clock.paused_for == 24 * H
    assert clock.due_at == local(15, 10)
    pause = CasePause.objects.get(case=case)
    assert pause.working_time == 24 * H and pause.resumed_how == "hand"
    assert case.timeline.filter(kind="clock_resumed").get().data["paused_hours"] == 24.0


def test_a_paused_clock_is_not_due_and_goes_overdue_once_after_resuming(county, policy):
    case = accepted(county, "simple", at=local(0, 10))  # due day 1, 10:00
    clerk = county.users["vclerk"]
    pause_case(case, clerk, "materials", "等待当事人补交收入证明", local(0, 12))
    assert sweep(local(3, 12)).overdue == 0  # far past the old due time: paused
    resume_case(case, clerk, local(4, 12))
    # 22 working hours of pause: day 0 12:00–24:00, days 1–3 wholly (72 h), day 4 to 12:00.
    assert resolve_clock(case).due_at == add_working_time(local(1, 10), 12 * H + 72 * H + 12 * H)
    assert resolve_clock(case).due_at == local(8, 10)  # day 4 from 12:00 to day 8 (5–7 off)
    assert sweep(local(8, 9)).overdue == 0
    assert sweep(local(8, 11)).overdue == 1
    assert sweep(local(8, 12)).overdue == 0  # once


def test_bad_pauses_write_nothing(county, policy):
    case = accepted(county, "ordinary")
    clerk = county.users["vclerk"]
    events = TimelineEvent.objects.count()
    with pytest.raises(InvalidInput) as e:
        pause_case(case, clerk, "", "等待", NOW + H)
    assert "reason" in e.value.field_errors
    with pytest.raises(InvalidInput) as e:
        pause_case(case, clerk, "appraisal", " ", NOW + H)
    assert "note" in e.value.field_errors
    with pytest.raises(IllegalTransition):
        resume_case(case, clerk, NOW + H)
    with pytest.raises(NotAllowed):
        pause_case(case, county.users["grid"], "appraisal", "等待鉴定", NOW + H)
    with pytest.raises(NotAllowed):
        pause_case(case, county.users["vclerk_sibling"], "appraisal", "等待鉴定", NOW + H)
    assert TimelineEvent.objects.count() == events
    assert not CasePause.objects.exists()
    assert resolve_clock(case).paused_at is None
    pause_case(case, clerk, "appraisal", "等待鉴定", NOW + H)
    with pytest.raises(IllegalTransition):
        pause_case(case, clerk, "court", "等待判决", NOW + 2 * H)
    assert CasePause.objects.count() == 1


def test_the_awaited_material_resumes_the_clock(county, policy, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    clerk = county.users["vclerk"]
    case = accepted(county, "ordinary", missing_materials=["收入证明"])
    pause_case(case, clerk, "materials", "等待补交收入证明", local(1, 10))
    material = MissingMaterial.objects.get(case=case)
    provide_material(case, material.pk, clerk, local(2, 10))
    pause = CasePause.objects.get(case=case)
    assert pause.resumed_how == "material" and pause.working_time == 24 * H
    # The old due time (NOW + 7 days) fell on the holiday (day 7): the 24 working hours
    # count from the next working day's start, to the end of day 8.
    assert resolve_clock(case).due_at == local(9, 0)

    # An attachment uploaded "in answer" ends a pause as well.
    pause_case(case, clerk, "appraisal", "等待评估报告", local(3, 10))
    upload = SimpleUploadedFile("评估报告.png", PNG, content_type="image/png")
    add_attachment(case, clerk, upload, local(3, 16), resumes_pause=True)
    last = CasePause.objects.filter(case=case).last()
    assert last.resumed_how == "material" and last.working_time == 6 * H


def test_closing_a_paused_case_ends_the_pause_and_excludes_it(county, policy):
    clerk = county.users["vclerk"]
    case = accepted(county, "simple", at=local(0, 10))  # due day 1, 10:00
    case = perform_transition(
        case, "route", clerk, local(0, 11), unit_id=county.center(county.villages[0]).pk
    )
    case = perform_transition(case, "start", clerk, local(0, 11))
    pause_case(case, clerk, "court", "等待法院判决", local(0, 12))
    # Resolved on day 2 at 10:00: late by the limit, on time with the pause (36 h) excluded.
    perform_transition(case, "resolve", clerk, local(2, 10), note="已化解")
    clock = Deadline.objects.get(case=case, clock=Clock.RESOLVE)
    assert clock.met is True and clock.state == "met"
    assert CasePause.objects.get(case=case).resumed_how == "closed"


# ---------------------------------------------------------------- the pages and the API


def test_the_case_page_pauses_and_resumes_with_chinese_errors(county, policy):
    case = accepted(county, "ordinary")
    web = Client()
    web.login(username="vclerk", password=PASSWORD)
    url = f"/cases/{case.code}/"
    page = web.get(url).content.decode()
    assert "一般" in page and "暂停计时" in page
    bad = web.post(f"{url}pause/", {"reason": "", "note": ""})
    assert bad.status_code == 422
    assert "计时只能在说明原因后暂停" in bad.content.decode()
    assert not CasePause.objects.exists()
    r = web.post(f"{url}pause/", {"reason": "materials", "note": "等待补交身份证复印件"})
    assert r.status_code == 302
    page = web.get(url).content.decode()
    assert "等待补交身份证复印件" in page and "恢复计时" in page
    assert web.post(f"{url}resume/", {"note": ""}).status_code == 302
    assert "不计入办理时限" in web.get(url).content.decode()
    again = web.post(f"{url}resume/", {"note": ""})
    assert again.status_code == 422 and "未暂停" in again.content.decode()
    grid = Client()
    grid.login(username="grid", password=PASSWORD)
    assert grid.post(f"{url}pause/", {"reason": "court", "note": "等待"}).status_code == 422
    assert CasePause.objects.count() == 1


def test_the_api_sets_complexity_and_pauses(county, policy):
    case = new_case(county)
    api = Api("vclerk")
    r = api.post(
        f"/api/v1/cases/{case.code}/transitions",
        {"action": "accept", "complexity": "simple"},
    )
    assert r.status_code == 200, r.content
    assert r.json()["complexity"] == "simple"
    base = f"/api/v1/cases/{case.code}"
    bad = api.post(f"{base}/pause", {"reason": "", "note": ""})
    assert bad.status_code == 422 and bad["Content-Type"] == PROBLEM
    assert "reason" in bad.json()["errors"]
    not_paused = api.post(f"{base}/resume", {})
    assert not_paused.status_code == 409 and "未暂停" in json.dumps(
        not_paused.json(), ensure_ascii=False
    )
    r = api.post(f"{base}/pause", {"reason": "court", "note": "等待法院裁定"})
    assert r.status_code == 200 and r.json()["paused"] is True
    assert api.get(f"{base}/time-limits").json()["pauses"][0]["reason"] == "court"
    assert api.post(f"{base}/resume", {"note": "裁定已送达"}).json()["paused"] is False
    r = api.post(f"{base}/complexity", {"complexity": "complex", "reason": "需多部门会商"})
    assert r.status_code == 200 and r.json()["complexity"] == "complex"
    assert Api("vclerk_sibling").get(f"{base}/time-limits").status_code == 404
    assert Api("grid").post(f"{base}/pause", {"reason": "court", "note": "x"}).status_code == 403
    schema = Client().get("/api/v1/openapi.json").json()
    for path in ("time-limits", "pause", "resume", "complexity"):
        assert f"/api/v1/cases/{{code}}/{path}" in schema["paths"]


# ---------------------------------------------------------------- statistics


def test_indicators_of_time_limits_worked_by_hand(county, policy, client):
    """Five cases of 镇1村1 (the policy: accept within 24 h; 简单 1, 一般 7, 疑难 20 days):

    A 简单: accepted day 0 11:00 (1 h after registration), resolved day 0 20:00 — on time.
    B 一般: accepted day 1 12:00 (26 h: late), resolved day 10 (due day 8 12:00) — late.
    C 简单: accepted day 0 11:00, paused day 0 12:00 – day 2 12:00 for a court (48 working
      hours: days 0–2 work), due day 1 11:00 → day 3 11:00; resolved day 3 10:00 — on time.
    D 疑难: accepted day 0 11:00, open.
    E 一般: accepted day −20, resolved day 2: open at the start of the period only.

    Period: day −5 … day 15. Accepted (增量) A–D = 4; accepted in time A, C, D: 75 %.
    Closed A, B, C; on time A, C: 2/3. By complexity: 简单 2/2, 一般 0/1, 疑难 nothing closed.
    Paused: C, 48 h = 2.00 days. 期初存量 {E}, 期末存量 {D}.
    """
    from stats import rebuild, selectors
    from stats.indicators import INDICATORS

    clerk, village = county.users["vclerk"], county.villages[0]
    center = county.center(village)

    def case(title, registered, accepted_at, complexity):
        c = new_case(county, now=registered, title=title)
        c = perform_transition(c, "accept", clerk, accepted_at, complexity=complexity)
        c = perform_transition(c, "route", clerk, accepted_at, unit_id=center.pk)
        return perform_transition(c, "start", clerk, accepted_at)

    def resolve(c, at):
        return perform_transition(c, "resolve", clerk, at, note="已化解")

    a = case("A", local(0, 10), local(0, 11), "simple")
    resolve(a, local(0, 20))
    b = case("B", local(0, 10), local(1, 12), "ordinary")
    resolve(b, local(10, 10))
    c = case("C", local(0, 10), local(0, 11), "simple")
    pause_case(c, clerk, "court", "等待法院裁定", local(0, 12))
    resume_case(c, clerk, local(2, 12))
    resolve(c, local(3, 10))
    case("D", local(0, 10), local(0, 11), "complex")
    e = case("E", local(-20, 10), local(-20, 11), "ordinary")
    resolve(e, local(2, 10))

    day = NOW.astimezone(SHANGHAI).date()
    period = selectors.Period(
        "custom", day - datetime.timedelta(days=5), day + datetime.timedelta(days=15)
    )
    total = selectors.total(village, period)

    def value(key, counters=total):
        v = INDICATORS[key].value(counters)
        return None if v is None else round(v, 2)

    assert total["accepted"] == 4
    assert value("timely_acceptance_rate") == 75.0
    assert value("on_time_rate") == 66.67
    assert value("paused_cases") == 1 and value("avg_paused_days") == 2.0
    by = selectors.sums(village, period, "complexity")
    assert (by["simple"]["closed"], by["simple"]["closed_on_time"]) == (2, 2)
    assert value("on_time_rate", by["simple"]) == 100.0
    assert value("on_time_rate", by["ordinary"]) == 0.0
    assert value("on_time_rate", by["complex"]) is None
    assert selectors.stock(village, period, period.end) == {
        "stock_start": 1,
        "increment": 4,
        "stock_end": 1,
    }
    # The county keeps roll-up rows, so its 存量 is accepted − closed up to the day; the same
    # cases. At the end of day 1: B, C, D and E are open (A closed on day 0).
    assert selectors.stock(county.county, period, period.end) == {
        "stock_start": 1,
        "increment": 4,
        "stock_end": 1,
    }
    day1 = day + datetime.timedelta(days=1)
    assert selectors.open_at(county.county, day1) == selectors.open_at(village, day1) == 4

    leader = county.users["leader"]

    def behind(key, **kw):
        qs = selectors.cases_behind(leader, village, period, key, today=period.end, **kw)
        titles = sorted(qs.values_list("title", flat=True))
        # The list's pager takes its count from the figures: the same number.
        for area in (village, county.county):
            assert selectors.count_behind(area, period, key, today=period.end, **kw) == len(
                titles
            ), (key, area)
        return titles

    assert behind("on_time_rate", dim="complexity", value="simple") == ["A", "C"]
    assert behind("timely_acceptance_rate") == ["A", "C", "D"]
    assert behind("avg_paused_days") == ["C"]
    assert behind("stock_start") == ["E"] and behind("stock_end") == ["D"]
    assert rebuild.differences() == []  # check_stats is clean

    client.force_login(leader)
    query = {"area": village.pk, "period": "custom", "start": period.start, "end": period.end}
    page = client.get("/stats/", query).content.decode()
    assert "按难易程度的按期办结情况" in page and "期初存量" in page and "及时受理率" in page
    listed = client.get("/stats/cases/", {**query, "indicator": "stock_start"})
    assert listed.status_code == 200 and "期初存量" in listed.content.decode()


def test_the_policy_page_keeps_limits_by_complexity_within_a_month(policy):
    from areas.services import SYSTEM, AdminError
    from routing.manage_services import PolicyInput, StepInput, save_policy

    data = PolicyInput(
        name="按难易程度的时限",
        steps=[StepInput(level=3, time_limit=10, time_unit="calendar_days")],
        simple_days=1,
        ordinary_days=7,
        complex_days=31,
    )
    with pytest.raises(AdminError) as e:
        save_policy(SYSTEM, data)
    assert "complex_days" in e.value.field_errors
    assert not EscalationPolicy.objects.filter(name="按难易程度的时限").exists()
    data.complex_days = 20
    saved = save_policy(SYSTEM, data)
    assert [saved.resolve_days_for(c) for c in ("simple", "ordinary", "complex", "")] == [
        1,
        7,
        20,
        30,
    ]
