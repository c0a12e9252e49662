"""Tabular reports (valuation, stock by location, history, below minimum, ABC, dead stock, KPI summary)
as PDF: A4 landscape, one line per row drawn straight on the canvas (fast for tens of thousands of rows),
the header repeated on every page, numbers right-aligned, a bold totals line, "page x of y".
Optional charts (the KPI summary's trends) go on the first page. Pure: data in, PDF bytes out."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.renderPDF import draw as draw_drawing
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm

from desktop.quantities import format_qty
from desktop.reports.count_sheet import NumberedCanvas
from desktop.reports.fonts import SANS, SANS_BOLD, draw_text, register_fonts, text_width
from desktop.reports.labels import RenderCancelled

Progress = Callable[[int, int], bool | None]

PAGE = landscape(A4)
MARGIN = 12 * mm
ROW = 5.2 * mm
FONT = 7.5
CHART_H = 62 * mm


@dataclass(frozen=True)
class Chart:
    title: str
    labels: tuple[str, ...]  # x axis (months)
    values: tuple[float | None, ...]
    kind: str = "bar"  # or "line"


@dataclass(frozen=True)
class ReportTable:
    """A report's data. `formats` per column: text, qty, money, pct, int, date, datetime, number."""

    title: str
    subtitle: str
    headers: tuple[str, ...]
    formats: tuple[str, ...]
    rows: Sequence[tuple[Any, ...]]
    totals: tuple[Any, ...] | None = None
    charts: tuple[Chart, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if len(self.headers) != len(self.formats):
            raise ValueError("one format per column")


NUMERIC = frozenset({"qty", "money", "pct", "int", "number"})


def cell_text(value: Any, fmt: str) -> str:
    """What a cell shows on paper and on screen (files keep the raw number)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):  # a label such as "Total" in a number column, or text already formatted
        return " ".join(value.split())
    if isinstance(value, Decimal) and fmt == "text":  # an amount in a mixed column (the KPI summary)
        return f"{value:,.2f}"
    if fmt == "money":
        return f"{Decimal(value):,.2f}"
    if fmt == "qty":
        return format_qty(Decimal(value))
    if fmt == "pct":
        return f"{Decimal(value):.1f} %"
    if fmt == "number":
        return f"{Decimal(value):,.2f}"
    if fmt == "int":
        return f"{int(value):,}"
    if fmt == "datetime" and isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if fmt == "date" and isinstance(value, date | datetime):
        return value.strftime("%Y-%m-%d")
    return " ".join(str(value).split())


def _fit(text: str, width: float, bold: bool = False) -> str:
    """Cut `text` with an ellipsis so it fits `width` points."""
    if text_width(text, FONT, bold) <= width:
        return text
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if text_width(text[:mid] + "…", FONT, bold) <= width:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo] + "…"


def column_widths(table: ReportTable, total: float) -> list[float]:
    """Each column as wide as its header and its widest value among the first rows, scaled to the page;
    text columns give up room first when the page is too narrow."""
    sample = list(table.rows[:400])
    bold = [table.headers, *([table.totals] if table.totals else [])]
    want = []
    for i, fmt in enumerate(table.formats):
        widest = max(
            [text_width(cell_text(r[i], fmt), FONT, True) for r in bold]
            + [text_width(cell_text(r[i], fmt), FONT) for r in sample]
        )
        want.append(min(widest + 6, 90 * mm))
    if sum(want) <= total:
        spare = total - sum(want)
        texts = [i for i, f in enumerate(table.formats) if f == "text"] or list(range(len(want)))
        return [w + (spare / len(texts) if i in texts else 0) for i, w in enumerate(want)]
    fixed = sum(w for w, f in zip(want, table.formats, strict=True) if f != "text")
    flexible = sum(w for w, f in zip(want, table.formats, strict=True) if f == "text")
    scale = max(total - fixed, total * 0.3) / flexible if flexible else 1
    widths = [w * scale if f == "text" else w for w, f in zip(want, table.formats, strict=True)]
    shrink = total / sum(widths)
    return [w * shrink for w in widths] if shrink < 1 else widths


def render_table_pdf(table: ReportTable, *, generated: str, progress: Progress | None = None) -> bytes:
    register_fonts()
    width, height = PAGE
    usable = width - 2 * MARGIN
    widths = column_widths(table, usable)
    lefts = [MARGIN + sum(widths[:i]) for i in range(len(widths))]
    buffer = io.BytesIO()
    canv = NumberedCanvas(buffer, pagesize=PAGE)
    canv.setTitle(table.title)
    canv.setAuthor("Storeroom")
    total_rows = len(table.rows)

    def header(first: bool) -> float:
        canv.setFont(SANS_BOLD, 13)
        draw_text(canv, MARGIN, height - 12 * mm, table.title, 13, bold=True)
        draw_text(canv, MARGIN, height - 17 * mm, f"{table.subtitle} · printed {generated}", 8.5)
        top = height - 22 * mm
        if first and table.charts:
            top = _draw_charts(canv, table.charts, top, usable)
        canv.setFillColor(colors.HexColor("#DDDDDD"))
        canv.rect(MARGIN, top - ROW, usable, ROW, stroke=0, fill=1)
        canv.setFillColor(colors.black)
        for i, head in enumerate(table.headers):
            _cell(
                canv, _fit(head, widths[i] - 4, True), lefts[i], widths[i], top - ROW, table.formats[i], True
            )
        return top - ROW

    def line(values: tuple[Any, ...], y: float, bold: bool, shade: bool) -> None:
        if shade:
            canv.setFillColor(colors.HexColor("#F3F5F8"))
            canv.rect(MARGIN, y, usable, ROW, stroke=0, fill=1)
            canv.setFillColor(colors.black)
        for i, value in enumerate(values):
            fmt = table.formats[i]
            _cell(canv, _fit(cell_text(value, fmt), widths[i] - 4, bold), lefts[i], widths[i], y, fmt, bold)

    y = header(True)
    bottom = 14 * mm
    if not table.rows:
        draw_text(canv, MARGIN, y - ROW + 1.6 * mm, "Nothing to report.", FONT)
    for n, row in enumerate(table.rows, start=1):
        if y - ROW < bottom:
            canv.showPage()
            y = header(False)
        y -= ROW
        line(row, y, False, n % 2 == 0)
        if progress is not None and n % 2000 == 0 and progress(n, total_rows) is False:
            raise RenderCancelled()
    if table.totals is not None:
        if y - ROW < bottom:
            canv.showPage()
            y = header(False)
        y -= ROW
        canv.setLineWidth(0.6)
        canv.line(MARGIN, y + ROW, MARGIN + usable, y + ROW)
        line(table.totals, y, True, False)
    canv.showPage()
    canv.save()
    if progress is not None:
        progress(total_rows, total_rows)
    return buffer.getvalue()


def _cell(canv: Any, text: str, left: float, width: float, y: float, fmt: str, bold: bool) -> None:
    baseline = y + 1.6 * mm
    if fmt in NUMERIC:
        draw_text(canv, left + width - 2 - text_width(text, FONT, bold), baseline, text, FONT, bold)
    else:
        draw_text(canv, left + 2, baseline, text, FONT, bold)


def _draw_charts(canv: Any, charts: Sequence[Chart], top: float, usable: float) -> float:
    """Up to three charts side by side under the title; returns the y below them."""
    gap = 6 * mm
    each = (usable - gap * (len(charts) - 1)) / len(charts)
    for i, chart in enumerate(charts[:3]):
        drawing = _chart_drawing(chart, each, CHART_H)
        draw_drawing(drawing, canv, MARGIN + i * (each + gap), top - CHART_H)
    return top - CHART_H - 4 * mm


def _chart_drawing(chart: Chart, width: float, height: float) -> Drawing:
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 10, chart.title, fontName=SANS_BOLD, fontSize=9))
    values = [v if v is not None else 0.0 for v in chart.values]
    top = max([*values, 1.0]) * 1.15
    if chart.kind == "line":
        plot = LinePlot()
        plot.data = [list(enumerate(values))]
        plot.lines[0].strokeColor = colors.HexColor("#1F6FB2")
        plot.lines[0].strokeWidth = 1.5
        plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = -0.5, len(values) - 0.5
        plot.xValueAxis.valueSteps = list(range(len(values)))
        plot.xValueAxis.labelTextFormat = lambda v: (
            chart.labels[int(v)][2:] if 0 <= v < len(chart.labels) else ""
        )
        plot.yValueAxis.valueMin, plot.yValueAxis.valueMax = 0, top
        axes: Any = plot
    else:
        bars = VerticalBarChart()
        bars.data = [values]
        bars.categoryAxis.categoryNames = [label[2:] for label in chart.labels]
        bars.bars[0].fillColor = colors.HexColor("#1F6FB2")
        bars.valueAxis.valueMin, bars.valueAxis.valueMax = 0, top
        axes = bars
    axes.x, axes.y, axes.width, axes.height = 34, 22, width - 40, height - 40
    for axis in (
        getattr(axes, "xValueAxis", None),
        getattr(axes, "yValueAxis", None),
        getattr(axes, "categoryAxis", None),
        getattr(axes, "valueAxis", None),
    ):
        if axis is not None:
            axis.labels.fontName = SANS
            axis.labels.fontSize = 6.5
    cat = getattr(axes, "categoryAxis", None) or getattr(axes, "xValueAxis", None)
    if cat is not None and len(chart.labels) > 8:
        cat.labels.angle = 45
        cat.labels.dy = -6
    drawing.add(axes)
    return drawing
