"""有事报情况，无事报平安: a grid's daily report, its items turned into cases, the grids the
village and town see, and the missing reports the sweep counts once per grid and working day."""

import datetime

from areas.models import Role
from cases.models import Case
from clocks.models import CalendarOverride
from jiefen import clock
from portal.daily import count_missed
from portal.models import DailyReport, MissedDailyReport
from routing.sweep import sweep
from tests.factories import NOW, user

DAY = datetime.timedelta(days=1)


def test_one_tap_all_quiet_once_per_grid_and_day(client, county):
    grid = county.grids[0]
    client.force_login(county.users["grid"])
    assert client.get("/grid/daily/").status_code == 200
    response = client.post("/grid/daily/", {"grid": grid.pk, "action": "quiet"})
    assert response.status_code == 302
    report = DailyReport.objects.get()
    assert report.all_quiet and report.grid == grid and report.day == clock.today_local()
    html = client.post("/grid/daily/", {"grid": grid.pk, "action": "quiet"}, follow=True)
    assert "今天已经上报" in html.content.decode()
    assert DailyReport.objects.count() == 1


def test_an_item_becomes_a_case_with_one_more_tap(client, county):
    grid = county.grids[0]
    client.force_login(county.users["grid"])
    client.post(
        "/grid/daily/",
        {"grid": grid.pk, "action": "item", "kind": "dispute", "text": "两户因宅基地界址争吵"},
    )
    item = DailyReport.objects.get().items.get()
    # Without a party, a clear message and no case.
    response = client.post(f"/grid/daily/items/{item.pk}/case/", follow=True)
    assert "请填写当事人" in response.content.decode() and not Case.objects.exists()
    response = client.post(
        f"/grid/daily/items/{item.pk}/case/", {"party_name": "刘大", "party_phone": "13800138000"}
    )
    case = Case.objects.get()
    assert response["Location"] == f"/cases/{case.code}/"
    assert (
        case.area == grid and case.channel == "grid_app" and case.reporter == item.report.reporter
    )
    item.refresh_from_db()
    assert item.case == case
    again = client.post(f"/grid/daily/items/{item.pk}/case/", {"party_name": "刘大"}, follow=True)
    assert "已转为案件" in again.content.decode() and Case.objects.count() == 1


def test_a_worker_cannot_report_for_another_grid_nor_others_at_all(client, county):
    client.force_login(county.users["grid"])
    other = county.grids[1]
    response = client.post("/grid/daily/", {"grid": other.pk, "action": "quiet"})
    assert response.status_code == 404 and not DailyReport.objects.exists()
    client.force_login(county.users["vclerk"])
    assert client.get("/grid/daily/").status_code == 404


def test_village_and_town_see_who_reported_today(client, county):
    user("grid2", county.center(county.villages[1]), Role.GRID_WORKER, county.grids[1])
    client.force_login(county.users["grid"])
    client.post("/grid/daily/", {"grid": county.grids[0].pk, "action": "quiet"})
    client.force_login(county.users["tclerk"])  # town 1: grids 0 and 1
    html = client.get("/grid/daily/overview/").content.decode()
    assert county.grids[0].name in html and county.grids[1].name in html
    assert county.grids[2].name not in html
    assert "1/2个网格今天已上报" in html.replace(" ", "")
    client.force_login(county.users["vclerk_sibling"])  # village 2: its own grid only
    html = client.get("/grid/daily/overview/").content.decode()
    assert county.grids[1].name in html and county.grids[0].name not in html
    client.force_login(county.users["grid"])
    assert client.get("/grid/daily/overview/").status_code == 404


