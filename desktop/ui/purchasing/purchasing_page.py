"""Purchasing: the purchase orders, the lines of the one selected, its state changes and its PDF, and
receiving against it: scan the PO (anywhere: it opens here), then each part (our label, the supplier's or
the manufacturer's number), type the quantity and Enter. Without a bin the goods go to the usual bin."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import UserError
from desktop.models.enums import PoState
from desktop.quantities import format_money, format_qty, parse_decimal
from desktop.services import purchasing as po
from desktop.services.actor import Permission
from desktop.services.catalogue import locations
from desktop.services.purchasing import LineChange, LineDTO, OrderDTO, ReceiptRequest, ReceiptResult
from desktop.services.purchasing.orders import describe_line
from desktop.services.topics import Topic
from desktop.ui.common import fill_table, permitted, read_only_table, selected_key, show_error
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.flow_layout import FlowLayout, labelled
from desktop.ui.io.data_dialog import DataDialog
from desktop.ui.operation import change as op
from desktop.ui.po_line_dialog import LineEditDialog
from desktop.ui.scanner import takes_scans

# shown unless asked for all: what is still coming, and what just came in (RECEIVED, until it is closed)
_CURRENT = (PoState.DRAFT, PoState.SENT, PoState.PARTLY_RECEIVED, PoState.RECEIVED)


def _state(order: OrderDTO) -> str:
    return order.state.replace("_", " ").lower()


class PurchasingPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.orders_shown: list[OrderDTO] = []
        self._wanted: int | None = None  # an order to select once the list is in (a PO- scan)
        self.banner = FeedbackBanner()
        self.open_only = QCheckBox("Hide closed and cancelled")
        self.open_only.setChecked(True)
        self.orders = read_only_table(
            ["Order", "Supplier", "State", "Lines", "Open", "Total", "Needed by"],
            numeric=(3, 4, 5),
            stretch=1,
        )
        self.lines = read_only_table(
            [
                "#",
                "Part",
                "Supplier part no.",
                "Ordered",
                "Received",
                "Open",
                "Unit",
                "Price / pack",
                "Card",
                "Needed by",
            ],
            numeric=(0, 3, 4, 5, 7),
            stretch=1,
        )
        can = ctx.actor.can
        self.send_button = QPushButton("Mark sent")
        self.cancel_button = QPushButton("Cancel order")
        self.close_button = QPushButton("Close short")
        self.print_button = QPushButton("PDF…")
        # plants that order in their ERP: its open orders in, ours out (Import / export, this kind)
        self.erp_button = QPushButton("ERP orders: import / export…")
        self.data_dialog: DataDialog | None = None
        # a draft's lines: Enter (or F2) on a line changes it, Delete twice takes it off
        self.edit_line_button = QPushButton("Change line…  (Enter)")
        self.delete_line_button = QPushButton("Delete line  (Del)")
        self.line_dialog: LineEditDialog | None = None
        self._deleting: int | None = None  # the line a first Delete asked about
        for button, permission in (
            (self.edit_line_button, Permission.PURCHASE),
            (self.delete_line_button, Permission.PURCHASE),
            (self.send_button, Permission.PURCHASE),
            (self.cancel_button, Permission.PURCHASE),
            (self.close_button, Permission.APPROVE_RECEIPTS),
        ):
            permitted(button, can(permission))
        self.part_edit = QLineEdit()
        self.part_edit.setPlaceholderText("scan the part or its supplier / manufacturer number")
        self.qty_edit = QLineEdit()
        self.qty_edit.setPlaceholderText("quantity, Enter")
        self.bin_edit = QLineEdit()
        self.bin_edit.setPlaceholderText("usual bin")
        self.lot_edit = QLineEdit()  # a tracked part's lot or serial; the supplier's GS1-128 label reads
        self.lot_edit.setPlaceholderText("tracked parts: lot / serial or its label")
        takes_scans(self.part_edit, self.bin_edit)
        self.confirm_over = QCheckBox("Confirm over-receipt")
        permitted(self.confirm_over, can(Permission.APPROVE_RECEIPTS))
        self.receive_button = QPushButton("Receive")
        receiving = FlowLayout()
        for label, widget in (
            ("Part", self.part_edit),
            ("Lot", self.lot_edit),
            ("Qty", self.qty_edit),
            ("Bin", self.bin_edit),
        ):
            receiving.addWidget(labelled(label, widget))
        receiving.addWidget(self.confirm_over)
        receiving.addWidget(self.receive_button)
        self.receive_box = QWidget()
        self.receive_box.setLayout(receiving)
        permitted(self.receive_box, can(Permission.MOVE_STOCK))
        top = QHBoxLayout()
        top.addWidget(QLabel("Purchase orders (scan a PO- barcode to open one)"), 1)
        top.addWidget(self.open_only)
        top.addWidget(self.erp_button)
        actions = QHBoxLayout()
        actions.addStretch(1)
        for button in (
            self.edit_line_button,
            self.delete_line_button,
            self.send_button,
            self.cancel_button,
            self.close_button,
            self.print_button,
        ):
            actions.addWidget(button)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addLayout(actions)
        lower_layout.addWidget(self.lines, 1)
        lower_layout.addWidget(self.receive_box)
        split = QSplitter()
        split.setOrientation(Qt.Orientation.Vertical)
        split.addWidget(self.orders)
        split.addWidget(lower)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.banner)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self._connect_signals()

    def _connect_signals(self) -> None:
        self.open_only.toggled.connect(self.refresh)
        self.orders.itemSelectionChanged.connect(self._show_lines)
        self.send_button.clicked.connect(lambda: self._change("sent", po.send_order))
        self.cancel_button.clicked.connect(lambda: self._change("cancelled", po.cancel_order))
        self.close_button.clicked.connect(lambda: self._change("closed", po.close_order))
        self.print_button.clicked.connect(self._ask_pdf)
        self.erp_button.clicked.connect(self.open_erp_files)
        self.edit_line_button.clicked.connect(self.edit_line)
        self.delete_line_button.clicked.connect(self.delete_line)
        self.lines.activated.connect(lambda _index: self.edit_line())  # Enter or a double click
        self.lines.currentCellChanged.connect(self._forget_delete)
        if self.ctx.actor.can(Permission.PURCHASE):
            for keys, slot in (("F2", self.edit_line), ("Del", self.delete_line)):
                QShortcut(QKeySequence(keys), self.lines, slot, context=Qt.ShortcutContext.WidgetShortcut)
        self.part_edit.returnPressed.connect(self._part_entered)
        self.qty_edit.returnPressed.connect(self.receive)
        self.lot_edit.returnPressed.connect(self._part_entered)
        self.receive_button.clicked.connect(self.receive)

    @Slot()
    def open_erp_files(self) -> DataDialog:
        """Import and export opened on open purchase orders, in the ERP's columns (SAP ME2N, Odoo...)."""
        dialog = DataDialog(self.ctx, self, kind="purchase-orders")
        dialog.show()
        self.data_dialog = dialog
        return dialog

    # -- the lists ------------------------------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        states = _CURRENT if self.open_only.isChecked() else ()
        self.ctx.runner.run(lambda: po.list_orders(self.ctx.db, states=states), self._loaded)

    def _loaded(self, orders: list[OrderDTO]) -> None:
        self.orders_shown = orders
        fill_table(
            self.orders,
            [
                (
                    o.number,
                    o.supplier_name,
                    _state(o),
                    len(o.lines),
                    o.open_lines,
                    format_money(o.total) + (f" {o.currency}" if o.currency else ""),
                    o.needed_by.isoformat() if o.needed_by else "",
                )
                for o in orders
            ],
            keys=[o.id for o in orders],
        )
        ids = [o.id for o in orders]
        if self._wanted is not None and self._wanted in ids:
            self.orders.selectRow(ids.index(self._wanted))
            self._wanted = None
        self._show_lines()

    def selected_order(self) -> OrderDTO | None:
        key = selected_key(self.orders)
        return next((o for o in self.orders_shown if o.id == key), None)

    @Slot()
    def _show_lines(self) -> None:
        order = self.selected_order()
        rows = []
        for x in order.lines if order else ():
            price = format_money(x.unit_price) if x.unit_price is not None else ""
            rows.append(
                (
                    x.line_no,
                    x.part_number,
                    x.supplier_part_number or "",
                    format_qty(x.ordered_qty),
                    format_qty(x.received_qty),
                    format_qty(x.open_qty),
                    x.unit,
                    price,
                    x.kanban_card_code or "",
                    x.needed_by.isoformat() if x.needed_by else "",
                )
            )
        fill_table(self.lines, rows, keys=[x.id for x in order.lines] if order else [])

    def show_order(self, order_id: int) -> None:
        """Select an order (a scanned PO-), also when the list does not show it yet; then await the parts."""
        order = next((o for o in self.orders_shown if o.id == order_id), None)
        if order is None:
            self._wanted = order_id
            if self.open_only.isChecked():
                self.open_only.setChecked(False)  # a closed order is shown too (the toggle refreshes)
            else:
                self.refresh()
        else:
            self.orders.selectRow(self.orders_shown.index(order))
        self.part_edit.setFocus()
        self.part_edit.selectAll()

    # -- a draft's lines ------------------------------------------------------------------------------
    def _selected_line(self) -> tuple[OrderDTO, LineDTO] | None:
        """The selected line of a DRAFT order, or None with the banner saying why."""
        order = self.selected_order()
        current = self.lines.item(self.lines.currentRow(), 0)  # the row the keyboard is on
        key = current.data(Qt.ItemDataRole.UserRole) if current is not None else None
        line = next((x for x in order.lines if x.id == key), None) if order else None
        if order is None or line is None:
            self.banner.error("Select a line of a draft order first.")
            return None
        if order.state != PoState.DRAFT.value:
            self.banner.error(f"{order.number} is {_state(order)}: only a draft's lines change.")
            return None
        return order, line

    @Slot()
    def edit_line(self) -> None:
        if not self.ctx.actor.can(Permission.PURCHASE):
            return
        found = self._selected_line()
        if found is None:
            return
        order, line = found
        dialog = LineEditDialog(order.number, line, self)
        dialog.submitted.connect(lambda change: self._save_line(dialog, line.id, change))
        dialog.open()
        self.line_dialog = dialog

    def _save_line(self, dialog: LineEditDialog, line_id: int, change: LineChange) -> None:
        def saved(order: OrderDTO) -> None:
            dialog.accept()
            self.banner.ok(f"{order.number}: line changed.")
            self.lines.setFocus()

        def refused(exc: BaseException) -> None:
            if isinstance(exc, UserError):
                dialog.failed(exc)
            else:
                show_error(dialog, exc)

        op(  # this page refreshes on the topics too
            self.ctx,
            lambda: po.edit_line(self.ctx.db, self.ctx.actor, line_id, change),
            saved,
            topics=(Topic.PURCHASING, Topic.PARTS),
            failed=refused,
        )

    @Slot()
    def delete_line(self) -> None:
        """The first Delete names the line; a second one on the same line takes it off the order."""
        found = self._selected_line()
        if found is None:
            return
        order, line = found
        if self._deleting != line.id:
            self._deleting = line.id
            self.banner.warn(
                f"Delete line {line.line_no} of {order.number} ({describe_line(line)})? Press Delete again."
            )
            return
        self._deleting = None

        def deleted(changed: OrderDTO) -> None:
            self.banner.ok(f"{changed.number}: line {line.line_no} deleted.")
            self.lines.setFocus()

        op(
            self.ctx,
            lambda: po.delete_line(self.ctx.db, self.ctx.actor, line.id),
            deleted,
            topics=(Topic.PURCHASING, Topic.PARTS, Topic.KANBAN),
            failed=self._failed,
        )

    @Slot()
    def _forget_delete(self) -> None:
        self._deleting = None

    # -- state changes and the document ---------------------------------------------------------------
    def _change(self, said: str, action: Callable[..., OrderDTO]) -> None:
        order = self.selected_order()
        if order is None:
            self.banner.error("Select an order first.")
            return
        order_id = order.id

        def done(changed: OrderDTO) -> None:
            self.banner.ok(f"{changed.number} {said}.")

        op(
            self.ctx,
            lambda: action(self.ctx.db, self.ctx.actor, order_id),
            done,
            topics=(Topic.PURCHASING, Topic.PARTS, Topic.KANBAN),
            failed=self._failed,
        )

    @Slot()
    def _ask_pdf(self) -> None:
        order = self.selected_order()
        if order is None:
            self.banner.error("Select an order first.")
            return
        name, _ = QFileDialog.getSaveFileName(self, "Purchase order PDF", f"{order.number}.pdf", "*.pdf")
        if name:
            self.save_pdf(order.id, Path(name))

    def save_pdf(self, order_id: int, path: Path) -> None:
        from desktop.reports.purchase_order import render_purchase_order
        from desktop.services.io.tabular import write_bytes
        from desktop.services.purchasing.document import po_document

        def make() -> str:
            doc = po_document(self.ctx.db, order_id)
            write_bytes(path, render_purchase_order(doc))
            return doc.number

        self.ctx.runner.run(
            make, lambda number: self.banner.ok(f"{number} saved to {path.name}."), self._failed
        )

    # -- receiving ------------------------------------------------------------------------------------
    @Slot()
    def _part_entered(self) -> None:
        if self.part_edit.text().strip():
            self.qty_edit.setFocus()
            self.qty_edit.selectAll()

    @Slot()
    def receive(self) -> None:
        order = self.selected_order()
        if order is None:
            self.banner.error("Scan the purchase order (PO-…) or select it first.")
            return
        code, qty_text, bin_code = self.part_edit.text(), self.qty_edit.text(), self.bin_edit.text().strip()
        lot = self.lot_edit.text().strip() or None
        confirm, order_id = self.confirm_over.isChecked(), order.id
        key = f"ui-{uuid.uuid4().hex}"  # a retry after a lost connection posts nothing twice

        def work() -> ReceiptResult:
            db = self.ctx.db
            if not code.strip():
                raise UserError("Scan or type the part.", field="part")
            part_id = po.part_on_order(db, order_id, code)
            qty = parse_decimal(qty_text)
            bin_id = locations.get_location_id(db, bin_code) if bin_code else None
            request = ReceiptRequest(
                order_id, part_id, qty, bin_id, confirm_over=confirm, posting_key=key, lot=lot
            )
            return po.receive(db, self.ctx.actor, request)

        op(
            self.ctx,
            work,
            self._received,
            topics=(Topic.STOCK, Topic.PARTS, Topic.KANBAN, Topic.PURCHASING),
            failed=self._failed,
        )

    def _received(self, result: ReceiptResult) -> None:
        self.banner.ok(result.message)
        self.part_edit.clear()
        self.qty_edit.clear()
        self.lot_edit.clear()
        self.confirm_over.setChecked(False)
        self.part_edit.setFocus()

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, UserError):
            show_error(self, exc)
            return
        self.banner.error(exc.message)
        field = {
            "part": self.part_edit,
            "qty": self.qty_edit,
            "location": self.bin_edit,
            "lot": self.lot_edit,
            "expires_on": self.lot_edit,
        }.get(exc.field or "")
        if field is not None:  # the text stays, selected: the next scan or typing replaces it
            field.setFocus()
            field.selectAll()

    def data_changed(self, what: frozenset[Topic]) -> None:
        if what & {Topic.STOCK, Topic.PARTS, Topic.PURCHASING} and self.isVisible():
            self.refresh()
