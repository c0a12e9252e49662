"""The dashboard: the storeroom's KPIs as tiles with a month-by-month sparkline and the change against
the month before; a click (or Enter on a focused tile) draws the figure's trend large and lists the rows
behind it, ready to save as PDF / XLSX / CSV."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.quantities import format_money
from desktop.reports.table_report import ReportTable
from desktop.services.insight import kpis
from desktop.services.insight import report_data as rd
from desktop.services.topics import Topic
from desktop.ui.common import heading, permitted, show_error
from desktop.ui.context import AppContext
from desktop.ui.flow_layout import FlowLayout
from desktop.ui.insight.report_view import ReportView

BLUE = QColor("#1F6FB2")
GOOD, BAD, FLAT = "#1B7F3B", "#B3261E", "#555555"
Series = list[float | None]


def _money(x: Decimal) -> str:
    return format_money(x)  # half-up to the cent, as every amount the app shows


def _pct(x: Decimal | None) -> str:
    return "–" if x is None else f"{x:.1f} %"


def _num(x: Decimal | None, unit: str = "") -> str:
    return "–" if x is None else f"{x:,.1f}{unit}"


def _days_series(k: kpis.Kpis) -> Series:
    return [None if m.days_of_supply is None else float(m.days_of_supply) for m in k.months]


@dataclass(frozen=True)
class TileSpec:
    key: str
    title: str
    value: Callable[[kpis.Kpis], str]
    detail: Callable[[kpis.Kpis], str]
    series: Callable[[kpis.Kpis], Series] | None
    drill: str  # report_data catalogue key of the rows behind the figure
    up_is_good: bool | None = True
    bars: bool = False


def _f(values: list[Decimal | None] | list[Decimal] | list[int]) -> Series:
    return [None if v is None else float(v) for v in values]


TILES: tuple[TileSpec, ...] = (
    TileSpec(
        "value",
        "Stock value",
        lambda k: _money(k.stock_value),
        lambda k: f"average {_money(k.average_value)} over the period (day by day)",
        lambda k: _f([m.value_end for m in k.months]),
        "valuation",
        None,
        bars=True,
    ),
    TileSpec(
        "carrying",
        "Carrying cost / year",
        lambda k: _money(k.carrying_cost),
        lambda k: f"{k.settings.carrying_rate * 100:.0f} % of the average value",
        lambda k: _f([m.average_value * k.settings.carrying_rate for m in k.months]),
        "valuation",
        False,
        bars=True,
    ),
    TileSpec(
        "turnover",
        "Turnover",
        lambda k: _num(k.turnover, " turns"),
        lambda k: f"a year; consumption {_money(k.consumption)}",
        lambda k: _f([m.turnover for m in k.months]),
        "turnover",
    ),
    TileSpec(
        "days",
        "Days of supply",
        lambda k: _num(k.days_of_supply, " days"),
        lambda k: "average value / consumption a day (365 / turnover)",
        _days_series,
        "turnover",
        False,
    ),
    TileSpec(
        "fill",
        "Fill rate",
        lambda k: _pct(k.fill_rate),
        lambda k: f"{k.filled:,} of {k.requests:,} issue requests in full",
        lambda k: _f([m.fill_rate for m in k.months]),
        "short-issues",
    ),
    TileSpec(
        "stockouts",
        "Stockouts",
        lambda k: f"{k.stockouts:,}",
        lambda k: "short issues in the period",
        lambda k: _f([m.stockouts for m in k.months]),
        "short-issues",
        False,
        bars=True,
    ),
    TileSpec(
        "out",
        "Out of stock now",
        lambda k: f"{k.out_of_stock_now:,}",
        lambda k: "parts with demand and nothing on hand",
        None,
        "out-of-stock",
        False,
    ),
    TileSpec(
        "ira",
        "Record accuracy (IRA)",
        lambda k: _pct(k.ira),
        lambda k: f"{k.within:,} of {k.counted:,} counted lines within tolerance",
        lambda k: _f([m.ira for m in k.months]),
        "count-accuracy",
    ),
    TileSpec(
        "orders",
        "Order accuracy",
        lambda k: _pct(k.order_accuracy),
        lambda k: f"{k.po_on_time:,} of {k.po_judged:,} order lines on time in full",
        lambda k: _f([m.order_accuracy for m in k.months]),
        "suppliers",
    ),
    TileSpec(
        "expiry",
        "Expired lots",
        lambda k: f"{k.lots_expired:,}",
        lambda k: (
            f"{_money(k.expired_value)} of stock expired; {k.lots_expiring:,} more lot(s) expiring within "
            f"{kpis.EXPIRY_WINDOW_DAYS} days (or their part's warning)"
        ),
        None,
        "expiring",
        False,
    ),
    TileSpec(
        "dead",
        "Dead stock",
        lambda k: _money(k.dead_value),
        lambda k: f"{k.dead_parts:,} parts idle {k.settings.dead_days} days",
        None,
        "dead",
        False,
    ),
    TileSpec(
        "excess",
        "Excess stock",
        lambda k: _money(k.excess_value),
        lambda k: f"{k.excess_parts:,} parts above need",
        None,
        "excess",
        False,
    ),
    TileSpec(
        "kanban",
        "Kanban loops healthy",
        lambda k: _pct(k.kanban.healthy_pct),
        lambda k: (
            f"{k.kanban.loops} loops: {k.kanban.stockout_loops} empty at the line, "
            f"{k.kanban.late_cards} cards late"
        ),
        None,
        "kanban",
    ),
    TileSpec(
        "abc",
        "ABC analysis",
        lambda k: "A / B / C",
        lambda k: "parts by usage value (Pareto)",
        None,
        "abc",
        None,
    ),
)


def change_text(series: Series, up_is_good: bool | None) -> tuple[str, str]:
    """'▲ 12.5 % vs last month' and its colour, from the last two months that have a value."""
    known = [v for v in series if v is not None]
    if len(known) < 2:
        return "", FLAT
    now, before = known[-1], known[-2]
    if before == 0:
        return ("no change vs last month", FLAT) if now == 0 else ("▲ from 0 last month", FLAT)
    delta = (now - before) / abs(before) * 100
    if abs(delta) < 0.05:
        return "no change vs last month", FLAT
    arrow = "▲" if delta > 0 else "▼"
    colour = FLAT if up_is_good is None else (GOOD if (delta > 0) == up_is_good else BAD)
    return f"{arrow} {abs(delta):.1f} % vs last month", colour


def month_labels(keys: list[str]) -> list[str]:
    """'Dec', 'Jan', ...: the period's years are in the header above the tiles."""
    return [calendar.month_abbr[int(key[5:])] for key in keys]


