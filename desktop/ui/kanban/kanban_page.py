"""Kanban: the scan station, the loops, the board, and the replenishment list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import UserError
from desktop.quantities import format_qty
from desktop.services import lots, purchasing
from desktop.services.actor import Permission
from desktop.services.catalogue import locations, parts
from desktop.services.kanban import board as kanban_board
from desktop.services.kanban import loops as kb
from desktop.services.kanban import scanning
from desktop.services.kanban.loops import CardStatus, LoopInput, LoopKind, StationMode
from desktop.services.kanban.scanning import ScanOutcome
from desktop.services.topics import Topic
from desktop.ui.common import (
    action_row,
    big_field,
    fill_table,
    heading,
    permitted,
    read_only_table,
    selected_key,
    show_error,
)
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.flow_layout import FlowLayout
from desktop.ui.io.table_export import TableExport
from desktop.ui.kanban.kanban_loops import LoopEditDialog, Recommendations, loop_figures
from desktop.ui.operation import change
from desktop.ui.scanner import router

STATES = [
    s.value
    for s in (CardStatus.FULL, CardStatus.IN_USE, CardStatus.EMPTY, CardStatus.ORDERED, CardStatus.IN_TRANSIT)
]


class ScanStation(QWidget):
    """Signals:
    scanned(ScanOutcome): a card changed state.

    A receiving scan of a tracked part's card is refused by the service until it names the container's
    lot; the station then asks for it below the scan box (a lot label `LT-…`, the supplier's GS1-128 label,
    or the lot typed; the expiry when the label has none) and posts the card with it. Esc or another
    card's scan drops the question. An untracked card never sees it.
    """

    scanned = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.line = QRadioButton("Line: containers emptied (F, I → Empty)")
        self.receiving = QRadioButton("Receiving: full containers arrived (posts them into stock)")
        self.line.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.line)
        group.addButton(self.receiving)
        self.scan_box = big_field("scan a kanban card (K-…)")
        self.banner = FeedbackBanner()
        self.last = QLabel("")
        self.lot_box = QWidget()  # shown only while a tracked card waits for its lot
        self.lot_edit = big_field("scan the lot label (LT-…) or the supplier's label, or type the lot")
        self.expiry_edit = big_field("expiry YYYY-MM-DD, if the label has none (else the shelf life)")
        lot_form = QFormLayout(self.lot_box)
        lot_form.addRow("Lot", self.lot_edit)
        lot_form.addRow("Expiry", self.expiry_edit)
        self.lot_box.hide()
        self.waiting: str | None = None  # the card whose lot is asked for
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Kanban scan station"))
        layout.addWidget(self.line)
        layout.addWidget(self.receiving)
        layout.addWidget(self.scan_box)
        layout.addWidget(self.lot_box)
        layout.addWidget(self.banner)
        layout.addWidget(self.last)
        layout.addStretch(1)
        self.scan_box.returnPressed.connect(self.scan)
        self.lot_edit.returnPressed.connect(self.lot_entered)
        self.expiry_edit.returnPressed.connect(self.lot_entered)
        self.receiving.toggled.connect(lambda _on: self._forget_lot())

    def mode(self) -> StationMode:
        return StationMode.RECEIVING if self.receiving.isChecked() else StationMode.LINE

    def handle_scan(self, code: str) -> bool:
        """Every scan at the station is meant for it: a card moves on, a lot label answers the lot asked
        for, any other label is refused here instead of taking the keeper away from the station."""
        if not self.isVisible():
            return False
        if code.startswith("K-"):
            self.scan_box.setText(code)
            self.scan()
        elif self.waiting is not None and code.startswith(lots.LOT_PREFIX):
            self.lot_edit.setText(code)
            self.lot_entered()
        elif self.waiting is not None:
            self._refused(UserError(f"{code} is not a lot label: scan the lot of card {self.waiting}."))
        else:
            self.scan_box.setText(code)
            self._refused(UserError(f"{code} is not a kanban card: scan the card (K-…)."))
        return True

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.scan_box.setFocus()  # the station is for scanning: the cursor waits in its field
        self.scan_box.selectAll()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.waiting is not None:
            self._forget_lot()
            self.banner.warn("Lot not given: the card was not received.")
            return
        super().keyPressEvent(event)

    @Slot()
    def scan(self) -> None:
        code = self.scan_box.text()
        if not code.strip():
            return
        self._forget_lot()  # a card scanned while a lot was asked for another one: that one waits no more
        self._post(code, None, None)

    @Slot()
    def lot_entered(self) -> None:
        """Enter in Lot or Expiry (or a lot label scanned): the waiting card with this lot."""
        card, lot = self.waiting, self.lot_edit.text().strip()
        if card is None:
            return
        if not lot:
            self.lot_edit.setFocus()
            return
        text = self.expiry_edit.text().strip()
        try:
            expiry = date.fromisoformat(text) if text else None
        except ValueError:
            self._refused(UserError(f"Write the expiry as YYYY-MM-DD ({text}).", field="expires_on"))
            return
        self._post(card, lot, expiry)

    def _post(self, code: str, lot: str | None, expiry: date | None) -> None:
        mode = self.mode()
        # The next scan waits for this card's answer: a lot label scanned right after a card that
        # needs one reaches the lot question instead of being refused as "not a kanban card".
        hold = router().hold()

        def refused(exc: BaseException) -> None:
            if not isinstance(exc, UserError):  # the crash dialog takes the keyboard: nothing typed ahead
                hold.release(keep_keys=False)
            self._refused(exc, code if lot is None else None)

        change(
            self.ctx,
            lambda: scanning.scan(self.ctx.db, self.ctx.actor, code, mode, lot=lot, expires_on=expiry),
            hold.then(self._done),
            topics=(Topic.STOCK, Topic.KANBAN),
            failed=hold.then(refused),
        )

    def _done(self, outcome: ScanOutcome) -> None:
        self._forget_lot()
        self.banner.ok(outcome.message)
        self.last.setText(
            f"{outcome.loop.part_number} — {outcome.loop.description}: "
            f"{outcome.before.lower()} → {outcome.after.lower()}"
        )
        self.scan_box.setFocus()
        self.scan_box.selectAll()
        self.scanned.emit(outcome)

    def _refused(self, exc: BaseException, asked: str | None = None) -> None:
        """`asked`: the card scanned without a lot; the service's wish for one (field "lot") opens the
        question instead of an error."""
        if not isinstance(exc, UserError):
            show_error(self, exc)
        elif asked is not None and exc.field == "lot" and self.mode() is StationMode.RECEIVING:
            self._ask_lot(asked.strip().upper(), exc.message)
            return
        else:
            self.banner.error(exc.message)
        field = (
            self.expiry_edit if isinstance(exc, UserError) and exc.field == "expires_on" else self.lot_edit
        )
        target = field if self.waiting is not None else self.scan_box
        target.setFocus()
        target.selectAll()

    def _ask_lot(self, card: str, message: str) -> None:
        self.waiting = card
        self.lot_edit.clear()
        self.expiry_edit.clear()
        self.lot_box.show()
        self.banner.warn(
            f"{message} Card {card} waits for its lot: scan or type it, then Enter (Esc: cancel)."
        )
        self.lot_edit.setFocus()

    def _forget_lot(self) -> None:
        if self.waiting is None:
            return
        self.waiting = None
        self.lot_box.hide()
        self.scan_box.setFocus()
        self.scan_box.selectAll()


class LoopDialog(QDialog):
    """Signals:
    saved(LoopDTO)
    """

    saved = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("New kanban loop")
        self.banner = FeedbackBanner()
        self.part = QLineEdit()
        self.part.setPlaceholderText("part number")
        self.kind = QComboBox()
        for kind, text in (
            (LoopKind.PURCHASE, "Purchase (from the part's supplier)"),
            (LoopKind.TRANSFER, "Internal (from a storeroom location)"),
            (LoopKind.PRODUCTION, "Production"),
        ):
            self.kind.addItem(text, kind.value)
        self.consumption = QLineEdit()
        self.consumption.setPlaceholderText("line-side location code")
        self.supply = QLineEdit()
        self.supply.setPlaceholderText("storeroom location code (internal loops)")
        self.container = QLineEdit()
        self.cards = QSpinBox()
        self.cards.setRange(1, 200)
        self.cards.setValue(2)
        self.lead = QLineEdit("1")
        self.safety = QLineEdit("0.1")
        form = QFormLayout()
        for label, widget in (
            ("Part", self.part),
            ("Kind", self.kind),
            ("Consumption location", self.consumption),
            ("Supply location", self.supply),
            ("Container quantity", self.container),
            ("Cards", self.cards),
            ("Lead time (days)", self.lead),
            ("Safety factor", self.safety),
        ):
            form.addRow(label, widget)
        buttons, self.create_button, self.close_button = action_row("Create")
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.create_button.clicked.connect(self.create_loop)
        self.close_button.clicked.connect(self.reject)

    @Slot()
    def create_loop(self) -> None:
        try:
            kind = LoopKind(self.kind.currentData())
            container, lead, safety = loop_figures(self.container, self.lead, self.safety)
        except UserError as exc:
            self.banner.error(exc.message)
            return
        part_number, consumption_code = self.part.text(), self.consumption.text()
        supply_code, card_count = self.supply.text(), self.cards.value()

        def create() -> kb.LoopDTO:  # the codes are looked up with the save, off the GUI thread
            db = self.ctx.db
            supply = locations.get_location_id(db, supply_code) if supply_code.strip() else None
            data = LoopInput(
                parts.get_part_id(db, part_number),
                kind,
                locations.get_location_id(db, consumption_code),
                container,
                card_count,
                lead,
                safety,
                supply_location_id=supply,
            )
            return kb.create_loop(db, self.ctx.actor, data)

        change(
            self.ctx,
            create,
            self._saved,
            topics=(Topic.KANBAN,),
            failed=lambda exc: (
                self.banner.error(exc.message) if isinstance(exc, UserError) else show_error(self, exc)
            ),
        )

    def _saved(self, loop: kb.LoopDTO) -> None:
        self.saved.emit(loop)
        self.accept()


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
