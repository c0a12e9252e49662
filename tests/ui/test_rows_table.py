"""The rows table behind a location's contents (desktop/ui/rows_table.py): what it shows, how wide its
columns are, that a selection survives a refresh, and that a refresh paints the rows once."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop.ui.common import fill_table, selected_key
from desktop.ui.rows_table import RowsTable
from tests.ui.cells import header_texts, row_texts

HEADERS = ["Location", "Part number", "Description", "Qty", "Unit"]
LONGEST_CODE, LONGEST_PART = "W" * 30, "W" * 40  # a location code and a part number at their maximum


def _table(qtbot: QtBot, width: int = 900) -> RowsTable:
    table = RowsTable(HEADERS, numeric=(3,), stretch=2)
    qtbot.addWidget(table)
    table.resize(width, 400)
    table.show()
    qtbot.waitExposed(table)
    return table


def _rows(n: int) -> list[tuple[object, ...]]:
    return [(f"A-01-{i:02d}", f"P-{i}", f"Hex bolt M{i}", f"{i * 1000:,}", "EA") for i in range(n)]


def test_it_shows_the_rows_with_numbers_on_the_right(qtbot: QtBot) -> None:
    table = _table(qtbot)
    fill_table(table, [*_rows(3), ("B-1", "P-X", None, 5, "M")], keys=[10, 11, 12, 13])
    assert header_texts(table) == HEADERS
    assert table.rowCount() == 4 and table.columnCount() == 5
    assert row_texts(table, 1) == ["A-01-01", "P-1", "Hex bolt M1", "1,000", "EA"]
    assert row_texts(table, 3) == ["B-1", "P-X", "", "5", "M"]  # None shows as nothing, numbers as text
    model = table.model()
    assert model.index(0, 3).data(Qt.ItemDataRole.TextAlignmentRole) == int(
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    )
    assert model.index(0, 1).data(Qt.ItemDataRole.TextAlignmentRole) is None
    assert model.index(2, 0).data(Qt.ItemDataRole.UserRole) == 12  # the key, as fill_table stores it
    fill_table(table, [])
    assert table.rowCount() == 0
    assert table.verticalScrollBar().isVisible()  # it stays: Qty and Unit do not move between scans


def test_every_column_fits_its_longest_text_and_its_header(qtbot: QtBot) -> None:
    table = _table(qtbot, width=1400)
    rows = _rows(500)
    rows[417] = (LONGEST_CODE, LONGEST_PART, "x", "99,999,999.999", "PAIRS123")  # far below the screen
    rows[3] = ("iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii", "P-3", "x", "1", "EA")  # long, but narrow letters
    fill_table(table, rows, keys=list(range(500)))
    model = table.model()
    for column in (0, 1, 3, 4):
        needed = max(table.sizeHintForIndex(model.index(r, column)).width() for r in range(500))
        assert table.columnWidth(column) >= needed, HEADERS[column]
        assert table.columnWidth(column) >= table.horizontalHeader().sectionSizeHint(column)
    assert table.columnWidth(0) == table.sizeHintForIndex(model.index(417, 0)).width() + 1  # not wider
    # the description takes the spare width, so Qty and Unit end at the right edge, not beyond it
    right = table.horizontalHeader().sectionViewportPosition(4) + table.columnWidth(4)
    assert right == table.viewport().width()


def test_the_selected_row_stays_selected_across_a_refresh(qtbot: QtBot) -> None:
    table = _table(qtbot)
    fill_table(table, _rows(5), keys=[100, 101, 102, 103, 104])
    assert selected_key(table) is None
    table.selectRow(3)
    assert selected_key(table) == 103
    fill_table(table, _rows(5)[2:], keys=[102, 103, 104])  # two lines went: the key, not the row, counts
    assert selected_key(table) == 103 and table.selectionModel().selectedRows()[0].row() == 1


def test_a_double_click_names_the_line(qtbot: QtBot) -> None:
    table = _table(qtbot)
    fill_table(table, _rows(4), keys=[7, 8, 9, 10])
    clicked: list[int] = []
    table.doubleClicked.connect(lambda index: clicked.append(index.row()))
    cell = table.visualRect(table.model().index(2, 1)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert clicked == [2] and selected_key(table) == 9


class _Paints(QObject):
    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def _settle(qtbot: QtBot) -> None:
    for _ in range(5):
        QApplication.processEvents()
        qtbot.wait(5)


def test_a_refresh_paints_the_rows_once(qtbot: QtBot) -> None:
    """Two paints of 500 lines were a third of a rack scan's time on screen (bench_scan_paint)."""
    table = _table(qtbot)
    fill_table(table, _rows(30), keys=list(range(30)))  # more than a screenful: the scroll bar is up
    _settle(qtbot)
    paints = _Paints(table.viewport())
    for n in (500, 120, 500):  # a rack's lines, of other widths each time
        rows = [(f"{code}-{n}", *rest) for code, *rest in _rows(n)]
        paints.count = 0
        fill_table(table, rows, keys=list(range(n)))
        _settle(qtbot)
        assert paints.count == 1, f"{n} lines painted {paints.count} times"
    # a column dragged wider by hand still repaints
    paints.count = 0
    table.horizontalHeader().resizeSection(0, table.columnWidth(0) + 40)
    _settle(qtbot)
    assert paints.count >= 1
