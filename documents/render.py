"""Drawing a template filled with case data as DOCX (python-docx) or PDF (fpdf2).

PDFs embed a subset of the Noto CJK font from Debian's fonts-noto-cjk. fpdf2 reads its
OpenType (CFF) outlines inside the .ttc collection; reportlab cannot (it only embeds
TrueType outlines), which is why fpdf2 is used.
"""

import functools
import io
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

import segno
from django.conf import settings
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from fontTools.ttLib import TTCollection
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from .models import BlockKind, DocumentTemplate
from .sources import Subject, Table, resolve

FONT_DIRS = ["/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto"]
FONT_FILES = ["NotoSerifCJK-{}.ttc", "NotoSansCJK-{}.ttc"]
PLACEHOLDER = re.compile(r"\{([a-z_.]+)\}")
# fontTools logs every subsetting step at INFO.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)


@dataclass
class Part:
    kind: str
    label: str
    value: str | Table | list[str]


@dataclass
class Filled:
    title: str
    code: str  # printed with its QR code when the template asks for it
    qr_url: str
    parts: list[Part]


def fill(template: DocumentTemplate, subject: Subject, qr_url: str = "") -> Filled:
    """Resolve every block of the template against the subject's data."""
    parts = []
    for b in template.blocks.all():
        if b.kind == BlockKind.FIELD:
            value = resolve(b.source, subject) if b.source else ""
        elif b.kind == BlockKind.TABLE:
            value = resolve(b.source, subject)
            if not isinstance(value, Table):
                value = Table([b.label or ""], [[str(value)]])
        elif b.kind == BlockKind.SIGNATURES:
            value = [line.strip() for line in b.text.splitlines() if line.strip()]
        else:
            value = PLACEHOLDER.sub(lambda m: str(resolve(m.group(1), subject)), b.text)
        parts.append(Part(b.kind, b.label, value))
    code = subject.case.code if template.show_qr else ""
    return Filled(template.title, code, qr_url if template.show_qr else "", parts)


def _qr_png(url: str) -> io.BytesIO:
    out = io.BytesIO()
    segno.make(url, micro=False).save(out, kind="png", scale=6, border=2)
    out.seek(0)
    return out


# ---------------------------------------------------------------- DOCX

CJK_FONT_NAME = "SimSun"  # what Word on a government PC has; LibreOffice falls back to Noto


def _run_font(run, size: float | None = None, bold: bool = False) -> None:
    run.font.name = CJK_FONT_NAME
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT_NAME)
    if size:
        run.font.size = Pt(size)
    run.bold = bold


def _para(doc, text: str = "", *, size=12, bold=False, align=None, label: str = ""):
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    if label:
        _run_font(p.add_run(f"{label}："), size, bold=True)
    _run_font(p.add_run(text), size, bold)
    return p


