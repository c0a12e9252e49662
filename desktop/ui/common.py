"""Small widget helpers shared by the pages and dialogs."""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable, Mapping, Sequence

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, SignalInstance
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from desktop.errors import UserError
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.rows_table import RowsTable, read_only_view
from desktop.ui.ui_scale import larger

log = logging.getLogger("storeroom.ui")


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    """The one place errors reach the user: a plain message for a UserError, a crash dialog for a bug."""
    if isinstance(exc, UserError):
        QMessageBox.warning(parent, "Storeroom", exc.message)
        return
    log.error("unexpected error", exc_info=exc)
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        "Storeroom: unexpected error",
        "Something went wrong inside Storeroom. Nothing half-done was saved.\n"
        "Please send the details below to your administrator.",
        parent=parent,
    )
    box.setDetailedText("".join(traceback.format_exception(exc)))
    box.exec()


def show_failure(
    parent: QWidget, banner: FeedbackBanner, fields: Mapping[str, QWidget], exc: BaseException
) -> None:
    """A form's save failed: a UserError goes to the banner and the cursor to the field it names
    (its text selected, ready to retype); anything else is a bug and gets the crash dialog."""
    if not isinstance(exc, UserError):
        show_error(parent, exc)
        return
    banner.error(exc.message)
    widget = fields.get(exc.field or "")
    if widget is not None:
        widget.setFocus()
        if isinstance(widget, QLineEdit):
            widget.selectAll()


def heading(text: str, *, size: int = 8) -> QLabel:
    label = QLabel(text)
    larger(label, size, bold=True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class _SelectOnFocus(QObject):
    """Selects a field's text whenever it gets focus, so what is typed or scanned next replaces it."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QLineEdit):
            # after Qt's own focus handling (a mouse click would place the cursor and deselect)
            QTimer.singleShot(0, watched, watched.selectAll)
        return False


def big_field(placeholder: str = "") -> QLineEdit:
    """A large input for scanning and typing at arm's length (scan boxes, quantities, sign-in).

    Its text is selected whenever it gets focus: nothing is ever appended to what was there."""
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    larger(edit, 5)
    selector = _SelectOnFocus(edit)
    edit.installEventFilter(selector)
    return edit


def cancellable_progress(signal: SignalInstance, cancel: threading.Event) -> Callable[[int, int], bool]:
    """A progress callback for work on the worker thread: hands (done, total) to the GUI thread through
    `signal`, and answers False (stop) once `cancel` is set. Starts a new job: `cancel` is cleared."""
    cancel.clear()

    def report(done: int, total: int) -> bool:
        signal.emit(done, total)
        return not cancel.is_set()

    return report


def action_row(action: str) -> tuple[QHBoxLayout, QPushButton, QPushButton]:
    """'<action>  (Enter)' and 'Close  (Esc)' at the bottom right; Enter stays with the fields."""
    act = QPushButton(f"{action}  (Enter)")
    close = QPushButton("Close  (Esc)")
    row = QHBoxLayout()
    row.addStretch(1)
    for button in (act, close):
        button.setAutoDefault(False)
        row.addWidget(button)
    return row, act, close


def permitted(widget: QWidget, allowed: bool) -> None:
    """Hide `widget` when the user's role may not use it. Never shows it: a widget shown before it
    has a parent opens as a window of its own for a moment and takes the keyboard from the window in
    front (a page built while the keeper scanned lost the scan box's focus that way)."""
    if not allowed:
        widget.hide()


def move_buttons(
    can_move: bool, labels: Sequence[tuple[object, str]], row: QHBoxLayout
) -> dict[object, QPushButton]:
    """One '<label>…' button per move kind, added to `row`; hidden for a role that may not move stock."""
    buttons: dict[object, QPushButton] = {}
    for kind, label in labels:
        button = QPushButton(label + "…")
        permitted(button, can_move)
        buttons[kind] = button
        row.addWidget(button)
    return buttons


def read_only_table(
    headers: Sequence[str], *, numeric: Sequence[int] = (), stretch: int | None = None
) -> QTableWidget:
    """A small read-only table: fixed row height, no word wrap (fast and predictable)."""
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    read_only_view(table)
    # column widths from the rows on screen and a few more, not from every row: sizing 500 rows took
    # most of a scan's paint time (bench/bench_scan_paint.py)
    table.horizontalHeader().setResizeContentsPrecision(60)
    if stretch is None:
        table.horizontalHeader().setStretchLastSection(True)
    # Python attributes, not Qt properties: PySide6 6.12's QObject.property() drops a reference to None
    # whenever the value is unset or None, and a day of refreshes brought None's count to zero (abort).
    table.stretch_column = stretch  # type: ignore[attr-defined]
    table.numeric_columns = list(numeric)  # type: ignore[attr-defined]
    return table


def fill_table(
    table: QTableWidget | RowsTable, rows: Sequence[Sequence[object]], *, keys: Sequence[object] = ()
) -> None:
    """Replace the rows; `keys[i]` is row i's key, on its first cell (Qt.UserRole), for look-ups."""
    kept = selected_key(table) if keys else None  # the selected row stays selected across a refresh
    if isinstance(table, RowsTable):
        table.set_rows(rows, keys)
    else:
        _fill_items(table, rows, keys)
    if kept is not None and kept in keys:
        table.selectRow(list(keys).index(kept))


def _fill_items(table: QTableWidget, rows: Sequence[Sequence[object]], keys: Sequence[object]) -> None:
    numeric = set(getattr(table, "numeric_columns", ()))
    table.setRowCount(len(rows))
    # Names looked up once: a rack's scan fills 2,500 cells, and each enum operation is a Python call.
    right, user_role = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, Qt.ItemDataRole.UserRole
    item_of, put = QTableWidgetItem, table.setItem
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = item_of("" if value is None else str(value))
            if c in numeric:
                item.setTextAlignment(right)
            if c == 0 and r < len(keys):
                item.setData(user_role, keys[r])
            put(r, c, item)
    stretch = getattr(table, "stretch_column", None)
    for column in range(table.columnCount()):  # small tables only (a few hundred rows at most)
        if column != stretch:  # a stretched column's width is the spare width: measuring it is waste
            table.resizeColumnToContents(column)
    if stretch is not None:  # the text column takes the spare width, numbers stay by their labels
        table.horizontalHeader().setSectionResizeMode(int(stretch), QHeaderView.ResizeMode.Stretch)


def selected_key(table: QTableView) -> object | None:
    """The key fill_table put on the selected row (either kind of table answers it through its model)."""
    rows = table.selectionModel().selectedRows()
    return rows[0].data(Qt.ItemDataRole.UserRole) if rows else None


def wait_for_work(banner: FeedbackBanner, widgets: Sequence[QWidget], text: str) -> Callable[[], None]:
    """Disable `widgets` under an amber `text` while the runner does the work a dialog waits for; the
    function returned enables them again, clears the banner and gives the focus back (a badge scan's
    Enter may still be on its way to the field it was typed in)."""
    focused = QApplication.focusWidget()
    for widget in widgets:
        widget.setEnabled(False)
    banner.working(text)

    def resume() -> None:
        for widget in widgets:
            widget.setEnabled(True)
        banner.clear()
        if focused is not None and shiboken6.isValid(focused):
            focused.setFocus()

    return resume
