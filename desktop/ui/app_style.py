"""The application's widget style: Qt's own, with one costly piece of Fusion's drawing made plain.

Fusion (Qt's style on Linux) fills a scroll bar's groove with a gradient. Qt's raster engine splits a
gradient fill over 500 scan lines into jobs for its GUI thread pool and waits for them: on a 2-core PC
each repaint of a table's scroll bar cost about 1.5 ms, a quarter of the time to paint a scanned
rack (py-spy, bench/bench_scan_paint.py). The groove is filled with one flat colour instead, Fusion's
own inside colour with its outline along the inner edge (only Fusion's faint shading at the edges is
gone); the handle and the arrows are Fusion's own. A bar with nothing to scroll (a table whose bar
stays up, rows_table.py) shows no handle. Other styles (Windows, macOS) draw natively and
are left alone.
"""

from __future__ import annotations

from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QApplication,
    QProxyStyle,
    QStyle,
    QStyleOptionComplex,
    QStyleOptionSlider,
    QWidget,
)

_GROOVE = QStyle.SubControl.SC_ScrollBarGroove
_HANDLE = QStyle.SubControl.SC_ScrollBarSlider


class PlainScrollGroove(QProxyStyle):
    """Fusion with a flat scroll bar groove."""

    def drawComplexControl(
        self,
        control: QStyle.ComplexControl,
        option: QStyleOptionComplex,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        if control != QStyle.ComplexControl.CC_ScrollBar or not option.subControls & _GROOVE:
            super().drawComplexControl(control, option, painter, widget)
            return
        rect = option.rect
        painter.fillRect(rect, option.palette.button().color().darker(104))
        edge = option.palette.window().color().darker(140)  # Fusion's outline, as translucent as its own
        edge.setAlpha(180)
        painter.setPen(edge)
        if option.state & QStyle.StateFlag.State_Horizontal:
            painter.drawLine(rect.topLeft(), rect.topRight())
        else:
            painter.drawLine(rect.topLeft(), rect.bottomLeft())
        rest = QStyleOptionSlider(option)  # type: ignore[call-overload]  # the same bar without its groove
        rest.subControls = option.subControls & ~_GROOVE
        if rest.minimum == rest.maximum:  # nothing to scroll: no handle (Fusion's filled the whole bar
            rest.subControls &= ~_HANDLE  # with a gradient, 2 ms at every repaint of an idle bar)
        super().drawComplexControl(control, rest, painter, widget)


def install(app: QApplication) -> QStyle:
    """Give `app` its style (before the first window is built); returns the style in use."""
    style = app.style()
    if style.name().lower() == "fusion" and not isinstance(style, PlainScrollGroove):
        style = PlainScrollGroove("fusion")
        app.setStyle(style)
    return style