def _chart(series: Series, labels: list[str], *, bars: bool, small: bool) -> QChart:
    chart = QChart()
    chart.legend().hide()
    values = [0.0 if v is None else v for v in series]
    plot: QBarSeries | QLineSeries
    if bars:
        bar_set = QBarSet("")
        bar_set.setColor(BLUE)
        for v in values:
            bar_set.append(v)
        bar_series = QBarSeries()
        bar_series.append(bar_set)
        plot = bar_series
    else:
        line = QLineSeries()
        line.setPen(QPen(BLUE, 2 if small else 3))
        for i, v in enumerate(values):
            line.append(i, v)
        plot = line
    chart.addSeries(plot)
    if small:
        chart.setMargins(QMargins(0, 0, 0, 0))
        chart.setBackgroundRoundness(0)
        chart.layout().setContentsMargins(0, 0, 0, 0)
        chart.createDefaultAxes()
        for axis in chart.axes():
            axis.setVisible(False)
        if values and not bars:
            chart.axes(Qt.Orientation.Vertical)[0].setRange(min(values), max(values) or 1)
        return chart
    x_axis = QBarCategoryAxis()
    x_axis.append(month_labels(labels))
    y_axis = QValueAxis()
    top = max([*values, 1.0])
    y_axis.setRange(0, top * 1.1)
    y_axis.setLabelFormat("%.0f" if top >= 100 else "%.1f")
    if top >= 10_000:  # 1,603,971 does not fit the axis: scale to thousands and say so
        y_axis.setRange(0, top * 1.1 / 1000)
        y_axis.setTitleText("thousands")
        if isinstance(plot, QBarSeries):
            for bar_set in plot.barSets():
                for i in range(bar_set.count()):
                    bar_set.replace(i, bar_set.at(i) / 1000)
        else:
            plot.replace([QPointF(p.x(), p.y() / 1000) for p in plot.points()])
    y_axis.applyNiceNumbers()
    chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
    if isinstance(plot, QLineSeries):
        line_x = QValueAxis()
        line_x.setRange(-0.5, len(values) - 0.5)
        line_x.setVisible(False)
        chart.addAxis(line_x, Qt.AlignmentFlag.AlignBottom)
        plot.attachAxis(line_x)
    else:
        plot.attachAxis(x_axis)
    plot.attachAxis(y_axis)
    return chart


