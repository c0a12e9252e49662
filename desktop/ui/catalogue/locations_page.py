"""The location tree: site > area > rack > bin, in walk order."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services.actor import Permission
from desktop.services.catalogue import locations
from desktop.services.catalogue.locations import LocationDTO
from desktop.services.topics import Topic
from desktop.ui.common import permitted
from desktop.ui.context import AppContext
from desktop.ui.io.table_export import TableExport


class LocationsPage(QWidget):
    """Signals:
    open_location(int)
    new_location(LocationDTO | None): create a location inside the given one (None: a new site).
    edit_location(LocationDTO)
    print_labels(str, list[int]): labels for the selected locations ("bin", ids).
    """

    open_location = Signal(int)
    new_location = Signal(object)
    edit_location = Signal(object)
    print_labels = Signal(str, object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: dict[int, LocationDTO] = {}
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by code or name…")
        self.filter.setClearButtonEnabled(True)
        self.show_inactive = QCheckBox("Show inactive")
        self.new_button = QPushButton("New location…")
        self.edit_button = QPushButton("Edit…")
        self.label_button = QPushButton("Print labels…")
        can_edit = ctx.actor.can(Permission.EDIT_LOCATIONS)
        permitted(self.new_button, can_edit)
        permitted(self.edit_button, can_edit)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Code", "Name", "Level", "Type", "Walk"])
        self.tree.setUniformRowHeights(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setColumnWidth(0, 220)
        self.tree.setColumnWidth(1, 260)
        self.export_button = TableExport(ctx, self.tree, "locations")
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.show_inactive)
        top.addWidget(self.new_button)
        top.addWidget(self.edit_button)
        top.addWidget(self.label_button)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.tree.itemActivated.connect(self._activated)
        self.filter.textChanged.connect(self._apply_filter)
        self.show_inactive.toggled.connect(self.refresh)
        self.new_button.clicked.connect(lambda: self.new_location.emit(self.selected()))
        self.edit_button.clicked.connect(self._edit_selected)
        self.label_button.clicked.connect(self._print_selected)

    @Slot()
    def refresh(self) -> None:
        inactive = self.show_inactive.isChecked()
        self.ctx.runner.run(
            lambda: locations.list_locations(self.ctx.db, include_inactive=inactive), self._loaded
        )

    def _loaded(self, rows: list[LocationDTO]) -> None:
        self.rows = {r.id: r for r in rows}
        self.tree.clear()
        items: dict[int, QTreeWidgetItem] = {}
        for r in rows:
            item = QTreeWidgetItem(
                [r.code, r.name, r.level.capitalize(), r.type.replace("_", " ").lower(), str(r.walk_order)]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, r.id)
            if not r.active:
                item.setForeground(0, Qt.GlobalColor.gray)
            parent = items.get(r.parent_id) if r.parent_id is not None else None
            if parent is None:
                self.tree.addTopLevelItem(item)
            else:
                parent.addChild(item)
            items[r.id] = item
        for item in items.values():  # sites and areas open, racks closed: the overview fits a screen
            if self.rows[item.data(0, Qt.ItemDataRole.UserRole)].level in ("SITE", "AREA"):
                item.setExpanded(True)
        self._apply_filter(self.filter.text())

    @Slot(str)
    def _apply_filter(self, text: str) -> None:
        needle = text.strip().lower()

        def visit(item: QTreeWidgetItem | None) -> bool:
            if item is None:
                return False
            shown = any([visit(item.child(i)) for i in range(item.childCount())])
            own = not needle or needle in item.text(0).lower() or needle in item.text(1).lower()
            item.setHidden(not (own or shown))
            if needle and shown:
                item.setExpanded(True)
            return own or shown

        for i in range(self.tree.topLevelItemCount()):
            visit(self.tree.topLevelItem(i))

    @Slot()
    def _edit_selected(self) -> None:
        location = self.selected()
        if location is not None:
            self.edit_location.emit(location)

    @Slot()
    def _print_selected(self) -> None:
        ids = [int(item.data(0, Qt.ItemDataRole.UserRole)) for item in self.tree.selectedItems()]
        self.print_labels.emit("bin", ids)

    def selected(self) -> LocationDTO | None:
        item = self.tree.currentItem()
        return self.rows.get(item.data(0, Qt.ItemDataRole.UserRole)) if item else None

    @Slot(QTreeWidgetItem, int)
    def _activated(self, item: QTreeWidgetItem, _col: int) -> None:
        self.open_location.emit(int(item.data(0, Qt.ItemDataRole.UserRole)))

    def data_changed(self, what: frozenset[Topic]) -> None:
        if Topic.LOCATIONS in what:
            self.refresh()
