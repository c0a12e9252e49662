"""One part: what it is, where it is (stock per bin), who supplies it, what is on order, and every move it
made."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from desktop.db import Database
from desktop.models.enums import MoveKind
from desktop.quantities import format_qty
from desktop.services import lots, purchasing
from desktop.services.actor import Permission
from desktop.services.catalogue import parts
from desktop.services.catalogue.parts import PartDTO
from desktop.services.purchasing import OpenLine
from desktop.services.stock import history as stock_history
from desktop.services.topics import Topic
from desktop.ui.common import fill_table, heading, move_buttons, permitted, read_only_table
from desktop.ui.context import AppContext
from desktop.ui.stock.history_table import HistoryTab


@dataclass(frozen=True)
class PartExtras:
    """What the part page shows beside the part itself: its open order lines and cards, and a tracked
    part's lots. Read in the same worker job as the part (a scan, a link), so the page paints once."""

    on_order: list[OpenLine]
    lots: list[lots.LotStock]


def part_extras(db: Database, part: PartDTO) -> PartExtras:
    """On the worker: the page's other tabs for `part`."""
    held = lots.lots_of_part(db, part.id) if part.tracking != "NONE" else []
    return PartExtras(purchasing.open_lines_for_part(db, part.id), held)


def part_with_extras(db: Database, part_id: int) -> tuple[PartDTO, PartExtras]:
    part = parts.get_part(db, part_id)
    return part, part_extras(db, part)


