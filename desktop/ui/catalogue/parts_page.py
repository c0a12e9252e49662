"""Parts: search as you type over the whole catalogue, sort by any column, open or create a part."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.models.enums import PartCategory
from desktop.services.actor import Permission
from desktop.services.catalogue import categories
from desktop.services.topics import Topic
from desktop.ui.catalogue.parts_model import COLUMNS, PartsTableModel
from desktop.ui.common import permitted
from desktop.ui.context import AppContext
from desktop.ui.io.table_export import TableExport
from desktop.ui.scanner import ROLE_HANDLER, set_scan_role


def _about(count: int) -> int:
    """An estimate rounded to two significant digits: "about 36,000", not a precise-looking 36,137."""
    return round(count, 2 - len(str(count))) if count >= 100 else count


_WIDTHS = {
    "part_number": 150,
    "description": 360,
    "category": 90,
    "unit": 60,
    "on_hand": 90,
    "on_order": 90,
    "unit_cost": 90,
}


class PartsPage(QWidget):
    """Signals:
    open_part(int): the user wants to see a part.
    new_part(): the user wants to create a part.
    print_labels(str, list[int]): labels for the selected parts ("part", ids).
    """

    open_part = Signal(int)
    new_part = Signal()
    print_labels = Signal(str, object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = PartsTableModel(ctx.db, ctx.runner)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search part number, description or manufacturer number…")
        self.search.setClearButtonEnabled(True)
        self.category = QComboBox()  # the inventory type
        self.category.addItem("All types", None)
        for cat in PartCategory:
            self.category.addItem(cat.value, cat.value)
        self.group = QComboBox()  # the category tree: a category shows its parts and those below it
        self.group.setMinimumContentsLength(18)
        self.group.setToolTip("Parts in this category and every category below it")
        self.group.addItem("All categories", None)
        self._tree_asked = False
        self.count_label = QLabel("")
        self.label_button = QPushButton("Print labels…")
        self.new_button = QPushButton("New part…")
        permitted(self.new_button, ctx.actor.can(Permission.EDIT_PARTS))
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setWordWrap(False)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setAlternatingRowColors(True)
        vh = self.table.verticalHeader()
        vh.setVisible(False)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(26)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(True)
        for col, (key, _title) in enumerate(COLUMNS):
            if key in _WIDTHS:
                self.table.setColumnWidth(col, _WIDTHS[key])
        self.export_button = TableExport(ctx, self.table, "parts")
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(120)  # one query per pause in typing, not per key
        self._open_when_loaded = False
        set_scan_role(self.search, ROLE_HANDLER)  # a scan here is a scan, not search text

        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.category)
        top.addWidget(self.group)
        top.addWidget(self.count_label)
        top.addWidget(self.label_button)
        top.addWidget(self.export_button)
        top.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.search.textChanged.connect(self._debounce.start)
        self.search.returnPressed.connect(self._open_first)
        self._debounce.timeout.connect(self.refresh)
        self.category.currentIndexChanged.connect(self.refresh)
        self.group.currentIndexChanged.connect(self.refresh)
        self.model.loaded.connect(self._loaded)
        self.table.activated.connect(self._activated)
        self.new_button.clicked.connect(self.new_part)
        self.label_button.clicked.connect(self._print_selected)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)

    @Slot()
    def refresh(self) -> None:
        if self.group.count() == 1 and not self._tree_asked:  # the first showing fills the category list
            self._tree_asked = True
            self.load_categories()
        self.model.search(self.search.text(), self.category.currentData(), self.group.currentData())

    def load_categories(self) -> None:
        """Fill the category filter from the tree (in the background), keeping the current choice."""
        self.ctx.runner.run(lambda: categories.list_categories(self.ctx.db), self._categories_loaded)

    def _categories_loaded(self, tree: list[categories.CategoryDTO]) -> None:
        current = self.group.currentData()
        self.group.blockSignals(True)
        self.group.clear()
        self.group.addItem("All categories", None)
        for node in tree:
            self.group.addItem("    " * node.depth + node.name, node.id)
            self.group.setItemData(self.group.count() - 1, node.path, Qt.ItemDataRole.ToolTipRole)
        found = self.group.findData(current)
        self.group.setCurrentIndex(max(found, 0))
        self.group.blockSignals(False)
        if current is not None and found < 0:  # the category went away: show all again
            self.refresh()

    @Slot(int)
    def _loaded(self, count: int) -> None:
        if self.model.estimated:  # only the first page is listed; the rest comes on scrolling
            self.count_label.setText(f"about {_about(count):,} parts")
        else:
            self.count_label.setText(f"{count:,} part{'s' if count != 1 else ''}")
        if self._open_when_loaded:
            self._open_when_loaded = False
            self._open_first()

    @Slot(QModelIndex)
    def _activated(self, index: QModelIndex) -> None:
        self.open_part.emit(self.model.part_id(index.row()))

    @Slot()
    def _print_selected(self) -> None:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        self.print_labels.emit("part", [self.model.part_id(r) for r in rows])

    @Slot()
    def _open_first(self) -> None:
        if self._debounce.isActive():  # Enter before the search ran: open the first row of *this* search
            self._debounce.stop()
            self._open_when_loaded = True
            self.refresh()
            return
        if self.model.rowCount() >= 1:
            self.open_part.emit(self.model.part_id(0))

    def data_changed(self, what: frozenset[Topic]) -> None:
        if Topic.PARTS in what:
            self.load_categories()
            self.refresh()
        elif what & {Topic.STOCK, Topic.PURCHASING, Topic.KANBAN}:  # on hand, or on order
            self.model.invalidate()
