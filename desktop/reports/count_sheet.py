"""The cycle-count sheet: A4 landscape, grouped by area in walk order, bin and part as Code128, blank
Count 1 / Count 2 / initials / notes columns, header with the session (its own barcode), repeated table
headers and area headings, "page x of y" and signature lines. Pure: data in, PDF bytes out.

Every barcode decodes whatever the code's length: a Code128 shrinks to its column (down to 0.21 mm
bars, 5 dots of a 600 dpi laser); a longer one prints on its own full-width line under the row.  Rows
grow to hold long descriptions, and every text (title and counter included) prints CJK with the
fallback font."""

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
from desktop.reports.fonts import ASCENT, SANS, SANS_BOLD, draw_text, register_fonts, split_runs, text_width
from desktop.reports.label_text import fit_text
from desktop.reports.label_types import LINE, RenderCancelled

MODULE = 0.254 * mm  # 3 dots at 300 dpi, 6 at 600: what laser printers and common scanners handle well
# The narrowest bar used to fit a code into its column: 5 dots of a 600 dpi laser (above the 0.19 mm
# scanners read); a code that needs less goes on its own line at MODULE.
MIN_MODULE = 5 * 25.4 / 600 * mm
HEAD_ROW, AREA_ROW, LINE_ROW, CODE_ROW = 7 * mm, 7 * mm, 12 * mm, 9.5 * mm
_PAD_X, _PAD_Y = 6, 3  # reportlab's default cell padding (points)


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
    lot: str = ""  # a tracked part's line: "Lot H-1 · expires …", in bold above the description


class _CodeCell(Flowable):
    """A code in bold above its Code128 (or, when the bars go on their own line, above a note
    saying so), the text shrunk to the column (>= 6 pt) or wrapped at its dashes: one light flowable
    instead of a paragraph plus bars."""

    def __init__(
        self, text: str, data: str | None, width: float, module: float = MODULE, bar_height: float = 6 * mm
    ) -> None:
        super().__init__()
        self.data, self.module, self.bar_height = data, module, bar_height
        room = 4 * mm if data else LINE_ROW - 2 * _PAD_Y - 3.5 * mm
        self.size, self.lines = fit_text(
            text, width, room, max_size=8.0, max_lines=3, bold=True, one_line_at=6.0
        )
        self.width = width
        self.height = (bar_height if data else 3 * mm) + len(self.lines) * self.size * LINE + 1.2 * mm

    def draw(self) -> None:
        y = self.height - self.size * ASCENT
        for line in self.lines:
            draw_text(self.canv, 0, y, line, self.size, bold=True)
            y -= self.size * LINE
        if self.data is None:
            self.canv.saveState()
            self.canv.setFillGray(0.35)
            draw_text(self.canv, 0, 0.5 * mm, "barcode on the line below", 6.0)
            self.canv.restoreState()
            return
        draw_code128(self.canv, self.data, 10 * self.module, 0, self.module, self.bar_height)


class _BarcodeLine(Flowable):
    """The codes too long for their columns, each as a Code128 at MODULE, side by side on a line of
    their own (a 30-character bin code and a 40-character part number fit together in 273 mm)."""

    def __init__(self, codes: Sequence[tuple[float, str]], bar_height: float = 6 * mm) -> None:
        super().__init__()
        self.codes, self.bar_height = codes, bar_height
        self.height = bar_height + 1 * mm

    def draw(self) -> None:
        x = 0.0
        for column_x, data in self.codes:
            x = max(x, column_x)
            draw_code128(self.canv, data, x + 10 * MODULE, 0, MODULE, self.bar_height)
            x += (code128_total_modules(data) + 4) * MODULE


def _cell_module(data: str, width: float) -> float | None:
    """The largest bar width (MODULE, else MIN_MODULE) at which `data` fits a cell `width` wide."""
    need = code128_total_modules(data)
    return next((m for m in (MODULE, MIN_MODULE) if need * m <= width - 2 * _PAD_X), None)


def _text(value: str, style: ParagraphStyle, width: float) -> Any:
    """A plain string when it fits on one line in the Latin font (cheap); a wrapping paragraph otherwise."""
    runs = split_runs(value)
    fits = stringWidth(value, SANS, style.fontSize) < width - 4
    if len(runs) <= 1 and (not runs or runs[0][0] == SANS) and fits:
        return value
    return Paragraph(_markup(value), style)


def _described(line: SheetLine, style: ParagraphStyle, width: float) -> Any:
    """The description, under the line's lot in bold when it has one (one row per lot: the counter writes
    each lot's count on its own row)."""
    if not line.lot:
        return _text(line.description, style, width)
    return Paragraph(f"{_markup(line.lot, bold=True)}<br/>{_markup(line.description)}", style)


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


class _Table(Table):
    """A reportlab Table that skips empty cells: a count sheet is mostly blank Count / Initials /
    Notes cells (20,000 of them on 5,000 lines), and reportlab writes an empty text object for each."""

    def _drawCell(self, cellval: Any, cellstyle: Any, pos: Any, size: Any) -> None:
        if isinstance(cellval, str) and not cellval:
            return
        super()._drawCell(cellval, cellstyle, pos, size)


