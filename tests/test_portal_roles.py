"""信息员 and 联户长 report for their grid (daily report, visit log, problem list) but do not
register or handle cases."""

from areas.models import Role
from cases.models import Case
from portal.models import DailyReport, Problem, VisitLog
from tests.factories import new_case, user


def test_an_informant_reports_and_logs_but_makes_no_case(client, county):
    grid = county.grids[0]
    informant = user("informant", county.center(county.villages[0]), Role.INFORMANT, grid)
    client.force_login(informant)
    assert "每日上报" in client.get("/grid/daily/").content.decode()
    client.post(
        "/grid/daily/",
        {"grid": grid.pk, "action": "item", "kind": "dispute", "text": "两户争吵"},
    )
    item = DailyReport.objects.get().items.get()
    assert "转为案件" not in client.get("/grid/daily/").content.decode()
    response = client.post(
        f"/grid/daily/items/{item.pk}/case/", {"party_name": "刘大"}, follow=True
    )
    assert "只有网格员可以转为案件" in response.content.decode() and not Case.objects.exists()
    client.post(
        "/grid/log/", {"grid": grid.pk, "action": "visit", "place": "甲户", "found": "平安"}
    )
    client.post(
        "/grid/log/", {"grid": grid.pk, "action": "problem", "kind": "hazard", "text": "护栏"}
    )
    assert VisitLog.objects.count() == 1 and Problem.objects.count() == 1
    problem = Problem.objects.get()
    client.post("/grid/log/", {"problem": problem.pk, "action": "case", "party_name": "刘大"})
    assert not Case.objects.exists()
    # The grid worker turns the informant's item into a case.
    client.force_login(county.users["grid"])
    client.post(f"/grid/daily/items/{item.pk}/case/", {"party_name": "刘大"})
    assert Case.objects.count() == 1


def test_an_informant_neither_registers_nor_handles_cases(client, county):
    informant = user(
        "household", county.center(county.villages[0]), Role.HOUSEHOLD_HEAD, county.grids[0]
    )
    case = new_case(county, "grid")
    client.force_login(informant)
    response = client.post(f"/cases/{case.code}/act/", {"action": "settle_at_grid"})
    assert response.status_code == 404 or "无权" in response.content.decode()
    case.refresh_from_db()
    assert case.status == "registered"
