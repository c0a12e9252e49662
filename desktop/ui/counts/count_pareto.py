"""The ABC Pareto chart: cumulative % of 12-month usage value against % of parts (largest first), with
the A/B and B/C cut lines at the thresholds of the count settings."""

from __future__ import annotations

from PySide6.QtCharts import QChart, QChartView, QLineSeries, QValueAxis
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QWidget

from desktop.services.counts.abc import Pareto

CURVE = "Cumulative usage value"
CURVE_COLOR = QColor("#1F6FB2")
CUT_COLORS = {"A": QColor("#B3261E"), "B": QColor("#C77700")}


def _line(name: str, points: list[tuple[float, float]], pen: QPen) -> QLineSeries:
    series = QLineSeries()
    series.setName(name)
    series.setPen(pen)
    for x, y in points:
        series.append(x, y)
    return series


def pareto_chart(data: Pareto) -> QChart:
    chart = QChart()
    chart.setTitle(
        f"ABC: {data.parts_by_class['A']} A, {data.parts_by_class['B']} B, {data.parts_by_class['C']} C parts"
        f" — usage value {data.total_value:,.0f} over 12 months"
    )
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    series = [_line(CURVE, list(data.points), QPen(CURVE_COLOR, 3))]
    for cls, value_pct in (("A", data.a_pct), ("B", data.a_pct + data.b_pct)):
        pen = QPen(CUT_COLORS[cls], 1.5, Qt.PenStyle.DashLine)
        nxt = "B" if cls == "A" else "C"
        at = data.cut_at_parts(cls)
        # the cut: across at the class's share of value, down at the share of parts where it falls
        series.append(
            _line(
                f"{cls} | {nxt} cut: {float(value_pct):g} % of value, {at:.0f} % of parts",
                [(0.0, float(value_pct)), (at, float(value_pct)), (at, 0.0)],
                pen,
            )
        )
    x_axis, y_axis = QValueAxis(), QValueAxis()
    for axis, title in ((x_axis, "% of parts, largest usage value first"), (y_axis, "% of usage value")):
        axis.setRange(0, 100)
        axis.setLabelFormat("%.0f")
        axis.setTickCount(11)
        axis.setTitleText(title)
    chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
    for s in series:
        chart.addSeries(s)
        s.attachAxis(x_axis)
        s.attachAxis(y_axis)
    return chart


class ParetoView(QChartView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(260)

    def show_pareto(self, data: Pareto) -> None:
        self.setChart(pareto_chart(data))

    def series_names(self) -> list[str]:
        return [s.name() for s in self.chart().series()]