class KpiTile(QFrame):
    """Signals:
    activated(str): the tile's key, on a click or Enter / Space.
    """

    activated = Signal(str)

    def __init__(self, spec: TileSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.setObjectName("kpiTile")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setStyleSheet(
            "#kpiTile { background: white; border: 1px solid #C8CED6; border-radius: 6px; }"
            "#kpiTile:focus { border: 2px solid #1F6FB2; }"
        )
        self.setMinimumSize(200, 130)
        self.setMaximumHeight(180)
        self.title = QLabel(spec.title)
        self.value = heading("…", size=9)
        self.detail = QLabel("")
        self.detail.setWordWrap(True)
        self.change = QLabel("")
        self.spark = QChartView()
        self.spark.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.spark.setFixedHeight(44)
        permitted(self.spark, spec.series is not None)
        self.spark.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.value)
        layout.addWidget(self.change)
        layout.addWidget(self.detail)
        layout.addWidget(self.spark)
        layout.addStretch(1)

    def show_kpis(self, k: kpis.Kpis) -> None:
        self.value.setText(self.spec.value(k))
        self.detail.setText(self.spec.detail(k))
        if self.spec.series is None:
            self.change.setText("")
            return
        series = self.spec.series(k)
        text, colour = change_text(series, self.spec.up_is_good)
        self.change.setText(text)
        self.change.setStyleSheet(f"color: {colour}; font-weight: bold;")
        self.spark.setChart(_chart(series, [], bars=self.spec.bars, small=True))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.setFocus()
            self.activated.emit(self.spec.key)
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activated.emit(self.spec.key)
            return
        super().keyPressEvent(event)


class DashboardPage(QWidget):
    """Signals:
    loaded(object): the KPIs were computed and shown (tests wait on it).
    """

    loaded = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kpis: kpis.Kpis | None = None
        self.selected = TILES[0].key
        self.period = QComboBox()
        for months in (3, 6, 12, 24):
            self.period.addItem(f"last {months} months", months)
        self.period.setCurrentIndex(2)
        self.refresh_button = QPushButton("Refresh")
        self.status = QLabel("")
        top = FlowLayout().stretch_first()
        top.addWidget(heading("Dashboard"))
        top.addWidget(self.status)
        top.addWidget(QLabel("Period"))
        top.addWidget(self.period)
        top.addWidget(self.refresh_button)
        grid = FlowLayout()  # six tiles a row on a wide screen, fewer on a narrow one
        self.tiles: dict[str, KpiTile] = {}
        for spec in TILES:
            tile = KpiTile(spec)
            tile.activated.connect(self.select)
            grid.addWidget(tile)
            self.tiles[spec.key] = tile
        tiles = QWidget()
        tiles.setLayout(grid)
        self.chart_title = QLabel("")
        self.chart = QChartView()
        self.chart.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.chart.setMinimumHeight(220)
        chart_box = QWidget()
        chart_layout = QVBoxLayout(chart_box)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        chart_layout.addWidget(self.chart_title)
        chart_layout.addWidget(self.chart, 1)
        self.rows = ReportView(ctx)
        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(chart_box)
        lower.addWidget(self.rows)
        lower.setStretchFactor(0, 2)
        lower.setStretchFactor(1, 3)
        lower.setSizes([560, 840])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(tiles)
        layout.addWidget(lower, 1)
        self.refresh_button.clicked.connect(self.refresh)
        self.period.currentIndexChanged.connect(lambda _i: self.refresh())

    def months(self) -> int:
        return int(self.period.currentData())

    @Slot()
    def refresh(self) -> None:
        months = self.months()
        self.status.setText("computing…")
        self.refresh_button.setEnabled(False)
        self.ctx.runner.run(lambda: kpis.compute(self.ctx.db, months=months), self._computed, self._failed)

    def _computed(self, k: kpis.Kpis) -> None:
        self.kpis = k
        self.refresh_button.setEnabled(True)
        self.status.setText(f"{k.months[0].month} to {k.months[-1].month}")
        for tile in self.tiles.values():
            tile.show_kpis(k)
        self.select(self.selected)
        self.loaded.emit(k)

    def _failed(self, exc: BaseException) -> None:
        self.refresh_button.setEnabled(True)
        self.status.setText("")
        show_error(self, exc)

    @Slot(str)
    def select(self, key: str) -> None:
        """Draw the tile's trend large and list the rows behind its figure."""
        self.selected = key
        spec = next(t for t in TILES if t.key == key)
        k = self.kpis
        if k is not None and spec.series is not None:
            labels = [m.month for m in k.months]
            self.chart_title.setText(f"<b>{spec.title}</b> by month")
            self.chart.setChart(_chart(spec.series(k), labels, bars=spec.bars, small=False))
            self.chart.show()
        else:
            self.chart_title.setText(
                f"<b>{spec.title}</b>: no month-by-month history; the rows are on the right"
            )
            self.chart.setChart(QChart())
        months = self.months()
        self.ctx.runner.run(
            lambda: rd.build(self.ctx.db, self.ctx.actor, spec.drill, rd.ReportParams(months=months)),
            self._rows,
            self._failed,
        )

    def _rows(self, table: ReportTable) -> None:
        self.rows.show_table(table)

    def data_changed(self, what: frozenset[Topic]) -> None:
        # the planning figures say after how many days stock is dead or in excess
        if what & {Topic.STOCK, Topic.PLANNING} and self.isVisible():
            self.refresh()
