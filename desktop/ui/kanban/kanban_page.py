"""Kanban: the page with its tabs, the board and the replenishment list; the scan station tab is in
`kanban_station`, the New loop dialog in `kanban_new_loop`, the sizing and loop editing in
`kanban_loops`."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QInputDialog, QLabel, QMessageBox, QPushButton, QTabWidget, QVBoxLayout, QWidget

from desktop.errors import UserError
from desktop.quantities import format_qty
from desktop.services import purchasing
from desktop.services.actor import Permission
from desktop.services.kanban import board as kanban_board
from desktop.services.kanban import loops as kb
from desktop.services.kanban import scanning
from desktop.services.kanban.loops import CardStatus
from desktop.services.topics import Topic
from desktop.ui.common import fill_table, permitted, read_only_table, selected_key, show_error
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.flow_layout import FlowLayout
from desktop.ui.io.table_export import TableExport
from desktop.ui.kanban.kanban_loops import LoopEditDialog, Recommendations
from desktop.ui.kanban.kanban_new_loop import LoopDialog
from desktop.ui.kanban.kanban_station import ScanStation
from desktop.ui.operation import change

STATES = [
    s.value
    for s in (CardStatus.FULL, CardStatus.IN_USE, CardStatus.EMPTY, CardStatus.ORDERED, CardStatus.IN_TRANSIT)
]


class KanbanPage(QWidget):
    """Signals:
    print_labels(str, list[int]): print kanban cards ("card", card ids).
    open_report(str): show a report of the Reports page (key of report_data.CATALOGUE) to print or save.
    """

    print_labels = Signal(str, object)
    open_report = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.station = ScanStation(ctx)
        self.board_table = read_only_table(
            ["Loop", "Part", "Description", "Line", "Supply", *STATES, "Late", "Status"],
            numeric=(5, 6, 7, 8, 9, 10),
            stretch=2,
        )
        self.repl_table = read_only_table(
            ["Order from / pick", "Part", "Description", "Cards", "Quantity", "Unit", "To"],
            numeric=(3, 4),
            stretch=2,
        )
        self.lines: list[kanban_board.ReplenishLine] = []
        self.new_loop = QPushButton("New loop…")
        permitted(self.new_loop, ctx.actor.can(Permission.MANAGE_KANBAN))
        self.print_cards = QPushButton("Print cards of the selected loop…")
        self.reprint_card = QPushButton("Reprint one card…")
        self.edit_loop = QPushButton("Edit loop…")
        self.hold_loop = QPushButton("Hold / resume")
        self.retire_loop = QPushButton("Retire loop…")
        for b in (self.edit_loop, self.hold_loop, self.retire_loop):
            permitted(b, ctx.actor.can(Permission.MANAGE_KANBAN))
        self.sizing = Recommendations(ctx)
        self.loops: dict[int, kb.LoopDTO] = {}
        self.order_po = QPushButton("Put selected on a purchase order")
        permitted(self.order_po, ctx.actor.can(Permission.PURCHASE))
        self.ordered = QPushButton("Mark selected ordered")
        self.shipped = QPushButton("Mark selected in transit")
        self.export = TableExport(ctx, self.repl_table, "replenishment")
        self.print_list = QPushButton("Print / PDF…")
        self.board_export = TableExport(ctx, self.board_table, "kanban board")
        # each tab says what happened on it: a message in the scan station's banner went unseen
        self.board_banner = FeedbackBanner()
        self.repl_banner = FeedbackBanner()
        board = QWidget()
        board_layout = QVBoxLayout(board)
        board_layout.addWidget(self.board_banner)
        top = FlowLayout().stretch_first()
        top.addWidget(
            QLabel(
                "Cards by state; late = out longer than the loop's lead time; red = no full card at the line"
            ),
            1,
        )
        for b in (
            self.board_export,
            self.print_cards,
            self.reprint_card,
            self.edit_loop,
            self.hold_loop,
            self.retire_loop,
            self.new_loop,
        ):
            top.addWidget(b)
        board_layout.addLayout(top)
        board_layout.addWidget(self.board_table)
        repl = QWidget()
        repl_layout = QVBoxLayout(repl)
        repl_layout.addWidget(self.repl_banner)
        repl_buttons = FlowLayout()
        repl_buttons.addStretch(1)
        for b in (self.order_po, self.ordered, self.shipped, self.print_list, self.export):
            repl_buttons.addWidget(b)
        repl_layout.addWidget(self.repl_table)
        repl_layout.addLayout(repl_buttons)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.station, "Scan station")
        self.tabs.addTab(board, "Board")
        self.tabs.addTab(repl, "Replenishment")
        self.tabs.addTab(self.sizing, "Sizing")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.new_loop.clicked.connect(self.open_loop_dialog)
        self.print_cards.clicked.connect(self._print_cards)
        self.edit_loop.clicked.connect(self.open_edit_dialog)
        self.reprint_card.clicked.connect(self._ask_reprint)
        self.print_list.clicked.connect(lambda: self.open_report.emit("kanban-orders"))
        self.hold_loop.clicked.connect(self._toggle_hold)
        self.retire_loop.clicked.connect(self._retire)
        self.board_table.doubleClicked.connect(self.open_edit_dialog)
        self.sizing.accepted.connect(self._loop_edited)
        self.order_po.clicked.connect(self._order_on_po)
        self.ordered.clicked.connect(lambda: self._mark(CardStatus.ORDERED))
        self.shipped.clicked.connect(lambda: self._mark(CardStatus.IN_TRANSIT))

    @Slot()
    def refresh(self) -> None:
        self.ctx.runner.run(
            lambda: (kanban_board.board(self.ctx.db), kanban_board.replenishment_list(self.ctx.db)),
            self._loaded,
        )

    def _loaded(self, data: tuple[list[kanban_board.BoardRow], list[kanban_board.ReplenishLine]]) -> None:
        rows, self.lines = data
        self.loops = {r.loop.id: r.loop for r in rows}
        fill_table(
            self.board_table,
            [
                (
                    r.loop.id,
                    r.loop.part_number,
                    r.loop.description,
                    r.loop.consumption_code,
                    r.loop.supply,
                    *[r.counts.get(s, 0) for s in STATES],
                    r.late,
                    # the colour's meaning in words too (colour is never the only signal)
                    r.loop.status.lower()
                    + (" · STOCKOUT" if r.stockout else "")
                    + (" · late" if r.late and not r.stockout else ""),
                )
                for r in rows
            ],
            keys=[r.loop.id for r in rows],
        )
        for n, r in enumerate(rows):
            if r.stockout or r.late:
                colour = QBrush(QColor("#f4c7c3" if r.stockout else "#fce8b2"))
                for col in range(self.board_table.columnCount()):
                    item = self.board_table.item(n, col)
                    if item is not None:
                        item.setBackground(colour)
        fill_table(
            self.repl_table,
            [
                (
                    x.group,
                    x.loop.part_number,
                    x.loop.description,
                    len(x.card_ids),
                    format_qty(x.qty),
                    x.loop.unit,
                    x.loop.consumption_code,
                )
                for x in self.lines
            ],
            keys=list(range(len(self.lines))),
        )

    def _selected_loop(self) -> kb.LoopDTO | None:
        key = selected_key(self.board_table)
        loop = self.loops.get(int(key)) if key is not None else None  # type: ignore[call-overload]
        if loop is None:
            self.board_banner.error("Select a loop on the board first.")
        return loop

    @Slot()
    def open_edit_dialog(self) -> LoopEditDialog | None:
        loop = self._selected_loop()
        if loop is None or not self.ctx.actor.can(Permission.MANAGE_KANBAN):
            return None
        dialog = LoopEditDialog(self.ctx, loop, self)
        dialog.saved.connect(self._loop_edited)
        dialog.open()
        self.edit_dialog = dialog
        return dialog

    def _loop_edited(self, edit: kb.LoopEdit) -> None:
        if edit.to_print:
            self.print_labels.emit("card", list(edit.to_print))

    @Slot()
    def _toggle_hold(self) -> None:
        loop = self._selected_loop()
        if loop is not None:
            self._set_status(loop, "ACTIVE" if loop.status == "HOLD" else "HOLD")

    @Slot()
    def _retire(self) -> None:
        loop = self._selected_loop()
        if loop is None:
            return
        answer = QMessageBox.question(
            self,
            "Retire kanban loop",
            f"Retire loop #{loop.id} ({loop.part_number} at {loop.consumption_code})? Its "
            f"{loop.card_count} card(s) are retired and refused at the scanner. This cannot be undone.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._set_status(loop, "RETIRED")

    def _set_status(self, loop: kb.LoopDTO, status: str) -> None:
        said = {"HOLD": "on hold", "ACTIVE": "active again", "RETIRED": "retired"}[status]

        def done(_loop: object) -> None:
            self.board_banner.ok(
                f"Loop #{loop.id} ({loop.part_number} at {loop.consumption_code}) is {said}."
            )

        change(
            self.ctx,
            lambda: kb.set_loop_status(self.ctx.db, self.ctx.actor, loop.id, status),
            done,
            topics=(Topic.KANBAN,),
            failed=lambda exc: (
                self.board_banner.error(exc.message) if isinstance(exc, UserError) else show_error(self, exc)
            ),
        )

    @Slot()
    def _ask_reprint(self) -> None:
        loop = self._selected_loop()
        if loop is None:
            return
        serial, ok = QInputDialog.getInt(
            self, "Reprint one card", f"Card number (1 to {loop.card_count}) of loop #{loop.id}:", 1, 1, 200
        )
        if ok:
            self.reprint(loop.id, serial)

    def reprint(self, loop_id: int, serial: int) -> None:
        """A lost or torn card printed again with its own code (the loop keeps its number of cards)."""

        def found(cards: list[kb.CardDTO]) -> None:
            card = next((c for c in cards if c.serial == serial), None)
            if card is None:
                self.board_banner.error(f"Loop #{loop_id} has no live card number {serial}.")
                return
            self.print_labels.emit("card", [card.id])

        self.ctx.runner.run(lambda: kb.cards(self.ctx.db, loop_id), found, lambda exc: show_error(self, exc))

    @Slot()
    def _print_cards(self) -> None:
        loop = self._selected_loop()
        if loop is not None:
            self.ctx.runner.run(
                lambda: kb.cards(self.ctx.db, loop.id),
                lambda cards: self.print_labels.emit("card", [c.id for c in cards]),
                lambda exc: show_error(self, exc),
            )

    def _selected_line(self) -> kanban_board.ReplenishLine | None:
        key = selected_key(self.repl_table)
        if key is None:
            self.repl_banner.error("Select a line of the replenishment list first.")
            return None
        return self.lines[int(key)]  # type: ignore[call-overload]

    def _repl_failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self.repl_banner.error(exc.message)
        else:
            show_error(self, exc)

    def _mark(self, to: CardStatus) -> None:
        line = self._selected_line()
        if line is None:
            return
        ids = list(line.card_ids)
        said = "ordered" if to == CardStatus.ORDERED else "in transit"

        def done(n: int) -> None:
            self.repl_banner.ok(f"{n} card(s) of {line.loop.part_number} marked {said}.")

        change(
            self.ctx,
            lambda: scanning.mark(self.ctx.db, self.ctx.actor, ids, to),
            done,
            topics=(Topic.KANBAN,),
            failed=self._repl_failed,
        )

    @Slot()
    def _order_on_po(self) -> None:
        """The selected line's empty cards on a new DRAFT purchase order (they become ORDERED)."""
        line = self._selected_line()
        if line is None:
            return
        ids = list(line.card_ids)

        def done(orders: list[purchasing.OrderDTO]) -> None:
            made = ", ".join(f"{o.number} ({o.supplier_name})" for o in orders)
            self.repl_banner.ok(f"{len(ids)} card(s) of {line.loop.part_number} ordered on draft {made}.")

        change(
            self.ctx,
            lambda: purchasing.orders_from_cards(self.ctx.db, self.ctx.actor, ids),
            done,
            topics=(Topic.KANBAN, Topic.PARTS, Topic.PURCHASING),
            failed=self._repl_failed,
        )

    def mark_group(self, group: str, to: CardStatus, done: Callable[[int], None]) -> None:
        """Mark every card of a supplier / supply-location group (the whole order) at once; `done`
        gets how many cards were marked."""
        ids = [i for line in self.lines if line.group == group for i in line.card_ids]
        change(
            self.ctx,
            lambda: scanning.mark(self.ctx.db, self.ctx.actor, ids, to),
            done,
            topics=(Topic.KANBAN,),
            failed=lambda exc: show_error(self, exc),
        )

    def open_loop_dialog(self) -> LoopDialog:
        dialog = LoopDialog(self.ctx, self)
        dialog.saved.connect(lambda _l: self.refresh())
        dialog.open()
        self.loop_dialog = dialog
        return dialog

    def data_changed(self, what: frozenset[Topic]) -> None:
        if what & {Topic.KANBAN, Topic.STOCK} and self.isVisible():
            self.refresh()

    def focus_station(self) -> None:
        self.tabs.setCurrentWidget(self.station)
        self.station.scan_box.setFocus()
