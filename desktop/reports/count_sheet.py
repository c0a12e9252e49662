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
from reportlab.platypus import Paragraph

from desktop.reports.barcode_draw import code128_total_modules, draw_code128
from desktop.reports.fonts import ASCENT, SANS, SANS_BOLD, draw_text, register_fonts, split_runs, text_width
from desktop.reports.label_text import fit_text
from desktop.reports.label_types import LINE, RenderCancelled
from desktop.reports.sheet_grid import PAD_X, PAD_Y, ColumnText, Row, RowKind, draw_rows

MODULE = 0.254 * mm  # 3 dots at 300 dpi, 6 at 600: what laser printers and common scanners handle well
# The narrowest bar used to fit a code into its column: 5 dots of a 600 dpi laser (above the 0.19 mm
# scanners read); a code that needs less goes on its own line at MODULE.
MIN_MODULE = 5 * 25.4 / 600 * mm
HEAD_ROW, AREA_ROW, LINE_ROW, CODE_ROW = 7 * mm, 7 * mm, 12 * mm, 9.5 * mm


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


class _CodeCell:
    """A code in bold above its Code128 (or, when the bars go on their own line, above a note
    saying so), the text shrunk to the column (>= 6 pt) or wrapped at its dashes: drawn straight
    at its place, not as a flowable (no graphics state saved and moved for each of 10,000)."""

    def __init__(
        self, text: str, data: str | None, width: float, module: float = MODULE, bar_height: float = 6 * mm
    ) -> None:
        self.data, self.module, self.bar_height = data, module, bar_height
        room = 4 * mm if data else LINE_ROW - 2 * PAD_Y - 3.5 * mm
        self.size, self.lines = fit_text(
            text, width, room, max_size=8.0, max_lines=3, bold=True, one_line_at=6.0
        )
        self.height = (bar_height if data else 3 * mm) + len(self.lines) * self.size * LINE + 1.2 * mm

    def draw_at(self, canv: Any, x: float, y: float) -> None:
        top = y + self.height - self.size * ASCENT
        for line in self.lines:
            draw_text(canv, x, top, line, self.size, bold=True)
            top -= self.size * LINE
        if self.data is None:
            canv.saveState()
            canv.setFillGray(0.35)
            draw_text(canv, x, y + 0.5 * mm, "barcode on the line below", 6.0)
            canv.restoreState()
            return
        draw_code128(canv, self.data, x + 10 * self.module, y, self.module, self.bar_height)


class _BarcodeLine:
    """The codes too long for their columns, each as a Code128 at MODULE, side by side on a line of
    their own (a 30-character bin code and a 40-character part number fit together in 273 mm)."""

    def __init__(self, codes: Sequence[tuple[float, str]], bar_height: float = 6 * mm) -> None:
        self.codes, self.bar_height = codes, bar_height
        self.height = bar_height + 1 * mm

    def draw_at(self, canv: Any, x: float, y: float) -> None:
        at = 0.0
        for column_x, data in self.codes:
            at = max(at, column_x)
            draw_code128(canv, data, x + at + 10 * MODULE, y, MODULE, self.bar_height)
            at += (code128_total_modules(data) + 4) * MODULE


