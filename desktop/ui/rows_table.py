"""A read-only table whose rows stay Python tuples: for the tables a scan fills with hundreds of lines.

A QTableWidget makes one C++ item per cell, so a rack's 500 lines meant 2,500 items created on the GUI
thread at every scan: 6-8 ms, a third of the time from the scanner's Enter to the rack on screen. Here a
refresh hands the new list to the model in one reset, and Qt asks for the text of the cells it paints,
a screenful (bench/bench_scan_paint.py; RESULTS.md section 0g).
"""

from __future__ import annotations

from collections.abc import Sequence
from heapq import nlargest

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

Index = QModelIndex | QPersistentModelIndex
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_DISPLAY, _ALIGN, _USER = (
    Qt.ItemDataRole.DisplayRole,
    Qt.ItemDataRole.TextAlignmentRole,
    Qt.ItemDataRole.UserRole,
)
MEASURED_PER_COLUMN = 8  # rows measured for a column's width: those with its longest texts


def read_only_view(view: QTableView) -> None:
    """What every read-only table has: whole rows selected, fixed row height, no word wrap (fast and
    predictable), alternate rows shaded, no row numbers."""
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setWordWrap(False)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)


class RowsModel(QAbstractTableModel):
    """Rows of text; `keys[i]` is row i's key (Qt.UserRole of its first cell, as fill_table stores it)."""

    def __init__(self, headers: Sequence[str], numeric: Sequence[int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headers = list(headers)
        self.numeric = frozenset(numeric)
        self.rows: list[tuple[str, ...]] = []
        self.keys: list[object] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008  (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: Index, role: int = _DISPLAY) -> object:
        if role == _DISPLAY:
            return self.rows[index.row()][index.column()]
        if role == _ALIGN:
            return _RIGHT if index.column() in self.numeric else None
        if role == _USER and index.column() == 0 and index.row() < len(self.keys):
            return self.keys[index.row()]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> object:
        if role == _DISPLAY and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    def replace(self, rows: list[tuple[str, ...]], keys: Sequence[object]) -> None:
        self.beginResetModel()
        self.rows, self.keys = rows, list(keys)
        self.endResetModel()


class RowsTable(QTableView):
    """What `read_only_table` gives, fed by `fill_table` and read by `selected_key` in the same way:
    fixed row height, no word wrap, whole rows selected, one text column stretched."""

    def __init__(
        self,
        headers: Sequence[str],
        *,
        numeric: Sequence[int] = (),
        stretch: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.rows_model = RowsModel(headers, numeric, self)
        self.setModel(self.rows_model)
        self.stretch_column = stretch
        read_only_view(self)
        # The scroll bar stays, so Qty and Unit stay put between scans. Coming and going with a bin's
        # 30th line, it moved them and painted the lines twice (bench_scan_paint's bin p95 9 -> 13 ms).
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        header = self.horizontalHeader()
        if stretch is None:
            header.setStretchLastSection(True)
        else:  # the text column takes the spare width, numbers stay by their labels
            header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)

    def rowCount(self) -> int:
        return len(self.rows_model.rows)

    def columnCount(self) -> int:
        return len(self.rows_model.headers)

    def set_rows(self, rows: Sequence[Sequence[object]], keys: Sequence[object] = ()) -> None:
        """Through fill_table, which keeps the selected key selected."""
        texts = [tuple("" if value is None else str(value) for value in row) for row in rows]
        # One paint, not two: the view lays out now rather than at its first paint, and the header's
        # "section resized" signals are held meanwhile. Each would start QTableView's zero timer that
        # repaints the resized columns, i.e. the whole rack a second time (3 ms), when the reset
        # repaints everything anyway.
        header = self.horizontalHeader()
        header.blockSignals(True)
        try:
            self.rows_model.replace(texts, keys)
            self._size_columns()
            self.executeDelayedItemsLayout()
        finally:
            header.blockSignals(False)

    def _size_columns(self) -> None:
        """Each column as wide as its header or its widest text, whichever is wider. The text measured is
        that of the rows with the column's longest texts (by characters): measuring every cell would ask
        Python for each cell's roles, the cost this model is here to save, and QTableWidget's own sizing
        looked at only 60 rows."""
        model, header = self.rows_model, self.horizontalHeader()
        for column in range(len(model.headers)):
            if column == self.stretch_column:  # its width is the spare width: measuring it is waste
                continue
            rows = model.rows
            longest = nlargest(MEASURED_PER_COLUMN, range(len(rows)), key=lambda r: len(rows[r][column]))
            widest = max((self.sizeHintForIndex(model.index(r, column)).width() for r in longest), default=0)
            grid = 1 if self.showGrid() else 0  # as QTableView::sizeHintForColumn counts it
            header.resizeSection(column, max(widest + grid, header.sectionSizeHint(column)))
