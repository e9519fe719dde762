"""Offline drafts (issue 14, item 8): the service worker is served at the root, and a draft
of the intake form or the daily report sent twice (the page resent it when the connection
came back) makes one case, one report, one item."""

import threading

import pytest
from django.db import connection

from cases.models import Case
from portal.models import DailyReport, DailyReportItem
from tests.test_case_views import intake_data

KEY = "0f3c9a1e5b7d4c2a8e6f1b3d5a7c9e0f"


def test_the_service_worker_is_served_at_the_root_with_the_offline_pages(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    assert '"/cases/new/"' in body and '"/grid/daily/"' in body and "/static/" in body
    assert "https://" not in body  # nothing from outside the site


def test_the_intake_and_daily_pages_load_the_offline_script_and_carry_a_key(client, county):
    client.force_login(county.users["grid"])
    for url in ["/cases/new/", "/grid/daily/"]:
        html = client.get(url).content.decode()
        assert "jiefen/offline.js" in html and "data-offline" in html
        assert 'name="idempotency_key"' in html
        assert "已保存草稿，联网后自动发送" in html and "已发送" in html


def test_an_intake_draft_sent_twice_makes_one_case(client, county):
    client.force_login(county.users["grid"])
    first = client.post("/cases/new/", intake_data(county, idempotency_key=KEY))
    case = Case.objects.get()
    assert first["Location"] == f"/cases/{case.code}/"
    assert case.external_ref == f"intake:{KEY}"
    again = client.post("/cases/new/", intake_data(county, idempotency_key=KEY), follow=True)
    assert Case.objects.count() == 1
    assert again.redirect_chain[-1][0] == f"/cases/{case.code}/"
    assert "这份草稿已经发送过" in again.content.decode()
    # Another draft (another key) is another case; a malformed key is no key.
    client.post("/cases/new/", intake_data(county, idempotency_key=KEY[::-1]))
    client.post("/cases/new/", intake_data(county, idempotency_key="<bad key>"))
    client.post("/cases/new/", intake_data(county, idempotency_key="<bad key>"))
    assert Case.objects.count() == 4


def test_the_same_key_of_another_user_is_not_their_case(client, county):
    client.force_login(county.users["grid"])
    client.post("/cases/new/", intake_data(county, idempotency_key=KEY))
    client.force_login(county.users["vclerk"])
    client.post("/cases/new/", intake_data(county, idempotency_key=KEY))
    assert Case.objects.count() == 2


def test_a_daily_report_draft_sent_twice_files_it_once(client, county):
    grid = county.grids[0]
    client.force_login(county.users["grid"])
    quiet = {"grid": grid.pk, "action": "quiet", "idempotency_key": KEY}
    assert client.post("/grid/daily/", quiet).status_code == 302
    again = client.post("/grid/daily/", quiet, follow=True)
    assert again.redirect_chain and "今天已经上报" not in again.content.decode()
    assert DailyReport.objects.count() == 1
    # Another tap (another key) is refused as before.
    other = client.post("/grid/daily/", {**quiet, "idempotency_key": KEY[::-1]}, follow=True)
    assert "今天已经上报" in other.content.decode()
    item = {"grid": grid.pk, "action": "item", "kind": "hazard", "text": "河堤有裂缝"}
    for _ in range(2):
        client.post("/grid/daily/", {**item, "idempotency_key": KEY[::-1]})
    client.post("/grid/daily/", {**item, "idempotency_key": KEY[:20]})
    assert DailyReportItem.objects.count() == 2


@pytest.mark.threaded
@pytest.mark.django_db(transaction=True)
def test_two_sends_of_one_draft_at_once_make_one_case():
    from django.test import Client

    from tests.factories import build_county

    county = build_county()
    barrier = threading.Barrier(2)
    statuses, errors = [], []

    def send():
        try:
            c = Client()
            c.force_login(county.users["grid"])
            barrier.wait()
            statuses.append(c.post("/cases/new/", intake_data(county, idempotency_key=KEY)))
        except Exception as e:  # surfaced below; a thread's exception would be lost
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert [r.status_code for r in statuses] == [302, 302]
    assert Case.objects.count() == 1
