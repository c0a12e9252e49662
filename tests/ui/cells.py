"""What a table or tree on screen shows, for assertions.

Qt's accessors return None for a cell or row that is not there; these say which one was missing
instead of failing later with "'NoneType' object has no attribute 'text'"."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView, QTableWidget, QTableWidgetItem, QTreeWidget, QTreeWidgetItem


def cell(table: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    item = table.item(row, column)
    assert item is not None, f"no item at row {row}, column {column}"
    return item


def cell_text(table: QTableView, row: int, column: int) -> str:
    """What the cell shows: a QTableWidget's item, or a model-backed table's model (RowsTable)."""
    if isinstance(table, QTableWidget):
        return cell(table, row, column).text()
    index = table.model().index(row, column)
    assert index.isValid(), f"no cell at row {row}, column {column}"
    return str(index.data())


def row_texts(table: QTableView, row: int) -> list[str]:
    return [cell_text(table, row, c) for c in range(table.model().columnCount())]


def header_texts(table: QTableView) -> list[str]:
    model = table.model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert all(h is not None for h in headers), "a column without a header"
    return [str(h) for h in headers]


def top(tree: QTreeWidget, index: int) -> QTreeWidgetItem:
    item = tree.topLevelItem(index)
    assert item is not None, f"no top-level item {index}"
    return item


def child(item: QTreeWidgetItem, index: int) -> QTreeWidgetItem:
    found = item.child(index)
    assert found is not None, f"{item.text(0)} has no child {index}"
    return found


def current(tree: QTreeWidget) -> QTreeWidgetItem:
    item = tree.currentItem()
    assert item is not None, "no current item"
    return item
