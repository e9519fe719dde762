"""Every spreadsheet the app writes or reads goes through here.

Writing: a text cell that starts with = + - @ (or a tab or carriage return, which some
programs skip before reading a formula) would be a live formula in Excel — a referral's
reference typed as `=HYPERLINK(...)` would become a link that sends the sheet's data away.
`append_row` stores such a cell as text with Excel's quote prefix, so it shows the same
characters and never runs (and stays text when someone edits it).

Reading: a small .xlsx can claim a huge sheet (a dimension of A1:XFD1500, or one cell in
column XFD, or a million-row gap) and a small zip can unpack to gigabytes. `read_table`
streams the first sheet (openpyxl read-only mode, the claimed dimension ignored), reads at
most SPREADSHEET_MAX_COLUMNS columns and stops at the first row past SPREADSHEET_MAX_ROWS, and
refuses a workbook whose parts unpack to more than SPREADSHEET_MAX_UNPACKED_BYTES. A CSV
(UTF-8 or GBK) is read under the same limits.
"""

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import Cell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from .errors import InvalidInput

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _text_cell(ws, value: str) -> Cell:
    cell = Cell(ws, value=value)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def _safe(ws, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    # Control characters a title may carry cannot be stored in a workbook (openpyxl refuses).
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return _text_cell(ws, value) if is_formula_like(value) else value


def append_row(ws, values) -> None:
    """ws.append(values), with every formula-like text cell kept as text."""
    ws.append([_safe(ws, v) for v in values])


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def add_sheet(wb: Workbook, title: str, header: list[str], rows: Iterable[list], first=False):
    """A sheet `title` (the workbook's first one with `first`) with `header` and `rows`: a
    bold header row that stays in view, columns wide enough for their header, every cell
    through `append_row`."""
    ws = wb.active if first else wb.create_sheet()
    ws.title = title[:31]  # Excel's limit
    append_row(ws, header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(ws, row)
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


# ---------------------------------------------------------------- reading


class TableError(InvalidInput):
    """A table that cannot be read, or is larger than the limits; the message says which
    row (and how to fix it), and so does its field error "file"."""


def limits() -> tuple[int, int]:
    return settings.SPREADSHEET_MAX_ROWS, settings.SPREADSHEET_MAX_COLUMNS


def cell_text(value: Any) -> str:
    """Excel hands over numbers; a code typed as a number must not become '4.3e11'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def validate_import_size(file) -> None:
    """The file field validator of every import form: at most settings.IMPORT_MAX_BYTES."""
    limit = settings.IMPORT_MAX_BYTES
    if file.size > limit:
        raise ValidationError(
            _("The file is larger than %(size)s; split it into several files.")
            % {"size": filesizeformat(limit)}
        )


class Table:
    """The rows of an uploaded table, read as they are asked for.

    `header()` is the first non-empty row (its number from 1, its cells); `rows()` then yields
    the following rows as (number, cells). Both raise TableError at the first row that breaks
    a limit, before anything after it is read."""

    def __init__(self, rows: Iterator[list[str]]):
        self._rows = enumerate(rows, start=1)
        self._max_rows, self._max_cols = limits()

    def _next(self) -> tuple[int, list[str]] | None:
        for number, cells in self._rows:
            # Trailing empty cells are padding, not data.
            while cells and not cells[-1]:
                cells.pop()
            if not cells:
                if number > 2 * self._max_rows:
                    raise _not_readable(self._too_many_rows(number))
                continue
            if number > self._max_rows:
                raise _not_readable(self._too_many_rows(number))
            if len(cells) > self._max_cols:
                message = _(
                    "Row %(row)d: a table may have at most %(n)d columns; delete the columns "
                    "after the last one the template names."
                ) % {"row": number, "n": self._max_cols}
                raise _not_readable(message)
            return number, cells
        return None

    def _too_many_rows(self, number: int) -> str:
        return _(
            "Row %(row)d: a file may have at most %(n)d rows; split it into several files."
        ) % {"row": number, "n": self._max_rows}

    def header(self) -> tuple[int, list[str]] | None:
        return self._next()

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        while (found := self._next()) is not None:
            yield found


def _not_readable(message: str) -> TableError:
    return TableError(message, {"file": message})


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    _max_rows, max_cols = limits()
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(i.file_size for i in archive.infolist())
    except zipfile.BadZipFile as e:
        raise _not_readable(_("The file is not an Excel workbook (.xlsx).")) from e
    if unpacked > settings.SPREADSHEET_MAX_UNPACKED_BYTES:
        raise _not_readable(
            _("The workbook unpacks to more than %(size)s; split it into several files.")
            % {"size": filesizeformat(settings.SPREADSHEET_MAX_UNPACKED_BYTES)}
        )
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a damaged or renamed file
        raise _not_readable(_("The file is not an Excel workbook (.xlsx).")) from e
    try:
        ws = wb.worksheets[0]
        # The sheet's own claim of its size (<dimension>) is not trusted: without this,
        # openpyxl pads every row to the claimed width.
        ws.reset_dimensions()
        # One column more than allowed, so that a value there can be reported.
        for row in ws.iter_rows(max_col=max_cols + 1, values_only=True):
            yield [cell_text(v) for v in row]
    except TableError:
        raise
    except Exception as e:
        raise _not_readable(_("The file is not an Excel workbook (.xlsx).")) from e
    finally:
        wb.close()


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    _max_rows, max_cols = limits()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _not_readable(_("The file is neither UTF-8 nor GBK text."))
    try:
        for row in csv.reader(io.StringIO(text)):
            yield [c.strip() for c in row[: max_cols + 1]]
    except csv.Error as e:
        raise _not_readable(_("The file is not a readable CSV table.")) from e


def read_table(name: str, content: bytes) -> Table:
    """The table of a CSV (UTF-8 or GBK) or .xlsx file (by its name), streamed."""
    if name.lower().endswith(".xlsx"):
        return Table(_xlsx_rows(content))
    return Table(_csv_rows(content))
