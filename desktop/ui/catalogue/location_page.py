"""One location: what it holds (its own bins and, for a rack or area, everything below) and its moves."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QTabWidget, QVBoxLayout, QWidget

from desktop.models.enums import MoveKind
from desktop.quantities import format_qty
from desktop.services.actor import Permission
from desktop.services.catalogue import locations
from desktop.services.catalogue.locations import LocationDetail
from desktop.services.stock import history as stock_history
from desktop.services.topics import Topic
from desktop.ui.common import fill_table, heading, move_buttons, permitted
from desktop.ui.context import AppContext
from desktop.ui.rows_table import RowsTable
from desktop.ui.stock.history_table import HistoryTab


class LocationPage(QWidget):
    """Signals:
    move_requested(MoveKind, LocationDetail): open a move dialog with this location filled in.
    open_part(int): a part line was double-clicked.
    edit_location(LocationDTO): open the location dialog.
    print_labels(str, list[int]): print labels ("bin", [id]).
    """

    move_requested = Signal(object, object)
    print_labels = Signal(str, object)
    open_part = Signal(int)
    edit_location = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.detail: LocationDetail | None = None
        self.title = heading("")
        self.subtitle = heading("", size=3)
        self.facts = QLabel("")
        # A rack's facts and a long name must never widen the page past the window (Qty and Unit were
        # cut off). Clipped rather than wrapped: a wrapped label's height-for-width layout made a rack's
        # scan paint 6 ms later (p95 28 -> 22 ms, bench_scan_paint); the whole text is the tooltip.
        for label in (self.facts, self.subtitle):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # up to 500 lines at a rack's scan: rows kept as tuples, not an item per cell (rows_table.py)
        self.contents = RowsTable(
            ["Location", "Part number", "Description", "Qty", "Unit"], numeric=(3,), stretch=2
        )
        tabs = QTabWidget()
        self.history_tab = HistoryTab(
            ctx, tabs, lambda db, loc_id: stock_history.history(db, location_id=loc_id)
        )
        self.history = self.history_tab.table
        tabs.addTab(self.contents, "Contents")
        tabs.addTab(self.history, "History")
        self.tabs = tabs
        actions = QHBoxLayout()
        self.move_buttons = move_buttons(
            ctx.actor.can(Permission.MOVE_STOCK),
            (
                (MoveKind.RECEIPT, "Receive into"),
                (MoveKind.ISSUE, "Issue from"),
                (MoveKind.TRANSFER, "Transfer from"),
                (MoveKind.ADJUSTMENT, "Adjust"),
            ),
            actions,
        )
        actions.addStretch(1)
        self.label_button = QPushButton("Print labels…")
        actions.addWidget(self.label_button)
        self.edit_button = QPushButton("Edit…")
        permitted(self.edit_button, ctx.actor.can(Permission.EDIT_LOCATIONS))
        actions.addWidget(self.edit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.facts)
        layout.addLayout(actions)
        layout.addWidget(tabs, 1)
        self._connect_signals()

    def _connect_signals(self) -> None:
        for kind, button in self.move_buttons.items():
            button.clicked.connect(lambda _c=False, k=kind: self._move(k))
        self.edit_button.clicked.connect(self._edit)
        self.label_button.clicked.connect(self._print_labels)
        self.contents.doubleClicked.connect(self._line_activated)

    @Slot()
    def _edit(self) -> None:
        if self.detail is not None:
            self.edit_location.emit(self.detail.location)

    @Slot()
    def _print_labels(self) -> None:
        if self.detail is not None:
            self.print_labels.emit("bin", [self.detail.location.id])

    def _move(self, kind: MoveKind) -> None:
        if self.detail is not None:
            self.move_requested.emit(kind, self.detail)

    def show_location(self, detail: LocationDetail) -> None:
        self.detail = detail
        loc = detail.location
        self.title.setText(loc.code + ("" if loc.active else "  (inactive)"))
        self.subtitle.setText(f"{loc.name} — {loc.display_path}")
        self.subtitle.setToolTip(self.subtitle.text())
        facts = [
            f"Barcode {loc.barcode}",
            f"{loc.level.capitalize()}",
            loc.type.replace("_", " ").lower(),
            f"walk order {loc.walk_order}",
        ]
        if detail.children:
            facts.append(f"{detail.children} location(s) inside, their contents below")
        if detail.truncated:
            facts.append(f"first {len(detail.contents):,} lines shown: scan a rack or bin for more")
        self.facts.setText("  ·  ".join(facts))
        self.facts.setToolTip(self.facts.text())
        fill_table(
            self.contents,
            [
                (c.location_code, c.part_number, c.description, format_qty(c.qty), c.unit)
                for c in detail.contents
            ],
            keys=[c.part_id for c in detail.contents],
        )
        self.history_tab.show_for(loc.id)

    @Slot(QModelIndex)
    def _line_activated(self, index: QModelIndex) -> None:
        row = index.row()
        if self.detail is not None and row < len(self.detail.contents):
            self.open_part.emit(self.detail.contents[row].part_id)

    def reload(self) -> None:
        if self.detail is not None:
            loc_id = self.detail.location.id
            self.ctx.runner.run(lambda: locations.get_location(self.ctx.db, loc_id), self.show_location)

    def data_changed(self, what: frozenset[Topic]) -> None:
        if what & {Topic.STOCK, Topic.LOCATIONS} and self.isVisible():
            self.reload()