class _Label:
    """A column's name in the heading row: one bold line where its paragraph would print it (the
    heading row prints on each of a long sheet's hundreds of pages)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.height = _CELL.leading

    def draw_at(self, canv: Any, x: float, y: float) -> None:
        draw_text(canv, x, y + _CELL.leading - _CELL.fontSize, self.text, _CELL.fontSize, bold=True)


def _cell_module(data: str, width: float) -> float | None:
    """The largest bar width (MODULE, else MIN_MODULE) at which `data` fits a cell `width` wide."""
    need = code128_total_modules(data)
    return next((m for m in (MODULE, MIN_MODULE) if need * m <= width - 2 * PAD_X), None)


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


def _height(cell: Any, width: float) -> float:
    """Height a cell's content needs at this column width, padding included (0 for plain strings).
    A paragraph is wrapped here, once, and drawn as wrapped."""
    if isinstance(cell, Paragraph):
        return float(cell.wrap(width - 2 * PAD_X, 10_000)[1]) + 2 * PAD_Y
    return 0.0


_CELL = ParagraphStyle("cell", fontName=SANS, fontSize=8, leading=9.5)
_AREA = ParagraphStyle("area", fontName=SANS_BOLD, fontSize=10, leading=12)
_NOTE = ParagraphStyle("note", fontName=SANS, fontSize=6.5, leading=7.5, textColor=colors.HexColor("#555555"))
# Strings print in the Latin font at 8 pt, in the middle of their cell; Notes small, grey and at the top.
_BODY = ColumnText()
_NOTES = ColumnText(size=_NOTE.fontSize, color=_NOTE.textColor, top=True)


def _columns(blind: bool) -> tuple[list[str], list[float]]:
    names = ["Bin", "Part", "Description", "Unit"] + ([] if blind else ["Book"])
    widths = [54 * mm, 58 * mm, 54 * mm, 12 * mm] + ([] if blind else [16 * mm])
    names += ["Count 1", "Count 2", "Initials", "Notes"]
    widths += [20 * mm, 20 * mm, 16 * mm]
    widths.append(273 * mm - sum(widths))
    return names, widths


def _line_rows(line: SheetLine, widths: Sequence[float], blind: bool) -> list[Row]:
    """A line's row, and the row of its barcodes too long for their columns when it has any."""
    code_w = (widths[0] - 2 * PAD_X, widths[1] - 2 * PAD_X)
    bin_module = _cell_module(line.bin_barcode, widths[0])
    part_module = _cell_module(line.part_barcode, widths[1])
    cells = [
        _CodeCell(line.bin_code, line.bin_barcode if bin_module else None, code_w[0], bin_module or MODULE),
        _CodeCell(
            line.part_number, line.part_barcode if part_module else None, code_w[1], part_module or MODULE
        ),
        _described(line, _CELL, widths[2]),
        _text(line.unit, _CELL, widths[3]),
        *([] if blind else [line.book_qty or "0"]),
        "",
        "",
        "",
        _text(line.reason, _NOTE, widths[-1]) if line.reason else "",
    ]
    height = max([LINE_ROW] + [_height(c, w) for c, w in zip(cells, widths, strict=True)])
    height = max(height, cells[0].height + 2 * PAD_Y, cells[1].height + 2 * PAD_Y)
    rows = [Row(cells, height, RowKind.LINE)]
    long_codes = [
        (x, data)
        for x, data, module in (
            (0.0, line.bin_barcode, bin_module),
            (widths[0], line.part_barcode, part_module),
        )
        if module is None
    ]
    if long_codes:
        rows.append(Row([_BarcodeLine(long_codes), *[""] * (len(widths) - 1)], CODE_ROW, RowKind.CODES))
    return rows


def _pages(
    header: SheetHeader,
    lines: Sequence[SheetLine],
    widths: Sequence[float],
    head: Row,
    progress: Callable[[int, int], bool | None] | None,
) -> list[list[Row]]:
    """The rows measured and cut into pages: each page starts with the heading row and its area's name
    (a row is never measured twice, and a line stays on one page with its long barcodes)."""
    available = landscape(A4)[1] - (22 + 14) * mm - 2 * 6 - 2  # page less margins and the frame's padding
    blank = [""] * (len(widths) - 1)
    pages: list[list[Row]] = []
    rows, used = [head], head.height

    def area_row(text: str) -> Row:
        heading = Paragraph(_markup(text, bold=True), _AREA)
        heading.wrap(sum(widths) - 2 * PAD_X, AREA_ROW)
        return Row([heading, *blank], AREA_ROW, RowKind.AREA)

    def add(group: list[Row], area: str) -> None:
        nonlocal rows, used
        need = sum(r.height for r in group)
        if used + need > available and len(rows) > 1:
            pages.append(rows)
            rows, used = [head], head.height
            if group[0].kind is not RowKind.AREA:  # the counter on page 2 still sees the bins' area
                group = [area_row(f"Area {area} (continued)"), *group]
                need += AREA_ROW
        rows.extend(group)
        used += need

    area: str | None = None
    for n, line in enumerate(lines, start=1):
        if line.area != area:
            area = line.area
            add([area_row(f"Area {area}")], area)
        add(_line_rows(line, widths, header.blind), area)
        if progress is not None and n % 500 == 0 and progress(n, len(lines)) is False:
            raise RenderCancelled()
    pages.append(rows)
    return pages


def _page_header(canv: Any, header: SheetHeader) -> None:
    """Title, session barcode and the signature line, on every page."""
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


def render_count_sheet(
    header: SheetHeader,
    lines: Sequence[SheetLine],
    *,
    progress: Callable[[int, int], bool | None] | None = None,
) -> bytes:
    register_fonts()
    names, widths = _columns(header.blind)
    head = [_Label(name) for name in names]
    pages = _pages(header, lines, widths, Row(head, HEAD_ROW, RowKind.HEAD), progress)
    text = [_BODY] * (len(widths) - 1) + [_NOTES]
    buffer = io.BytesIO()
    canv = NumberedCanvas(buffer, pagesize=landscape(A4))
    canv.setTitle(header.title)
    canv.setAuthor("Storeroom")
    canv.setSubject("(unspecified)")  # what platypus wrote, so the document properties stay the same
    canv.setCreator("(unspecified)")
    # Where a platypus frame put the table: the top margin (22 mm) and the frame's 6 pt padding.
    top = landscape(A4)[1] - 22 * mm - 6
    for rows in pages:
        _page_header(canv, header)
        draw_rows(canv, 12 * mm, top, widths, rows, text)
        canv.showPage()
    canv.save()
    if progress is not None:
        progress(len(lines), len(lines))
    return buffer.getvalue()