def test_missing_reports_are_counted_once_per_grid_day_and_not_on_holidays(county):
    # A Monday (NOW's week's, so the test holds with the clock moved a year ahead); the grid
    # worker joined the Monday before.
    monday = NOW - NOW.weekday() * DAY
    worker = county.users["grid"]
    worker.date_joined = monday - 7 * DAY
    worker.save()
    grid = county.grids[0]
    DailyReport.objects.create(grid=grid, day=(monday - 6 * DAY).date(), created_at=monday)
    CalendarOverride.objects.create(date=(monday - 4 * DAY).date(), is_workday=False)  # Thu off
    first = sweep(monday)
    second = sweep(monday)
    days = sorted(MissedDailyReport.objects.filter(grid=grid).values_list("day", flat=True))
    # Last Monday, Wednesday and Friday missed; Tuesday reported, Thursday a holiday, the
    # weekend not counted, and today (Monday) is not over.
    assert days == [(monday - k * DAY).date() for k in (7, 5, 3)]
    assert first.jobs["daily_reports_missed"] == 3 and second.jobs["daily_reports_missed"] == 0
    assert count_missed(monday + DAY) == 1  # this Monday is over the next day


def test_a_sweep_that_did_not_run_for_weeks_counts_back_to_the_grids_start(county):
    """Not a fixed week: from the grid's first staffed day (bounded to LOOKBACK_DAYS), then
    from the day after the last counted miss; holidays and weekends never."""
    from clocks.calendar import is_workday, local_date
    from portal.daily import LOOKBACK_DAYS

    today = local_date(NOW)
    worker = county.users["grid"]
    worker.date_joined = NOW - 20 * DAY
    worker.save()
    grid = county.grids[0]
    holiday = today - 10 * DAY
    CalendarOverride.objects.create(date=holiday, is_workday=False)

    def workdays(first, last):
        n = (last - first).days + 1
        return [d for d in (first + k * DAY for k in range(n)) if d != holiday and is_workday(d)]

    expected = workdays(today - 20 * DAY, today - DAY)
    assert count_missed(NOW) == len(expected) and count_missed(NOW) == 0
    days = list(
        MissedDailyReport.objects.filter(grid=grid).order_by("day").values_list("day", flat=True)
    )
    assert days == expected and len(days) > 5 and holiday not in days
    # A week later, only the days after the last counted one.
    later = NOW + 7 * DAY
    assert count_missed(later) == len(workdays(today, today + 6 * DAY))
    # A grid staffed for a year: at most LOOKBACK_DAYS back.
    MissedDailyReport.objects.all().delete()
    worker.date_joined = NOW - 365 * DAY
    worker.save()
    count_missed(NOW)
    first = MissedDailyReport.objects.order_by("day").first().day
    assert first >= today - LOOKBACK_DAYS * DAY


def test_missed_days_cost_the_grid_worker_in_the_assessment(client, county):
    from stats import selectors

    worker = county.users["grid"]
    MissedDailyReport.objects.create(grid=county.grids[0], day=NOW.date(), counted_at=NOW)
    period = selectors.period_of("month", NOW.date())
    [(u, counters, score, _stars)] = [
        row for row in selectors.grid_workers(county.towns[0], period) if row[0] == worker
    ]
    assert counters["missed_daily"] == 1 and score == 0.0  # no cases, one missed day
    client.force_login(county.users["leader"])
    html = client.get("/stats/assessment/", {"area": county.towns[0].pk}).content.decode()
    assert "漏报日报" in html


def test_the_api_files_a_daily_report(client, county):

    token = client.post(
        "/api/v1/auth/token",
        {"username": "grid", "password": "pw-for-tests-1"},
        content_type="application/json",
    ).json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    url = "/api/v1/grid/daily-reports"
    body = {"grid_code": county.grids[0].code, "items": [{"kind": "hazard", "text": "护栏缺损"}]}
    response = client.post(url, body, content_type="application/json", **auth)
    assert response.status_code == 201 and response.json()["items"] == 1
    other = {"grid_code": county.grids[1].code, "all_quiet": True}
    response = client.post(url, other, content_type="application/json", **auth)
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    both = {"grid_code": county.grids[0].code, "all_quiet": True, "items": body["items"]}
    assert client.post(url, both, content_type="application/json", **auth).status_code == 422
