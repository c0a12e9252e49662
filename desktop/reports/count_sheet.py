"""The cycle-count sheet: A4 landscape, grouped by area in walk order, bin and part as Code128, blank
Count 1 / Count 2 / initials / notes columns, header with the session (its own barcode), repeated table
headers, "page x of y" and signature lines. Pure: data in, PDF bytes out."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Table,
    TableStyle,
)

from desktop.reports.barcode_draw import code128_total_modules, draw_code128
from desktop.reports.fonts import SANS, SANS_BOLD, register_fonts, split_runs
from desktop.reports.labels import RenderCancelled

MODULE = 0.25 * mm  # the narrowest bar laser printers and common scanners handle reliably
HEAD_ROW, AREA_ROW, LINE_ROW = 7 * mm, 7 * mm, 12 * mm


@dataclass(frozen=True)
class SheetHeader:
    title: str
    barcode: str  # the session's own code, so a returned sheet can be scanned back in
    date: str
    counter: str
    blind: bool


@dataclass(frozen=True)
class SheetLine:
    area: str
    bin_code: str
    bin_barcode: str
    part_number: str
    part_barcode: str
    description: str
    unit: str
    book_qty: str | None = None
    reason: str = ""  # why it is counted, printed small in the Notes cell


class _CodeCell(Flowable):
    """A code in bold above its Code128: one light flowable instead of a paragraph plus bars."""

    def __init__(self, text: str, data: str, bar_height: float = 6 * mm) -> None:
        super().__init__()
        self.text, self.data, self.bar_height = text, data, bar_height
        self.width = (code128_total_modules(data) + 20) * MODULE
        self.height = bar_height + 4 * mm

    def draw(self) -> None:
        x = 0.0
        for font, run in split_runs(self.text, True):
            self.canv.setFont(font, 8)
            self.canv.drawString(x, self.bar_height + 1.2 * mm, run)
            x += self.canv.stringWidth(run, font, 8)
        draw_code128(self.canv, self.data, 10 * MODULE, 0, MODULE, self.bar_height)


def _text(value: str, style: ParagraphStyle, width: float) -> Any:
    """A plain string when it fits on one line in the Latin font (cheap); a wrapping paragraph otherwise."""
    runs = split_runs(value)
    fits = stringWidth(value, SANS, style.fontSize) < width - 4
    if len(runs) <= 1 and (not runs or runs[0][0] == SANS) and fits:
        return value
    return Paragraph(_markup(value), style)


def _markup(text: str, bold: bool = False) -> str:
    """Paragraph markup with the font switched per run, so Ø, Ж and 轴承 all have glyphs."""
    return "".join(f'<font name="{font}">{escape(run)}</font>' for font, run in split_runs(text, bold))


class NumberedCanvas(rl_canvas.Canvas):
    """Keeps every page until the end, then writes 'page x of y' on each."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(SANS, 8)
            self.drawRightString(self._pagesize[0] - 12 * mm, 7 * mm, f"page {self._pageNumber} of {total}")
            super().showPage()
        super().save()


