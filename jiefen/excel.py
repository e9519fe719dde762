"""Excel workbooks the pages hand out (templates, error reports, exports): one sheet per
table, a bold header row that stays in view, columns wide enough for their header."""

import io
from collections.abc import Iterable

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def add_sheet(wb: Workbook, title: str, header: list[str], rows: Iterable[list], first=False):
    """A sheet `title` (the workbook's first one with `first`) with `header` and `rows`."""
    ws = wb.active if first else wb.create_sheet()
    ws.title = title[:31]  # Excel's limit
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    for i, text in enumerate(header, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(12, len(str(text)) * 2 + 2)
    ws.freeze_panes = "A2"
    return ws


def workbook_bytes(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A download of the workbook `content` as `filename` (ASCII letters, digits, dashes)."""
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response
