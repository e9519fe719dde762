"""Big exports as tasks (jiefen.exports), without a worker: the task's body called directly
(progress, scope, storage), the pages' trigger (a broker and more than EXPORT_ASYNC_ROWS rows:
a task and its progress page; otherwise the workbook in the request, as before), the status
page and the download only for the user who asked, and the sweep deleting old exports.
tests/test_celery.py runs one export end to end with a real worker and Redis."""

import datetime
import io
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404
from openpyxl import load_workbook

from cases import exports as case_exports
from cases.models import CaseAccessLog
from clocks.registry import run_sweep_jobs
from jiefen import exports
from jiefen.models import Export
from tests.factories import NOW, court_batch, new_case

NOVEMBER = {"period": "custom", "start": "2026-11-01", "end": "2026-11-30"}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.EXPORT_ASYNC_ROWS = 3
    settings.CELERY_BROKER_URL = ""


def rows_of(content: bytes) -> list[tuple]:
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    return list(ws.iter_rows(values_only=True))


def record(user, **kw) -> Export:
    return Export.objects.create(user=user, kind="cases", title="案件", created_at=NOW, **kw)


def ran(county, key: str, params: dict, progress=None) -> Export:
    """An export record and the task's body run for it, as the worker would."""
    export = record(county.users[key])
    progress = progress or (lambda done, total: None)
    result = exports.run(str(export.pk), "cases", county.users[key].pk, params, progress)
    export.refresh_from_db()
    assert result == {"done": export.total, "total": export.total}
    return export


# ---------------------------------------------------------------- the task's body


def test_the_task_reports_progress_chunk_by_chunk(county, monkeypatch):
    monkeypatch.setattr(case_exports, "CHUNK", 2)
    cases = [new_case(county) for _ in range(5)]
    seen = []
    export = ran(county, "vclerk", {}, lambda done, total: seen.append((done, total)))
    assert seen == [(0, 5), (2, 5), (4, 5), (5, 5)]
    assert export.total == 5 and export.finished_at == NOW
    rows = rows_of(export.file.read())
    assert sorted(r[0] for r in rows[1:]) == sorted(c.code for c in cases)


def test_a_task_exports_only_the_users_scope_whatever_its_parameters(county):
    mine = [new_case(county) for _ in range(2)]
    theirs = new_case(county, "vclerk_sibling", area=county.villages[1])
    export = ran(county, "vclerk", {})
    assert sorted(r[0] for r in rows_of(export.file.read())[1:]) == sorted(c.code for c in mine)
    # Asking for the sibling village's area, or its unit's queue, gives nothing of it.
    for params in ({"area": str(county.villages[1].pk)}, {"view": "queue", "tab": "unit"}):
        export = ran(county, "vclerk", params)
        codes = [r[0] for r in rows_of(export.file.read())[1:]]
        assert theirs.code not in codes
    # The sibling's own export has it.
    export = ran(county, "vclerk_sibling", {})
    assert [r[0] for r in rows_of(export.file.read())[1:]] == [theirs.code]


def test_a_task_records_a_full_export_as_a_read_of_each_case_with_the_requests_address(
    county,
):
    with_pii = court_batch(county, 2)
    ran(county, "vclerk", {"_ip": "10.1.2.3"})
    logs = CaseAccessLog.objects.all()
    assert sorted(log.case_id for log in logs) == sorted(c.pk for c in with_pii)
    assert {(log.channel, log.ip) for log in logs} == {("export", "10.1.2.3")}


def test_a_task_goes_past_the_requests_limit_up_to_its_own(county, settings, monkeypatch):
    monkeypatch.setattr(case_exports, "EXPORT_LIMIT", 2)
    settings.EXPORT_TASK_MAX_ROWS = 4
    for _ in range(5):
        new_case(county)
    export = ran(county, "vclerk", {})
    assert export.total == 4
    assert len(rows_of(export.file.read())) == 5  # header + 4


def test_an_inactive_user_gets_no_export(county):
    new_case(county)
    user = county.users["vclerk"]
    user.is_active = False
    user.save()
    export = record(user)
    with pytest.raises(user.DoesNotExist):
        exports.run(str(export.pk), "cases", user.pk, {}, lambda *a: None)
    assert not Export.objects.get(pk=export.pk).file


def test_the_statistics_task_checks_the_area_against_the_users_scope(november):
    leader = november.users["leader"]  # of town 1
    seen = []
    params = {"area": str(november.towns[0].pk), **NOVEMBER, "table": "review"}
    built = exports.build("stats", leader, params, lambda d, t: seen.append((d, t)))
    assert built.rows == 1 and seen == [(1, 1)]
    assert built.filename == f"jiefen-review-{november.towns[0].code}-20261101-20261130.xlsx"
    rows = rows_of(built.content)
    assert rows[4][3:] == ("镇1村1人民调解委员会", "调解次数用尽")
    with pytest.raises(Http404):
        exports.build("stats", leader, {**params, "area": str(november.towns[1].pk)})


# ---------------------------------------------------------------- the pages' trigger