class PartPage(QWidget):
    """Signals:
    edit_part(PartDTO): open the part dialog.
    move_requested(MoveKind, PartDTO): open a move dialog with this part filled in.
    open_location(int): a bin was double-clicked.
    print_labels(str, list[int]): print labels ("part", [id]).
    """

    edit_part = Signal(object)
    print_labels = Signal(str, object)
    move_requested = Signal(object, object)
    open_location = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.part: PartDTO | None = None
        self.title = heading("")
        self.subtitle = heading("", size=3)
        self.subtitle.setWordWrap(True)
        self.on_hand = heading("", size=6)
        self.facts = QLabel("")
        self.facts.setWordWrap(True)
        self.edit_button = QPushButton("Edit…")
        permitted(self.edit_button, ctx.actor.can(Permission.EDIT_PARTS))
        actions = QHBoxLayout()
        self.move_buttons = move_buttons(
            ctx.actor.can(Permission.MOVE_STOCK),
            (
                (MoveKind.RECEIPT, "Receive"),
                (MoveKind.ISSUE, "Issue"),
                (MoveKind.TRANSFER, "Transfer"),
                (MoveKind.ADJUSTMENT, "Adjust"),
            ),
            actions,
        )
        actions.addStretch(1)
        self.label_button = QPushButton("Print label…")
        actions.addWidget(self.label_button)
        actions.addWidget(self.edit_button)
        self.bins = read_only_table(["Location", "Type", "Path", "Qty"], numeric=(3,), stretch=2)
        self.suppliers = read_only_table(
            ["Supplier", "Supplier part no.", "Price", "Pack qty", "Lead time"], numeric=(2, 3, 4)
        )
        self.on_order = read_only_table(["Order / card", "Supplier", "State", "Open", "Due"], numeric=(3,))
        # a tracked part's lots per bin, the one an issue takes first on top (empty for other parts)
        self.lots = read_only_table(
            ["Lot", "Expires", "Location", "Qty", "Received from", "State"], numeric=(3,)
        )
        tabs = QTabWidget()
        self.history_tab = HistoryTab(
            ctx, tabs, lambda db, part_id: stock_history.history(db, part_id=part_id)
        )
        self.history = self.history_tab.table
        tabs.addTab(self.bins, "Stock per location")
        tabs.addTab(self.suppliers, "Suppliers")
        tabs.addTab(self.on_order, "On order")
        tabs.addTab(self.history, "History")
        tabs.addTab(self.lots, "Lots")
        self.tabs = tabs
        head = QGridLayout()
        head.addWidget(self.title, 0, 0)
        head.addWidget(self.on_hand, 0, 1)
        head.addWidget(self.subtitle, 1, 0, 1, 2)
        head.addWidget(self.facts, 2, 0, 1, 2)
        head.setColumnStretch(0, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(head)
        layout.addLayout(actions)
        layout.addWidget(tabs, 1)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.edit_button.clicked.connect(self._edit)
        self.label_button.clicked.connect(self._print_label)
        for kind, button in self.move_buttons.items():
            button.clicked.connect(lambda _c=False, k=kind: self._move(k))
        self.bins.cellDoubleClicked.connect(self._bin_activated)

    @Slot()
    def _edit(self) -> None:
        if self.part is not None:
            self.edit_part.emit(self.part)

    @Slot()
    def _print_label(self) -> None:
        if self.part is not None:
            self.print_labels.emit("part", [self.part.id])

    def _move(self, kind: MoveKind) -> None:
        if self.part is not None:
            self.move_requested.emit(kind, self.part)

    def show_part(self, part: PartDTO, extras: PartExtras | None = None) -> None:
        """The part; its order lines and lots from `extras` when the caller read them with it (one paint),
        else read now."""
        self.part = part
        self.title.setText(f"{part.part_number}" + ("" if part.active else "  (inactive)"))
        self.subtitle.setText(part.description)
        low = part.below_min
        colour = "#b3261e" if low else "#1b7f3b"
        self.on_hand.setText(
            f"<span style='color:{colour}'>{format_qty(part.on_hand)} {part.unit}</span>"
            + (" <small>below minimum</small>" if low else "")
        )
        facts = [f"Barcode {part.barcode}", f"Type {part.category}", f"Unit cost {part.unit_cost:.2f}"]
        if part.category_path:
            facts.insert(1, f"Category {part.category_path}")
        if part.min_qty is not None or part.max_qty is not None:
            facts.append(
                f"Min / max {format_qty(part.min_qty) if part.min_qty is not None else '–'} / "
                f"{format_qty(part.max_qty) if part.max_qty is not None else '–'}"
            )
        if part.lead_time_days is not None:
            facts.append(f"Lead time {part.lead_time_days} d")
        if part.manufacturer or part.manufacturer_part_number:
            facts.append(
                f"Manufacturer {part.manufacturer or ''} {part.manufacturer_part_number or ''}".strip()
            )
        if part.criticality:
            facts.append(f"Criticality {part.criticality}")
        if part.tracking != "NONE":
            life = f", shelf life {part.shelf_life_days} d" if part.shelf_life_days else ""
            facts.append(f"Tracked by {'serial number' if part.tracking == 'SERIAL' else 'lot'}{life}")
        self.facts.setText("   ·   ".join(facts))
        fill_table(
            self.bins,
            [
                (
                    b.location_code,
                    b.location_type.replace("_", " ").lower(),
                    " > ".join(b.location_path.strip("/").split("/")),
                    format_qty(b.qty),
                )
                for b in part.stock
            ],
            keys=[b.location_id for b in part.stock],
        )
        fill_table(
            self.suppliers,
            [
                (
                    s.supplier_name,
                    s.supplier_part_number or "",
                    "" if s.price is None else f"{s.price:.2f}",
                    "" if s.pack_qty is None else format_qty(s.pack_qty),
                    "" if s.lead_time_days is None else f"{s.lead_time_days} d",
                )
                for s in part.suppliers
            ],
        )
        self.history_tab.show_for(part.id)
        if extras is not None:
            self._lots_loaded(extras.lots)
            self._on_order_loaded(extras.on_order)
        else:
            self.ctx.runner.run(lambda: part_extras(self.ctx.db, part), self._extras_loaded)

    def _extras_loaded(self, extras: PartExtras) -> None:
        self._lots_loaded(extras.lots)
        self._on_order_loaded(extras.on_order)

    def _lots_loaded(self, held: list[lots.LotStock]) -> None:
        fill_table(
            self.lots,
            [
                (
                    x.lot.lot_number,
                    x.lot.expires_on.isoformat() if x.lot.expires_on else "",
                    x.location_code,
                    format_qty(x.qty),
                    x.lot.supplier_name or "",
                    "EXPIRED" if x.expired else ("released" if x.lot.released else ""),
                )
                for x in held
            ],
        )

    def _on_order_loaded(self, lines: list[OpenLine]) -> None:
        fill_table(
            self.on_order,
            [
                (
                    x.reference,
                    x.supplier_name,
                    x.state.replace("_", " ").lower(),
                    f"{format_qty(x.open_qty)} {x.unit}",
                    x.needed_by.isoformat() if x.needed_by else "",
                )
                for x in lines
            ],
        )
        total = sum((x.open_qty for x in lines), Decimal(0))
        index = self.tabs.indexOf(self.on_order)
        text = f"On order ({format_qty(total)})" if lines else "On order"
        if self.tabs.tabText(index) != text:  # setting it anyway lays out and repaints all the tabs (1.5 ms)
            self.tabs.setTabText(index, text)

    @Slot(int, int)
    def _bin_activated(self, row: int, _col: int) -> None:
        if self.part is not None and row < len(self.part.stock):
            self.open_location.emit(self.part.stock[row].location_id)

    def reload(self) -> None:
        if self.part is not None:
            part_id = self.part.id
            self.ctx.runner.run(
                lambda: part_with_extras(self.ctx.db, part_id), lambda got: self.show_part(*got)
            )

    def data_changed(self, what: frozenset[Topic]) -> None:
        if what & {Topic.STOCK, Topic.PARTS, Topic.PURCHASING} and self.isVisible():
            self.reload()
