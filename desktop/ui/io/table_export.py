"""'Export CSV / XLSX…' for any list view: the file holds what the view shows.

What the view shows means its visible columns in their on-screen order with their header titles, and
every row of its model: those scrolled out of sight and those inside collapsed tree branches too, but
not rows a filter has hidden. Cells are the text on screen; in a right-aligned (number) column a
plain number goes into a workbook as a number, so it still adds up in a spreadsheet. A column counts
as a number column when its first row is right-aligned, as every list here aligns whole columns.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Protocol, runtime_checkable

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHeaderView,
    QMainWindow,
    QProgressDialog,
    QPushButton,
    QTableView,
    QTreeView,
    QWidget,
)

from desktop.errors import UserError
from desktop.services.io.tabular import write_csv, write_xlsx
from desktop.ui.common import show_error
from desktop.ui.context import AppContext

_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_STEP = 2_000  # rows read between two looks at the Cancel button
_FILTERS = "Excel workbook (*.xlsx);;CSV, UTF-8 (*.csv)"
Display = Qt.ItemDataRole.DisplayRole
Writer = Callable[[Path, list[str], list[list[object]], str], None]


@runtime_checkable
class FetchesInBackground(Protocol):
    """A model whose rows are read from the database as they are painted (the parts list)."""

    def prefetch(self, done: Callable[[], None]) -> None: ...


class ExportCancelled(UserError):
    def __init__(self) -> None:
        super().__init__("Export cancelled: no file was written.")


def view_table(
    view: QAbstractItemView, progress: Callable[[int, int], bool] | None = None
) -> tuple[list[str], list[list[object]]]:
    """The headers and every row the view shows, read through its model as it paints them.

    `progress(rows read, top-level rows)` is called every few thousand rows; False cancels."""
    model = view.model()
    header = _header(view)
    columns = [
        header.logicalIndex(v)
        for v in range(header.count())
        if not header.isSectionHidden(header.logicalIndex(v))
    ]
    titles = [str(model.headerData(c, Qt.Orientation.Horizontal, Display) or "") for c in columns]
    numeric = [_right_aligned(model, c) for c in columns]
    tree = isinstance(view, QTreeView)
    data = model.data
    rows: list[list[object]] = []
    total = model.rowCount(QModelIndex())

    def walk(parent: QModelIndex) -> None:
        for r in range(model.rowCount(parent)):
            if _row_hidden(view, r, parent):
                continue
            cells = [data(model.index(r, c, parent), Display) for c in columns]
            rows.append([_value(v, n) for v, n in zip(cells, numeric, strict=True)])
            if progress is not None and len(rows) % _STEP == 0 and not progress(len(rows), total):
                raise ExportCancelled()
            first = model.index(r, 0, parent)
            if tree and model.hasChildren(first):
                walk(first)

    walk(QModelIndex())
    return titles, rows


def _header(view: QAbstractItemView) -> QHeaderView:
    if isinstance(view, QTreeView):
        return view.header()
    if isinstance(view, QTableView):
        return view.horizontalHeader()
    raise TypeError(f"table_export handles table and tree views, not {type(view).__name__}")


def _row_hidden(view: QAbstractItemView, row: int, parent: QModelIndex) -> bool:
    if isinstance(view, QTreeView):
        return view.isRowHidden(row, parent)
    return isinstance(view, QTableView) and view.isRowHidden(row)


def _right_aligned(model: QAbstractItemModel, column: int) -> bool:
    """A number column: our views right-align numbers, column by column (read from the first row)."""
    align = model.data(model.index(0, column), Qt.ItemDataRole.TextAlignmentRole)
    return align is not None and bool(int(align) & int(Qt.AlignmentFlag.AlignRight))


def _value(value: object, numeric: bool) -> object:
    text = "" if value is None else str(value)
    return Decimal(text) if numeric and _PLAIN_NUMBER.match(text) else text


def write_view(view: QAbstractItemView, path: Path, *, title: str = "Export") -> int:
    """Write the view to `path` (.csv or .xlsx, atomically); returns the number of rows."""
    headers, rows = view_table(view)
    _writer(path)(path, headers, rows, title)
    return len(rows)


def _writer(path: Path) -> Writer:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _write_csv
    if suffix == ".xlsx":
        return _write_xlsx
    raise UserError("Export to a .csv or .xlsx file.")


def _write_csv(path: Path, headers: list[str], rows: list[list[object]], _title: str) -> None:
    write_csv(path, headers, rows)


def _write_xlsx(path: Path, headers: list[str], rows: list[list[object]], title: str) -> None:
    write_xlsx(path, headers, rows, title=title)


class TableExport(QPushButton):
    """An 'Export CSV / XLSX…' button for one list view.

    The rows are read on the GUI thread (the model is a GUI object); the file is written by the
    background runner, atomically, so a full disk never leaves half a file.

    Signals:
    exported(str): a file was written; the message says where and how many rows.
    """

    exported = Signal(str)

    def __init__(
        self, ctx: AppContext, view: QAbstractItemView, name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__("Export CSV / XLSX…", parent)
        self.ctx = ctx
        self.view = view
        self.name = name  # the default file name and the workbook's sheet title
        self.setToolTip(f"Save every row of this list ({name}) as a spreadsheet")
        self.clicked.connect(self._ask)

    @Slot()
    def _ask(self) -> None:
        name, chosen = QFileDialog.getSaveFileName(self, f"Export {self.name}", f"{self.name}.xlsx", _FILTERS)
        if not name:
            return
        path = Path(name)
        if path.suffix.lower() not in (".csv", ".xlsx"):
            path = path.with_name(path.name + (".csv" if "csv" in chosen.lower() else ".xlsx"))
        self.export_to(path)

    def export_to(self, path: Path) -> None:
        try:
            write = _writer(path)
        except UserError as exc:
            show_error(self, exc)
            return
        model = self.view.model()
        if model.canFetchMore(QModelIndex()):  # a search shown a page at a time: every match first
            self._fetch_all_then(lambda: self.export_to(path))
            return
        if isinstance(model, FetchesInBackground):  # its rows come from the database: all of them first
            model.prefetch(lambda: self._read_and_write(path, write))
        else:
            self._read_and_write(path, write)

    def _read_and_write(self, path: Path, write: Writer) -> None:
        try:
            headers, rows = self._read()
        except ExportCancelled as exc:
            self.exported.emit(exc.message)
            return
        title = self.name.capitalize()
        self.ctx.runner.run(
            lambda: write(path, headers, rows, title),
            lambda _none: self._done(f"Exported {len(rows):,} rows to {path.name}."),
            lambda exc: show_error(self, exc),
        )

    def _fetch_all_then(self, then: Callable[[], None]) -> None:
        """A list that brings its rows as it is scrolled (the parts list after a short search) has
        them all brought first: the file holds every row, not the first page."""
        model = self.view.model()
        done = False

        def check(*_args: object) -> None:
            nonlocal done
            if done:
                return
            if model.canFetchMore(QModelIndex()):
                model.fetchMore(QModelIndex())  # the rows arrive later (or at once) and call back
                return
            done = True
            model.rowsInserted.disconnect(check)
            model.modelReset.disconnect(check)
            then()

        model.rowsInserted.connect(check)
        model.modelReset.connect(check)
        check()

    def _read(self) -> tuple[list[str], list[list[object]]]:
        """The view's rows; a long list (100,000 parts read in about 7 s) shows progress and Cancel.

        The model is a GUI object, so it is read here on the GUI thread; the window-modal progress
        dialog keeps the window painting while no click can change the list under the reader."""
        total = self.view.model().rowCount()
        if total <= _STEP:
            return view_table(self.view)
        dialog = QProgressDialog(f"Reading {total:,} rows…", "Cancel", 0, total, self)
        dialog.setWindowTitle(f"Export {self.name}")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(400)

        def step(done: int, _total: int) -> bool:
            dialog.setValue(min(done, total))  # a modal dialog handles events as it updates
            return not dialog.wasCanceled()

        try:
            return view_table(self.view, step)
        finally:
            dialog.reset()
            dialog.deleteLater()

    def _done(self, message: str) -> None:
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(message, 10_000)
        self.setToolTip(message)
        self.exported.emit(message)
