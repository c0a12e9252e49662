"""A ruled table drawn straight onto a canvas: what the count sheet needs of a platypus Table, no more.

A platypus Table builds a style object per cell, measures every cell again and goes through its span
and line bookkeeping on each page; a count sheet is thousands of rows that all look alike, so the rows
arrive measured and each page is painted in one pass, in the Table's order (backgrounds, cells, rules)
and at its positions, so the sheet prints as it did."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from reportlab.lib import colors
from reportlab.platypus import Flowable

from desktop.reports.fonts import draw_text

PAD_X, PAD_Y = 6.0, 3.0  # reportlab's default cell padding (points), kept so nothing moves
_LEADING = 12.0  # a Table cell's default leading: it places a one-line string in its row
GRID = (0.4, colors.grey)
HEAD_FILL = colors.HexColor("#DDDDDD")
AREA_FILL = colors.HexColor("#EEF3FB")
CODES_RULE = (0.2, colors.lightgrey)


class Drawn(Protocol):
    """Cell content that draws itself with its bottom-left corner at (x, y), in page coordinates."""

    height: float

    def draw_at(self, canv: Any, x: float, y: float) -> None: ...


# A cell: "" (blank, draws nothing), a one-line string in the column's font, a flowable already
# wrapped to its column (its `height` set) or a Drawn.
Cell = Any  # reportlab has no type hints: Flowable is Any to mypy


class RowKind(Enum):
    HEAD = "head"  # grey background
    LINE = "line"
    AREA = "area"  # one cell across the whole row, tinted
    CODES = "codes"  # one cell across the whole row under a light rule: a line's long barcodes


@dataclass(frozen=True)
class Row:
    cells: Sequence[Cell]
    height: float
    kind: RowKind


@dataclass(frozen=True)
class ColumnText:
    """How a column's strings and flowables print (in rows below the heading)."""

    size: float = 8.0
    color: Any = colors.black
    top: bool = False  # at the top of the cell rather than in the middle


_HEAD = ColumnText()  # the heading row: black, in the middle of each cell


def draw_rows(
    canv: Any, x: float, top: float, widths: Sequence[float], rows: Sequence[Row], text: Sequence[ColumnText]
) -> None:
    """Paint `rows` with the table's top-left corner at (x, top)."""
    total_w = sum(widths)
    col_x = [sum(widths[:i]) for i in range(len(widths) + 1)]
    total_h = sum(r.height for r in rows)
    # Row bottoms in table coordinates (0 = the table's bottom edge), as a Table draws them.
    bottoms: list[float] = []
    y = total_h
    for row in rows:
        y -= row.height
        bottoms.append(y)
    canv.saveState()
    canv.translate(x, top - total_h)
    for row, bottom in zip(rows, bottoms, strict=True):
        fill = HEAD_FILL if row.kind is RowKind.HEAD else AREA_FILL if row.kind is RowKind.AREA else None
        if fill is not None:
            canv.setFillColor(fill)
            canv.rect(0, bottom + row.height, total_w, -row.height, stroke=0, fill=1)
    current: ColumnText | None = None
    spanned = (RowKind.AREA, RowKind.CODES)
    for row, bottom in zip(rows, bottoms, strict=True):
        spans = row.kind in spanned
        for i, cell in enumerate(row.cells[:1] if spans else row.cells):
            if isinstance(cell, str) and not cell:
                continue
            style = _HEAD if row.kind is RowKind.HEAD else text[i]
            if style is not current:
                # Each cell starts in its column's colour, as in a Table: code text after a grey note
                # prints black.
                canv.setFillColor(style.color)
                current = style
            top_aligned = style.top and not spans
            if isinstance(cell, str):
                if top_aligned:
                    y = bottom + row.height - PAD_Y - style.size
                else:
                    y = bottom + (row.height + _LEADING) / 2 - style.size
                draw_text(canv, col_x[i] + PAD_X, y, cell, style.size)
                continue
            h = cell.height
            y = bottom + row.height - PAD_Y - h if top_aligned else bottom + (row.height - h) / 2
            if isinstance(cell, Flowable):
                cell.drawOn(canv, col_x[i] + PAD_X, y)
            else:
                drawn: Drawn = cell
                drawn.draw_at(canv, col_x[i] + PAD_X, y)
    _draw_rules(canv, col_x, bottoms, rows, total_h)
    canv.restoreState()


def _draw_rules(
    canv: Any, col_x: Sequence[float], bottoms: Sequence[float], rows: Sequence[Row], total_h: float
) -> None:
    """The grid (inner verticals broken across spanned rows), then the light rule above each codes row."""
    width = col_x[-1]
    canv.saveState()
    canv.setLineCap(1)
    canv.setLineJoin(1)
    canv.setStrokeColor(GRID[1])
    canv.setLineWidth(GRID[0])
    line = canv.line
    for y in [total_h, *bottoms]:
        line(0, y, width, y)
    line(0, 0, 0, total_h)
    line(width, 0, width, total_h)
    # Stretches of rows with no span, bottom up: the inner verticals run through them.
    runs: list[tuple[float, float]] = []
    start: float | None = None
    for row, bottom in zip(reversed(rows), reversed(bottoms), strict=True):
        if row.kind in (RowKind.AREA, RowKind.CODES):
            if start is not None:
                runs.append((start, bottom))
                start = None
        elif start is None:
            start = bottom
    if start is not None:
        runs.append((start, total_h))
    for cx in col_x[1:-1]:
        for y0, y1 in runs:
            line(cx, y0, cx, y1)
    codes = [b + r.height for r, b in zip(rows, bottoms, strict=True) if r.kind is RowKind.CODES]
    if codes:
        canv.setStrokeColor(CODES_RULE[1])
        canv.setLineWidth(CODES_RULE[0])
        for y in codes:
            line(0, y, width, y)
    canv.restoreState()