def to_docx(doc_data: Filled) -> bytes:
    doc = Document()
    for section in doc.sections:
        section.left_margin = section.right_margin = Cm(2.5)
    _para(doc, doc_data.title, size=20, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for part in doc_data.parts:
        if part.kind == BlockKind.HEADING:
            _para(doc, part.value or part.label, size=14, bold=True)
        elif part.kind == BlockKind.FIELD:
            _para(doc, part.value, label=part.label)
        elif part.kind == BlockKind.TEXT:
            _para(doc, part.value, label=part.label)
        elif part.kind == BlockKind.TABLE:
            if part.label:
                _para(doc, part.label, bold=True)
            table = doc.add_table(rows=1, cols=len(part.value.columns))
            table.style = "Table Grid"
            for cell, text in zip(table.rows[0].cells, part.value.columns, strict=True):
                _run_font(cell.paragraphs[0].add_run(text), 10.5, bold=True)
            for row in part.value.rows:
                cells = table.add_row().cells
                for cell, text in zip(cells, row, strict=True):
                    _run_font(cell.paragraphs[0].add_run(text), 10.5)
        elif part.kind == BlockKind.SIGNATURES:
            for line in part.value:
                _para(doc, f"{line}：____________    年   月   日", align=WD_ALIGN_PARAGRAPH.RIGHT)
    if doc_data.code:
        _para(doc, f"案件编号：{doc_data.code}", size=10)
    if doc_data.qr_url:
        doc.add_picture(_qr_png(doc_data.qr_url), width=Cm(2.5))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- PDF


@functools.cache
def cjk_font(weight: str = "Regular") -> tuple[str, int]:
    """(path, index) of a Simplified-Chinese Noto CJK face; JIEFEN_CJK_FONT overrides the path."""
    override = os.environ.get("JIEFEN_CJK_FONT") or getattr(settings, "CJK_FONT", "")
    paths = [Path(override)] if override else []
    paths += [Path(d) / f.format(weight) for d in FONT_DIRS for f in FONT_FILES]
    for path in paths:
        if not path.exists():
            continue
        if path.suffix.lower() != ".ttc":
            return str(path), 0
        faces = TTCollection(str(path), lazy=True).fonts
        for i, face in enumerate(faces):
            if "SC" in face["name"].getDebugName(1).split():
                return str(path), i
        return str(path), 0
    raise RuntimeError("No CJK font found: apt-get install fonts-noto-cjk (or set JIEFEN_CJK_FONT)")


class _Pdf(FPDF):
    def __init__(self):
        super().__init__(format="A4")
        self.set_margins(22, 20, 22)
        self.set_auto_page_break(True, margin=20)
        path, index = cjk_font("Regular")
        self.add_font("cjk", "", path, collection_font_number=index)
        try:
            bold_path, bold_index = cjk_font("Bold")
            self.add_font("cjk", "B", bold_path, collection_font_number=bold_index)
        except RuntimeError:  # only the regular weight installed: bold prints regular
            self.add_font("cjk", "B", path, collection_font_number=index)

    def line_text(self, text: str, size: float = 12, style: str = "", align: str = "L") -> None:
        self.set_font("cjk", style, size)
        self.multi_cell(0, size * 0.62, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1.5)


def _col_widths(table: Table) -> tuple[int, ...]:
    """Columns as wide as their longest text (a CJK character counts double), within limits."""

    def width(text: str) -> int:
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    columns = zip(table.columns, *table.rows, strict=True)
    return tuple(min(max(4, *(width(t) for t in col)), 40) for col in columns)


def to_pdf(doc_data: Filled) -> bytes:
    pdf = _Pdf()
    pdf.add_page()
    pdf.line_text(doc_data.title, 20, "B", "C")
    pdf.ln(3)
    for part in doc_data.parts:
        if part.kind == BlockKind.HEADING:
            pdf.line_text(part.value or part.label, 14, "B")
        elif part.kind in (BlockKind.FIELD, BlockKind.TEXT):
            text = f"{part.label}：{part.value}" if part.label else part.value
            if text:
                pdf.line_text(text)
        elif part.kind == BlockKind.TABLE:
            if part.label:
                pdf.line_text(part.label, 12, "B")
            pdf.set_font("cjk", "", 9.5)
            with pdf.table(
                line_height=6, text_align="LEFT", col_widths=_col_widths(part.value)
            ) as table:
                for row in [part.value.columns, *part.value.rows]:
                    r = table.row()
                    for text in row:
                        r.cell(text)
            pdf.ln(3)
        elif part.kind == BlockKind.SIGNATURES:
            pdf.ln(4)
            for line in part.value:
                pdf.line_text(f"{line}：____________    年   月   日", 12, "", "R")
    if doc_data.code:
        pdf.ln(4)
        y = pdf.get_y()
        if y > pdf.h - 50:
            pdf.add_page()
            y = pdf.get_y()
        x = pdf.l_margin
        if doc_data.qr_url:
            pdf.image(_qr_png(doc_data.qr_url), x=x, y=y, w=25)
            x += 28
        pdf.set_xy(x, y + 9)
        pdf.set_font("cjk", "", 10)
        pdf.cell(0, 6, f"案件编号：{doc_data.code}")
    return bytes(pdf.output())