def test_without_a_broker_a_big_export_answers_in_the_request(client, county):
    cases = [new_case(county) for _ in range(5)]  # more than EXPORT_ASYNC_ROWS
    client.force_login(county.users["vclerk"])
    response = client.get("/cases/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert sorted(r[0] for r in rows_of(response.content)[1:]) == sorted(c.code for c in cases)
    assert not Export.objects.exists()


def test_with_a_broker_a_small_export_still_answers_in_the_request(client, county, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # never reached
    new_case(county)
    client.force_login(county.users["vclerk"])
    response = client.get("/cases/export/")
    assert response.status_code == 200 and len(rows_of(response.content)) == 2
    assert not Export.objects.exists()


def test_with_a_broker_a_big_export_starts_a_task_and_shows_its_page(
    client, county, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # the task is not sent here
    for _ in range(4):
        new_case(county)
    client.force_login(county.users["vclerk"])
    with django_capture_on_commit_callbacks(execute=False) as sent:
        response = client.get("/cases/export/", {"status": "registered", "page": "2"})
    export = Export.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/{export.pk}/"
    assert len(sent) == 1  # the task, sent once the record is committed
    assert export.user == county.users["vclerk"] and export.title == "案件"


def test_with_a_broker_a_long_review_list_starts_a_task(
    client, november, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.EXPORT_ASYNC_ROWS = 0
    client.force_login(november.users["leader"])
    area = {"area": november.towns[0].pk, **NOVEMBER}
    with django_capture_on_commit_callbacks(execute=False) as sent:
        response = client.get("/stats/export/review.xlsx", area)
    assert response.status_code == 302 and len(sent) == 1
    export = Export.objects.get()
    assert (export.kind, export.title) == ("stats", "镇1 · 季度复盘")
    # A table of figures is bounded: always in the request.
    assert client.get("/stats/export/units.xlsx", area).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_a_big_export_answers_in_the_request(client, settings, monkeypatch):
    """Autocommit, as in production: the task is sent at once; the broker cannot be reached,
    so the user gets the file now instead of an error, and no export record is left."""
    from kombu.exceptions import OperationalError

    from jiefen.tasks import build_export
    from tests.factories import build_county

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(build_export, "apply_async", broker_down)
    county = build_county()
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    cases = [new_case(county) for _ in range(4)]
    client.force_login(county.users["vclerk"])
    response = client.get("/cases/export/")
    assert response.status_code == 200
    assert sorted(r[0] for r in rows_of(response.content)[1:]) == sorted(c.code for c in cases)
    assert not Export.objects.exists()


# ---------------------------------------------------------------- the status page, the file


def test_the_status_page_and_the_download_are_only_for_the_user_who_asked(client, county):
    new_case(county)
    export = ran(county, "vclerk", {})
    client.force_login(county.users["vclerk"])
    page = client.get(f"/exports/{export.pk}/").content.decode()
    assert "文件已生成" in page and f"/exports/{export.pk}/download/" in page
    assert "已写入 1 / 1 行" in page
    response = client.get(f"/exports/{export.pk}/download/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert len(rows_of(b"".join(response.streaming_content))) == 2
    client.force_login(county.users["vclerk_sibling"])
    assert client.get(f"/exports/{export.pk}/").status_code == 404
    assert client.get(f"/exports/{export.pk}/download/").status_code == 404
    assert client.get(f"/exports/{uuid.uuid4()}/").status_code == 404


def test_a_running_export_page_polls_its_progress(client, county):
    export = record(county.users["vclerk"])  # no file yet; no broker: not known to be done
    client.force_login(county.users["vclerk"])
    page = client.get(f"/exports/{export.pk}/").content.decode()
    assert "正在生成文件" in page and 'hx-trigger="every 2s"' in page
    assert client.get(f"/exports/{export.pk}/download/").status_code == 404
    part = client.get(f"/exports/{export.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert part.lstrip().startswith('<section class="card" id="export-status"')


def test_the_sweep_deletes_exports_once_they_expire(client, county, settings):
    settings.EXPORT_KEEP_HOURS = 24
    user = county.users["vclerk"]
    old = record(user, total=1, filename="old.xlsx")
    old.file.save("old.xlsx", ContentFile(b"x"), save=True)
    Export.objects.filter(pk=old.pk).update(created_at=NOW - datetime.timedelta(hours=25))
    new = record(user, total=1, filename="new.xlsx")
    new.file.save("new.xlsx", ContentFile(b"y"), save=True)
    old_name = old.file.name
    # Expired: not served even before the sweep comes.
    client.force_login(user)
    assert client.get(f"/exports/{old.pk}/download/").status_code == 404
    assert run_sweep_jobs(NOW)["exports_expired"] == 1
    assert not default_storage.exists(old_name)
    assert list(Export.objects.all()) == [new]
    assert default_storage.exists(new.file.name)
    assert run_sweep_jobs(NOW)["exports_expired"] == 0


def test_a_file_whose_record_is_gone_is_not_kept(county, tmp_path):
    user = county.users["vclerk"]
    new_case(county)
    exports.run(str(uuid.uuid4()), "cases", user.pk, {}, lambda *a: None)
    assert not list((tmp_path / "exports").iterdir())