def render_count_sheet(
    header: SheetHeader,
    lines: Sequence[SheetLine],
    *,
    progress: Callable[[int, int], bool | None] | None = None,
) -> bytes:
    register_fonts()
    cell = ParagraphStyle("cell", fontName=SANS, fontSize=8, leading=9.5)
    area_style = ParagraphStyle("area", fontName=SANS_BOLD, fontSize=10, leading=12)
    note = ParagraphStyle(
        "note", fontName=SANS, fontSize=6.5, leading=7.5, textColor=colors.HexColor("#555555")
    )
    columns = (
        ["Bin", "Part", "Description", "Unit"]
        + ([] if header.blind else ["Book"])
        + ["Count 1", "Count 2", "Initials", "Notes"]
    )
    widths = (
        [46 * mm, 50 * mm, 70 * mm, 12 * mm]
        + ([] if header.blind else [16 * mm])
        + [20 * mm, 20 * mm, 16 * mm]
    )
    widths.append(273 * mm - sum(widths))
    head = [Paragraph(_markup(c, bold=True), cell) for c in columns]
    base_style: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDDDDD")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONTNAME", (0, 1), (-1, -1), SANS),
        ("FONTSIZE", (0, 1), (-1, -1), 8),
        # why the line is counted, small and grey in Notes: the counter's own notes go beside it
        ("FONTSIZE", (-1, 1), (-1, -1), note.fontSize),
        ("TEXTCOLOR", (-1, 1), (-1, -1), note.textColor),
        ("VALIGN", (-1, 1), (-1, -1), "TOP"),
    ]
    # Every row has a fixed height, so pages are cut here, one table per page: a single long table
    # would be re-split on every page (5,000 lines took 12 s that way).
    available = landscape(A4)[1] - (22 + 14) * mm - 2 * 6 - 2  # page less margins and the frame's padding
    pages: list[tuple[list[list[Any]], list[float], list[tuple[Any, ...]]]] = []
    rows: list[list[Any]] = [head]
    heights: list[float] = [HEAD_ROW]
    style = list(base_style)
    area: str | None = None

    def add(row: list[Any], height: float, *, area_row: bool = False) -> None:
        nonlocal rows, heights, style
        if sum(heights) + height > available:
            pages.append((rows, heights, style))
            rows, heights, style = [head], [HEAD_ROW], list(base_style)
        rows.append(row)
        heights.append(height)
        if area_row:
            at = len(rows) - 1
            style += [
                ("SPAN", (0, at), (-1, at)),
                ("BACKGROUND", (0, at), (-1, at), colors.HexColor("#EEF3FB")),
            ]

    for n, line in enumerate(lines, start=1):
        if line.area != area:
            area = line.area
            add(
                [Paragraph(_markup(f"Area {area}", bold=True), area_style)] + [""] * (len(columns) - 1),
                AREA_ROW,
                area_row=True,
            )
        add(
            [
                _CodeCell(line.bin_code, line.bin_barcode),
                _CodeCell(line.part_number, line.part_barcode),
                _text(line.description, cell, widths[2]),
                _text(line.unit, cell, widths[3]),
                *([] if header.blind else [line.book_qty or "0"]),
                "",
                "",
                "",
                _text(line.reason, note, widths[-1]) if line.reason else "",
            ],
            LINE_ROW,
        )
        if progress is not None and n % 500 == 0 and progress(n, len(lines)) is False:
            raise RenderCancelled()
    pages.append((rows, heights, style))

    def page_header(canv: Any, doc: Any) -> None:
        width, height = landscape(A4)
        canv.saveState()
        canv.setFont(SANS_BOLD, 13)
        canv.drawString(12 * mm, height - 12 * mm, header.title)
        canv.setFont(SANS, 9)
        mode = "blind count: the book quantity is not shown" if header.blind else "with book quantities"
        canv.drawString(12 * mm, height - 17 * mm, f"{header.date} · counter: {header.counter} · {mode}")
        draw_code128(
            canv,
            header.barcode,
            width - 12 * mm - code128_total_modules(header.barcode) * MODULE,
            height - 17 * mm,
            MODULE,
            8 * mm,
        )
        canv.drawString(
            12 * mm,
            7 * mm,
            "Counted by: ______________________   Checked by: ______________________   Date: ____________",
        )
        canv.restoreState()

    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=22 * mm,
        bottomMargin=14 * mm,
        title=header.title,
        author="Storeroom",
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="sheet")
    doc.addPageTemplates([PageTemplate(id="count", frames=[frame], onPage=page_header)])
    story: list[Any] = []
    for page_rows, page_heights, page_style in pages:
        if story:
            story.append(PageBreak())
        table = Table(page_rows, colWidths=widths, rowHeights=page_heights, repeatRows=1)
        table.setStyle(TableStyle(page_style))
        story.append(table)
    doc.build(story, canvasmaker=NumberedCanvas)
    if progress is not None:
        progress(len(lines), len(lines))
    return buffer.getvalue()