def _height(cell: Any, width: float) -> float:
    """Height a cell's content needs at this column width, padding included (0 for plain strings)."""
    if isinstance(cell, Paragraph):
        return float(cell.wrap(width - 2 * _PAD_X, 10_000)[1]) + 2 * _PAD_Y
    return 0.0


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
        [54 * mm, 58 * mm, 54 * mm, 12 * mm]
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
    # Rows are measured here and pages cut here, one table per page: a single long table would be
    # re-split on every page (5,000 lines took 12 s that way), and each page can then start with its
    # area's heading again.
    available = landscape(A4)[1] - (22 + 14) * mm - 2 * 6 - 2  # page less margins and the frame's padding
    pages: list[tuple[list[list[Any]], list[float], list[tuple[Any, ...]]]] = []
    rows: list[list[Any]] = [head]
    heights: list[float] = [HEAD_ROW]
    style = list(base_style)
    blank = [""] * (len(columns) - 1)

    def area_row(text: str) -> tuple[list[Any], float, str]:
        return [Paragraph(_markup(text, bold=True), area_style), *blank], AREA_ROW, "area"

    def add(group: list[tuple[list[Any], float, str]], area: str) -> None:
        """Rows that stay on one page (a line and the line of its long barcodes)."""
        nonlocal rows, heights, style
        if sum(heights) + sum(h for _r, h, _k in group) > available and len(rows) > 1:
            pages.append((rows, heights, style))
            rows, heights, style = [head], [HEAD_ROW], list(base_style)
            if group[0][2] != "area":  # the counter on page 2 still sees which area the bins are in
                group = [area_row(f"Area {area} (continued)"), *group]
        for row, height, kind in group:
            rows.append(row)
            heights.append(height)
            at = len(rows) - 1
            if kind == "area":
                style += [
                    ("SPAN", (0, at), (-1, at)),
                    ("BACKGROUND", (0, at), (-1, at), colors.HexColor("#EEF3FB")),
                ]
            elif kind == "codes":
                style += [
                    ("SPAN", (0, at), (-1, at)),
                    ("LINEABOVE", (0, at), (-1, at), 0.2, colors.lightgrey),
                ]

    code_w = (widths[0] - 2 * _PAD_X, widths[1] - 2 * _PAD_X)
    area: str | None = None
    for n, line in enumerate(lines, start=1):
        if line.area != area:
            area = line.area
            add([area_row(f"Area {area}")], area)
        bin_module = _cell_module(line.bin_barcode, widths[0])
        part_module = _cell_module(line.part_barcode, widths[1])
        cells = [
            _CodeCell(
                line.bin_code, line.bin_barcode if bin_module else None, code_w[0], bin_module or MODULE
            ),
            _CodeCell(
                line.part_number, line.part_barcode if part_module else None, code_w[1], part_module or MODULE
            ),
            _described(line, cell, widths[2]),
            _text(line.unit, cell, widths[3]),
            *([] if header.blind else [line.book_qty or "0"]),
            "",
            "",
            "",
            _text(line.reason, note, widths[-1]) if line.reason else "",
        ]
        height = max([LINE_ROW] + [_height(c, w) for c, w in zip(cells, widths, strict=True)])
        height = max(height, cells[0].height + 2 * _PAD_Y, cells[1].height + 2 * _PAD_Y)
        group: list[tuple[list[Any], float, str]] = [(cells, height, "line")]
        long_codes = [
            (x, data)
            for x, data, module in (
                (0.0, line.bin_barcode, bin_module),
                (widths[0], line.part_barcode, part_module),
            )
            if module is None
        ]
        if long_codes:
            group.append(([_BarcodeLine(long_codes), *blank], CODE_ROW, "codes"))
        add(group, area)
        if progress is not None and n % 500 == 0 and progress(n, len(lines)) is False:
            raise RenderCancelled()
    pages.append((rows, heights, style))

    def page_header(canv: Any, doc: Any) -> None:
        width, height = landscape(A4)
        canv.saveState()
        barcode_w = code128_total_modules(header.barcode) * MODULE
        room = width - 24 * mm - barcode_w - 6 * mm  # the title and the line under it stop short of the code
        mode = "blind count: the book quantity is not shown" if header.blind else "with book quantities"
        subtitle = f"{header.date} · counter: {header.counter} · {mode}"
        for text, top, size, bold in ((header.title, 12, 13.0, True), (subtitle, 17, 9.0, False)):
            size = max(6.0, min(size, room / max(text_width(text, 1.0, bold), 1e-6)))
            draw_text(canv, 12 * mm, height - top * mm, text, size, bold=bold)
        draw_code128(canv, header.barcode, width - 12 * mm - barcode_w, height - 17 * mm, MODULE, 8 * mm)
        draw_text(
            canv,
            12 * mm,
            7 * mm,
            "Counted by: ______________________   Checked by: ______________________   Date: ____________",
            9,
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
        table = _Table(page_rows, colWidths=widths, rowHeights=page_heights, repeatRows=1)
        table.setStyle(TableStyle(page_style))
        story.append(table)
    doc.build(story, canvasmaker=NumberedCanvas)
    if progress is not None:
        progress(len(lines), len(lines))
    return buffer.getvalue()
