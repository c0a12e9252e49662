"""The app's style: Fusion with a flat scroll bar groove (desktop/ui/app_style.py), the handle still drawn."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QScrollBar, QStyle, QStyleFactory
from pytestqt.qtbot import QtBot

from desktop.ui import app_style


def _bar_image(qtbot: QtBot, style: QStyle | None = None, *, scroll: int = 1000) -> QImage:
    bar = QScrollBar(Qt.Orientation.Vertical)
    qtbot.addWidget(bar)
    if style is not None:
        bar.setStyle(style)
    bar.setRange(0, scroll)
    bar.setPageStep(50)
    bar.setValue(1000)  # the handle at the bottom: the top half is groove alone
    bar.resize(16, 400)
    return bar.grab().toImage()


def _groove_colours(image: QImage) -> set[int]:
    return {image.pixelColor(x, y).rgb() for x in range(1, 16) for y in range(40, 160)}


def test_a_scroll_bar_has_a_flat_groove_and_a_handle(qtbot: QtBot, qapp: QApplication) -> None:
    style = app_style.install(qapp)
    assert isinstance(style, app_style.PlainScrollGroove)
    assert app_style.install(qapp) is style  # installing twice keeps the one style
    image = _bar_image(qtbot)
    assert len(_groove_colours(image)) == 1  # one flat colour
    assert image.pixelColor(0, 100).lightness() < image.pixelColor(8, 100).lightness()  # the outline
    assert len({image.pixelColor(8, y).rgb() for y in range(400)}) > 2  # the handle is drawn below
    fusion = QStyleFactory.create("fusion")
    assert len(_groove_colours(_bar_image(qtbot, fusion))) > 1  # Fusion's own shades its edges


def test_a_bar_with_nothing_to_scroll_has_no_handle(qtbot: QtBot, qapp: QApplication) -> None:
    """A table whose bar stays up (a bin of three lines, rows_table.py): Fusion filled the whole bar with
    a handle, a gradient that took 2 ms at each repaint."""
    app_style.install(qapp)
    image = _bar_image(qtbot, scroll=0)
    between_arrows = {image.pixelColor(x, y).rgb() for x in range(1, 16) for y in range(40, 360)}
    assert len(between_arrows) == 1  # the flat groove from end to end
    assert image.pixelColor(8, 100).rgb() == _bar_image(qtbot).pixelColor(8, 100).rgb()  # the same groove
    fusion = QStyleFactory.create("fusion")
    assert len({_bar_image(qtbot, fusion, scroll=0).pixelColor(x, 200).rgb() for x in range(1, 16)}) > 1
