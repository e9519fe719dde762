"""民情日志 and 问题清单: kept by the grid worker for their grid, read by its centers."""

from django.core.files.uploadedfile import SimpleUploadedFile

from areas.models import Role
from cases.models import Case
from portal.models import Problem, VisitLog
from tests.factories import NOW, user
from tests.test_portal_tracking import PNG


def test_a_grid_worker_logs_a_visit_with_photo_and_location(client, county):
    client.force_login(county.users["grid"])
    photo = SimpleUploadedFile("v.png", PNG, content_type="image/png")
    response = client.post(
        "/grid/log/",
        {
            "grid": county.grids[0].pk,
            "action": "visit",
            "place": "3组王大爷家",
            "found": "老人独居，身体尚好。",
            "location": "28.1234567,112.9876543",
            "photo": photo,
        },
    )
    assert response.status_code == 302
    entry = VisitLog.objects.get()
    assert entry.location == "28.12346,112.98765" and entry.at == NOW and entry.photo
    html = client.get("/grid/log/").content.decode()
    assert "3组王大爷家" in html and "28.12346,112.98765" in html
    assert client.get(f"/grid/log/visits/{entry.pk}/photo")["Content-Type"] == "image/png"


def test_problems_stay_open_until_closed_or_made_a_case(client, county):
    client.force_login(county.users["grid"])
    grid = county.grids[0].pk
    for text in ("河边护栏缺损", "两户因宅基地关系紧张"):
        client.post(
            "/grid/log/", {"grid": grid, "action": "problem", "kind": "hazard", "text": text}
        )
    first, second = Problem.objects.order_by("pk")
    response = client.post("/grid/log/", {"problem": first.pk, "action": "close", "note": ""})
    assert "请填写处理情况" in response.content.decode()
    client.post("/grid/log/", {"problem": first.pk, "action": "close", "note": "已修复"})
    response = client.post(
        "/grid/log/", {"problem": second.pk, "action": "case", "party_name": "刘大"}
    )
    case = Case.objects.get()
    assert response["Location"] == f"/cases/{case.code}/"
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status, second.case) == ("closed", "case", case)


def test_each_sees_only_their_grids(client, county):
    user("grid2", county.center(county.villages[1]), Role.GRID_WORKER, county.grids[1])
    VisitLog.objects.create(grid=county.grids[0], at=NOW, place="甲户", found="平安")
    VisitLog.objects.create(grid=county.grids[1], at=NOW, place="乙户", found="平安")
    client.login(username="grid2", password="pw-for-tests-1")
    html = client.get("/grid/log/").content.decode()
    assert "乙户" in html and "甲户" not in html
    other = VisitLog.objects.get(place="甲户")
    assert client.get(f"/grid/log/visits/{other.pk}/photo").status_code == 404
    response = client.post(
        "/grid/log/",
        {"grid": county.grids[0].pk, "action": "problem", "kind": "hazard", "text": "x"},
    )
    assert response.status_code == 404 and not Problem.objects.exists()
    client.force_login(county.users["vclerk"])  # village 1's center reads its grid
    html = client.get("/grid/log/").content.decode()
    assert "甲户" in html and "乙户" not in html
    assert client.post("/grid/log/", {"action": "problem"}).status_code == 404  # reads only
    client.force_login(county.users["tclerk"])  # the town reads both
    html = client.get("/grid/log/").content.decode()
    assert "甲户" in html and "乙户" in html
    client.force_login(county.users["mediator"])
    assert client.get("/grid/log/").status_code == 404


def test_a_forged_row_id_is_a_404_not_a_500(client, county):
    client.force_login(county.users["grid"])
    forged = {"problem": "x1", "action": "close", "note": "已处理"}
    assert client.post("/grid/log/", forged).status_code == 404
    assert client.post("/grid/daily/", {"grid": "abc", "action": "quiet"}).status_code == 404
