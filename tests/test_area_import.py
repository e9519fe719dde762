"""Importing the area tree from CSV and Excel: good rows in, bad rows reported, re-import updates."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from areas.models import Area, Level
from areas.services import SYSTEM, import_areas

# Children before parents on purpose; rows 7–10 are bad.
ROWS = [
    ["code", "name", "level", "parent_code", "population"],
    ["430122100201001", "东山村一网格", "grid", "", "600"],  # row 2
    ["430122100201", "东山村", "village", "", "2,300"],  # row 3
    ["430122100000", "东山镇", "town", "", "41000"],  # row 4
    ["430122000000", "望城县", "county", "", "800000"],  # row 5
    ["430122001001", "金星社区", "社区", "430122001000", "9000"],  # row 6, parent in row 11
    ["43012210020", "短码村", "village", "", "100"],  # row 7: bad code
    ["430122199201", "无镇村", "village", "", "100"],  # row 8: unknown parent
    ["430122100202", "西山村", "village", "", "约三千"],  # row 9: bad population
    ["430122100203", "南山村", "hamlet", "", "100"],  # row 10: unknown level
    ["430122001000", "金星街道", "街道", "", "52000"],  # row 11
]


def as_csv(rows, encoding="utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def errors_by_row(report):
    return {(e.row, e.column) for e in report.errors}


def test_csv_import_keeps_good_rows_and_reports_bad_ones(db):
    report = import_areas(SYSTEM, "areas.csv", as_csv(ROWS))
    assert report.created == 6
    assert errors_by_row(report) == {
        (7, "code"),
        (8, "parent_code"),
        (9, "population"),
        (10, "level"),
    }
    assert all(e.message for e in report.errors)
    grid = Area.objects.get(code="430122100201001")
    assert [a.code for a in grid.ancestors()] == [
        "430122000000",
        "430122100000",
        "430122100201",
        "430122100201001",
    ]
    assert Area.objects.get(code="430122100201").population == 2300
    assert Area.objects.get(code="430122001001").parent.name == "金星街道"
    assert not Area.objects.filter(code__in=["430122199201", "430122100202"]).exists()


def test_reimport_updates_instead_of_duplicating(db):
    import_areas(SYSTEM, "areas.csv", as_csv(ROWS))
    count = Area.objects.count()
    again = import_areas(SYSTEM, "areas.csv", as_csv(ROWS))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)
    assert again.failed_rows == 4
    changed = [r[:] for r in ROWS]
    changed[3][1], changed[3][4] = "东山镇（新）", "42000"
    third = import_areas(SYSTEM, "areas.csv", as_csv(changed))
    assert (third.created, third.updated) == (0, 1)
    assert Area.objects.count() == count
    assert Area.objects.get(code="430122100000").population == 42000


def test_xlsx_with_chinese_headers_numeric_cells_and_gbk_csv(db):
    wb = Workbook()
    ws = wb.active
    ws.append(["区划代码", "名称", "层级", "上级代码", "人口"])
    ws.append([430122000000, "望城县", "县", None, 800000])
    ws.append([430122100000, "东山镇", 4, None, 41000.0])
    ws.append([430122100201, "东山村", "村", 430122100000, 2300])
    ws.append([430122100201001, "东山村一网格", "网格", None, 600])
    ws.append([430122100202001, "孤立网格", "网格", None, 10])  # parent village missing
    buf = io.BytesIO()
    wb.save(buf)
    report = import_areas(SYSTEM, "tree.xlsx", buf.getvalue())
    assert report.created == 4
    assert errors_by_row(report) == {(6, "parent_code")}
    assert Area.objects.get(code="430122100201001").level == Level.GRID

    gbk = as_csv([["code", "name", "level"], ["430122100202", "西山村", "村"]], encoding="gbk")
    assert import_areas(SYSTEM, "gbk.csv", gbk).created == 1
    assert Area.objects.get(code="430122100202").name == "西山村"


def test_missing_columns_are_reported(db):
    report = import_areas(SYSTEM, "x.csv", as_csv([["code", "name"], ["430122000000", "望城县"]]))
    assert report.created == 0 and report.errors[0].column == "level"


def test_import_page(client, db):
    admin = get_user_model().objects.create(username="root", is_superuser=True)
    client.force_login(admin)
    upload = SimpleUploadedFile("areas.csv", as_csv(ROWS), content_type="text/csv")
    r = client.post("/manage/areas/import/", {"file": upload})
    assert r.status_code == 200
    report = r.context["report"]
    assert report.created == 6 and report.failed_rows == 4
    assert "430122100201001" in Area.objects.values_list("code", flat=True)
    bad = SimpleUploadedFile("areas.txt", b"x", content_type="text/plain")
    r = client.post("/manage/areas/import/", {"file": bad})
    assert "file" in r.context["form"].errors


def test_import_command(db, tmp_path):
    path = tmp_path / "areas.csv"
    path.write_bytes(as_csv(ROWS[:5]))
    out = io.StringIO()
    call_command("import_areas", str(path), stdout=out)
    assert "created=4 updated=0" in out.getvalue()
    path.write_bytes(as_csv(ROWS))
    with pytest.raises(CommandError):
        call_command("import_areas", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert Area.objects.filter(code="430122001000").exists()  # good rows kept
