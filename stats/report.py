"""The monthly report of an area as a printable A4 PDF: indicators with the previous month,
the daily trend and the breakdowns as bar charts, the sub-areas. Uses the CJK font
lookup of documents.render (Noto CJK from fonts-noto-cjk)."""

from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from documents.render import cjk_font
from jiefen import clock
from jiefen.localtime import minute

from . import selectors
from .indicators import INDICATORS
from .models import Dim

BLUE = (91, 142, 201)
GREEN = (46, 125, 50)


class ReportPdf(FPDF):
    def __init__(self):
        super().__init__(format="A4")
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=16)
        path, index = cjk_font("Regular")
        self.add_font("cjk", "", path, collection_font_number=index)
        self.add_font("cjk", "B", path, collection_font_number=index)

    def heading(self, text: str, size: float = 13) -> None:
        self.set_font("cjk", "B", size)
        self.cell(0, size * 0.6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def table(self, header: list[str], rows: list[list[str]], widths: list[float]) -> None:
        self.set_font("cjk", "B", 9)
        self.set_fill_color(232, 238, 245)
        for h, w in zip(header, widths, strict=True):
            self.cell(w, 6.5, h, border=1, fill=True)
        self.ln()
        self.set_font("cjk", "", 9)
        for row in rows:
            for v, w in zip(row, widths, strict=True):
                self.cell(w, 6, str(v), border=1)
            self.ln()
        self.ln(4)

    def bars(self, items: list[tuple[str, float]], label_w: float = 40) -> None:
        """Horizontal bars, one line each."""
        top = max((v for _, v in items), default=0) or 1
        self.set_font("cjk", "", 8.5)
        width = self.epw - label_w - 16
        for label, value in items:
            y = self.get_y()
            self.cell(label_w, 5.5, label[:14])
            self.set_fill_color(*BLUE)
            self.rect(self.l_margin + label_w, y + 1, max(0.3, width * value / top), 3.8, "F")
            self.set_x(self.l_margin + label_w + width * value / top + 2)
            self.cell(14, 5.5, f"{value:g}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(3)

    def columns(self, items: list[tuple[str, float, float]], height: float = 40) -> None:
        """Daily columns: accepted (blue) with resolved (green) inside."""
        top = max((a for _, a, _ in items), default=0) or 1
        x0, y0 = self.l_margin, self.get_y()
        col = self.epw / max(1, len(items))
        for i, (label, acc, res) in enumerate(items):
            x = x0 + i * col
            for value, colour, inset in ((acc, BLUE, 0.15), (res, GREEN, 0.3)):
                h = height * value / top
                self.set_fill_color(*colour)
                if h:
                    self.rect(x + col * inset, y0 + height - h, col * (1 - 2 * inset), h, "F")
            if i % 5 == 0:
                self.set_font("cjk", "", 6.5)
                self.text(x, y0 + height + 4, label)
        self.set_y(y0 + height + 7)


def monthly_pdf(q) -> bytes:
    area, period = q.area, q.period
    now_c = selectors.total(area, period)
    prev = q.comparison
    prev_c = selectors.total(area, prev.period)
    pdf = ReportPdf()
    pdf.add_page()
    pdf.set_font("cjk", "B", 17)
    title = _("%(area)s dispute resolution monthly report, %(month)s") % {
        "area": area.name,
        "month": f"{period.start:%Y-%m}",
    }
    pdf.cell(0, 10, title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("cjk", "", 9)
    pdf.cell(
        0,
        6,
        f"{_('Period')}: {period}    {prev.label}    {_('printed')}: {minute(clock.now())}",
        align="C",
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(3)
    pdf.heading(_("Indicators"))
    rows = []
    for ind in INDICATORS.values():
        cur = ind.value(now_c, area.population)
        old = ind.value(prev_c, area.population)
        rows.append([str(ind.name), _fmt(ind, cur), _fmt(ind, old)])
    pdf.table(
        [
            _("Statistical indicator"),
            f"{period.start:%Y-%m}",
            f"{prev.period.start:%Y-%m}" + (f" {prev.span}" if prev.same_days else ""),
        ],
        rows,
        [80, 47, 47],
    )
    pdf.heading(_("Accepted and resolved by day"))
    by_day = selectors.daily(area, period, ("accepted", "resolved"))
    items = []
    d = period.start
    while d <= period.end:
        c = by_day.get(d, {})
        items.append((f"{d:%d}", c.get("accepted", 0), c.get("resolved", 0)))
        d = d.fromordinal(d.toordinal() + 1)
    pdf.columns(items)
    labels = selectors.dim_labels()
    for dim, title in ((Dim.CATEGORY, _("By category")), (Dim.CHANNEL, _("By intake channel"))):
        pdf.heading(title, 11)
        data = sorted(selectors.sums(area, period, dim).items(), key=lambda x: -x[1]["accepted"])
        pdf.bars([(labels[dim].get(v, v or "—"), c["accepted"]) for v, c in data[:12]])
    pdf.heading(_("Sub-areas"), 11)
    rate = INDICATORS["resolution_rate"]
    pdf.table(
        [
            _("area"),
            str(INDICATORS["accepted"].name),
            str(rate.name),
            str(INDICATORS["overdue"].name),
        ],
        [
            [
                a.name if a else _("this area itself"),
                c["accepted"],
                _fmt(rate, rate.value(c)),
                c["overdue"],
            ]
            for a, c in selectors.sub_areas(area, period)[:40]
        ],
        [70, 34, 35, 35],
    )
    pdf.heading(_("Definitions"), 11)
    pdf.set_font("cjk", "", 8)
    for ind in INDICATORS.values():
        pdf.multi_cell(0, 4.2, f"{ind.name}：{ind.definition}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def _fmt(ind, v) -> str:
    if v is None:
        return "—"
    if ind.kind == "count":
        return f"{v:,}"
    return f"{v:.2f}%" if ind.kind == "rate" else f"{v:.2f}"
