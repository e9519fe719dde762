"""What a leader prints and files: the Excel export of every statistics table, the monthly
PDF report and the assessment page, on the hand-made November of tests/stats_data.py."""

import io
import re
import subprocess

import pytest
from openpyxl import load_workbook
from PIL import Image

from areas.models import Membership, Role
from jiefen import clock
from stats.indicators import INDICATORS, STOCK
from stats.models import AssessmentWeight
from tests.factories import new_case
from tests.stats_data import act, at, party_rates

NOVEMBER = {"period": "custom", "start": "2026-11-01", "end": "2026-11-30"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TABLES = (
    "indicators",
    "category",
    "channel",
    "level",
    "subareas",
    "units",
    "unitscores",
    "gridworkers",
    "review",
    "complexity",
    "stock",
)
COMMITTEE = "镇1村1人民调解委员会"
# The committee handled A–H (stats_data): 8 accepted, 5 resolved, 7 closed, 6 of them on
# time, 3 resolved first time, 1 overdue, 3 evaluated of which 2 satisfied. With the default
# weights (resolution 30, closure 20, on time 20, first time 10, satisfaction 20; 1 point off
# per overdue case):
COMMITTEE_SCORE = round(
    (30 * 5 / 8 * 100 + 20 * 7 / 8 * 100 + 20 * 6 / 7 * 100 + 10 * 3 / 8 * 100 + 20 * 2 / 3 * 100)
    / 100
    - 1,
    1,
)  # 69.5


def name(key: str) -> str:
    return str(INDICATORS[key].name)


def sheet_rows(response) -> tuple[list, list]:
    """(the table's rows, the definitions sheet's rows) of an exported workbook."""
    book = load_workbook(io.BytesIO(response.content))
    table, definitions = book.worksheets
    return list(table.iter_rows(values_only=True)), list(definitions.iter_rows(values_only=True))


def test_every_table_exports_to_excel_with_area_period_and_definitions(november, client):
    town = november.towns[0]
    client.force_login(november.users["leader"])
    tables = {}
    for table in TABLES:
        response = client.get(f"/stats/export/{table}.xlsx", {"area": town.pk, **NOVEMBER})
        assert response.status_code == 200, table
        assert response["Content-Type"] == XLSX
        assert f"{town.code}-20261101-20261130.xlsx" in response["Content-Disposition"]
        rows, definitions = sheet_rows(response)
        assert rows[0][0].startswith(f"镇1（{town.code}）"), table
        assert rows[1][:2] == ("统计期间", "2026-11-01 – 2026-11-30"), table
        assert definitions[0] == ("指标", "口径")
        assert [r[0] for r in definitions[1:]] == [name(k) for k in INDICATORS] + [
            str(f.name) for f in STOCK.values()
        ]
        assert all(r[1] for r in definitions[1:])  # every indicator has its definition
        tables[table] = rows[4:]  # title, period, blank, header

    figures = {r[0]: (r[1], r[2]) for r in tables["indicators"]}  # (November, October)
    assert figures[name("accepted")] == (9, 1)
    assert figures[name("resolved")] == (5, 0)
    assert figures[name("resolution_rate")] == (round(5 * 100 / 9, 2), 0)
    assert figures[name("overdue")] == (1, 0)
    # 镇1村1 has A–H, 镇1村2 has K; columns: accepted, resolved, rate, closed, rate, overdue.
    assert [r[:3] for r in tables["subareas"]] == [("镇1村1", 8, 5), ("镇1村2", 1, 0)]
    assert {r[0]: r[1] for r in tables["channel"]} == {"网格员上报": 7, "法院委派": 2}
    units = {r[0]: r for r in tables["unitscores"]}
    assert units[COMMITTEE][1] == COMMITTEE_SCORE
    assert [r[0] for r in tables["units"]] == [COMMITTEE, "镇1村2综治中心"]
    # The review list: C escalated after its third failed mediation attempt.
    assert len(tables["review"]) == 1
    assert tables["review"][0][3:] == (COMMITTEE, "调解次数用尽")


def test_an_unknown_table_or_an_area_outside_the_users_scope_is_not_found(november, client):
    client.force_login(november.users["leader"])  # leader of town 1
    assert client.get("/stats/export/nonsense.xlsx", NOVEMBER).status_code == 404
    other_town = november.towns[1]
    response = client.get("/stats/export/indicators.xlsx", {"area": other_town.pk, **NOVEMBER})
    assert response.status_code == 404


def pdf_text(data: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return done.stdout.decode()


def coloured_pixels(data: bytes, rgb: tuple[int, int, int]) -> int:
    """Pixels of page 1, rendered at 50 dpi, within a few steps of the colour."""
    png = subprocess.run(
        ["pdftoppm", "-f", "1", "-l", "1", "-r", "50", "-png", "-"],
        input=data,
        capture_output=True,
        check=True,
    ).stdout
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return sum(
        n
        for n, colour in image.getcolors(maxcolors=1 << 24)
        if all(abs(a - b) <= 6 for a, b in zip(colour, rgb, strict=True))
    )


def test_monthly_report_is_a_printable_pdf_with_figures_and_charts(november, client):
    town = november.towns[0]
    client.force_login(november.users["leader"])
    # Printed once November is over: compared with the whole of October.
    with clock.pinned(at(12, 2)):
        response = client.get("/stats/report.pdf", {"area": town.pk, "month": "2026-11"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "镇1矛盾纠纷化解工作月报（2026-11）" in text
    assert "与上月（10月1日–31日）比较" in text
    assert re.search(rf"{name('accepted')}\s+9\s+1\n", text)  # November, then October
    assert re.search(rf"{name('resolution_rate')}\s+55\.56%\s+0\.00%", text)
    assert re.search(r"镇1村1\s+8\s+62\.50%\s+1", text)
    assert name("first_time_rate") + "：" in text  # the definitions close the report
    # The daily columns (accepted in blue, resolved in green inside) and the bars are drawn.
    assert coloured_pixels(response.content, (91, 142, 201)) > 50
    assert coloured_pixels(response.content, (46, 125, 50)) > 10
    bad = client.get("/stats/report.pdf", {"area": town.pk, "month": "2026-13"})
    assert bad.status_code == 400  # the month is read by a form: a 400 page says why
    # Printed on 23 November: like with like, 1–23 October (I, on the 31st, is not in it).
    with clock.pinned(at(11, 23)):
        early = pdf_text(
            client.get("/stats/report.pdf", {"area": town.pk, "month": "2026-11"}).content
        )
    assert "与上月同期（10月1日–23日）比较" in early
    assert re.search(rf"{name('accepted')}\s+9\s+0\n", early)


def assessment_rows(html: str, section: str) -> dict[str, list[str]]:
    """First cell → cells of each row of one section's table, tags stripped."""
    part = html.split(f'id="{section}"', 1)[1].split("</section>", 1)[0]
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", part, re.S)[1:]:
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", tr)]
        rows[cells[0]] = cells
    return rows


def test_assessment_scores_units_by_the_weights_an_administrator_sets(november, client):
    town = november.towns[0]
    leader = november.users["leader"]
    client.force_login(leader)
    page = client.get("/stats/assessment/", {"area": town.pk, **NOVEMBER}).content.decode()
    units = assessment_rows(page, "unit-scores")
    assert units[COMMITTEE][1] == str(COMMITTEE_SCORE)
    assert units["镇1村2综治中心"][1] == "0.0"  # K: accepted, nothing resolved yet
    # The weights in use, by their names, in the order of the indicators.
    assert (
        "权重: 化解率 30，办结率 20，按期办结率 20，一次性化解率 10，每件逾期扣分 1，满意率 20，"
        "每次未报到扣分 2</p>" in page
    )
    review = assessment_rows(page, "review")
    assert [r[4] for r in review.values()] == ["调解次数用尽"]

    # A leader may not change the weights; an administrator may.
    assert client.get("/stats/assessment/weights/").status_code == 403
    Membership.objects.create(user=leader, unit=november.center(town), role=Role.ADMIN)
    form = client.get("/stats/assessment/weights/").context["wf"]
    data = {
        "w-TOTAL_FORMS": str(len(form.forms)),
        "w-INITIAL_FORMS": str(len(form.forms)),
        "s-TOTAL_FORMS": "0",
        "s-INITIAL_FORMS": "0",
    }
    for i, f in enumerate(form.forms):
        data[f"w-{i}-id"] = str(f.instance.pk)
        data[f"w-{i}-weight"] = "100" if f.instance.indicator == "resolution_rate" else "0"
    assert client.post("/stats/assessment/weights/", data).status_code == 302
    assert AssessmentWeight.objects.get(indicator="overdue").weight == 0
    page = client.get("/stats/assessment/", {"area": town.pk, **NOVEMBER}).content.decode()
    assert assessment_rows(page, "unit-scores")[COMMITTEE][1] == "62.5"  # 5 of 8 resolved

    data["w-0-weight"] = "abc"
    response = client.post("/stats/assessment/weights/", data)
    assert response.status_code == 200 and "输入一个数字。" in response.content.decode()


@pytest.fixture
def grid_reports(november):
    """The grid worker reports two cases on 20 November: P is resolved and the party is
    satisfied, Q is accepted and still waiting."""
    c = november
    p = act(c, new_case(c, "grid", now=at(11, 20)), "accept", at(11, 20), actor="vclerk")
    p = act(c, p, "route", at(11, 20), actor="vclerk", unit="committee")
    p = act(c, p, "start", at(11, 20), actor="vclerk")
    p = act(c, p, "resolve", at(11, 22), actor="vclerk")
    party_rates(p, "satisfied", at(11, 23))
    act(c, new_case(c, "grid", now=at(11, 21)), "accept", at(11, 21), actor="vclerk")
    return c


def test_grid_worker_stars(grid_reports, client):
    c = grid_reports
    # Rates 50 (resolved 1 of 2), 50 (closed), 100 (on time), 50 (first time), 100 (satisfied):
    # (30·50 + 20·50 + 20·100 + 10·50 + 20·100) / 100 = 70, two stars (60 or more).
    for area, viewer in ((c.towns[0], "leader"), (c.county, "cclerk")):
        client.force_login(c.users[viewer])
        page = client.get("/stats/assessment/", {"area": area.pk, **NOVEMBER}).content.decode()
        workers = assessment_rows(page, "grid-workers")
        assert workers["grid"][1:4] == ["★★", "70.0", "2"], area.name
