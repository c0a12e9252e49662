"""Receive, issue, transfer, adjust, return, scrap: one dialog, driven by scanner and keyboard alone.

Scan the bin, scan the part (either order: a scan lands where it belongs), type the quantity, Enter.
After a posting the dialog stays open with the locations kept, ready for the next line. On an error
nothing is cleared: the message says what is wrong and the cursor goes to that field.

This module holds the form and the posting; the part and bin pickers are in `move_pickers`, the lot
fields in `move_lots`, what each kind of move asks for in `move_kinds`.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import InsufficientStock, ReservedStock, UserError
from desktop.models.enums import MoveKind
from desktop.quantities import format_qty, parse_decimal
from desktop.services import lots
from desktop.services.catalogue.parts import PartDTO
from desktop.services.stock import issue as stock_issue
from desktop.services.stock import moves as stock
from desktop.services.stock.issue import IssueResult, ReservationDTO, ShortIssueResult
from desktop.services.stock.moves import MoveRequest, PostResult
from desktop.services.stock.usual_qty import is_unusual
from desktop.services.topics import Topic
from desktop.ui.common import action_row, big_field, show_error
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.operation import change
from desktop.ui.stock.move_kinds import LOCATION_LABELS, SPECS
from desktop.ui.stock.move_lots import MoveLotFields
from desktop.ui.stock.move_pickers import MovePickers
from desktop.ui.stock.qty_input import barcode_refusal, mark_quantity


class MoveDialog(MovePickers, MoveLotFields, QDialog):
    """Signals:
    posted(PostResult): a move was saved.
    """

    posted = Signal(object)

    def __init__(self, ctx: AppContext, kind: MoveKind, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kind = kind
        self.spec = SPECS[kind]
        self.setWindowTitle(f"{self.spec.title} stock")
        self.setMinimumWidth(620)
        self._loc_ids: dict[str, int | None] = dict.fromkeys(self.spec.locations)
        self._loc_codes: dict[str, str] = {}
        self.part: PartDTO | None = None
        self._posting_key = uuid.uuid4().hex
        self._reserved_ok = ""  # the posting key the keeper confirmed taking reserved stock for
        self._large_ok = ""  # the posting key of an unusually large quantity confirmed by a second Enter
        self._usual: Decimal | None = None  # what the part usually moves at most (None: no yardstick)
        self._proposal: lots.LotStock | None = None  # the lot first-expired-first-out says to take
        self._other_lot_ok = ""  # posting key + lot the keeper confirmed taking instead of the proposal
        self._asked_key = ""
        self._asked_short = False  # whether that ask was a short issue (Ctrl+Enter) or a plain one
        self._busy = False
        self._build()
        self._connect_signals()

    # -- building -------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.banner = FeedbackBanner()
        form = QFormLayout()
        self.loc_edits: dict[str, QLineEdit] = {}
        self.loc_labels: dict[str, QLabel] = {}
        for name in self.spec.locations:
            self.loc_edits[name] = big_field("scan the bin label (L-…) or type the code")
            self.loc_labels[name] = QLabel("")
            form.addRow(LOCATION_LABELS[name], self.loc_edits[name])
            form.addRow("", self.loc_labels[name])
        self.part_edit = big_field("scan the part label (P-…), part number or manufacturer number")
        self.part_label = QLabel("")
        self.part_label.setWordWrap(True)
        form.addRow("Part", self.part_edit)
        form.addRow("", self.part_label)
        # a tracked part's lot (or serial): shown only for such a part, so other parts work as before
        self.lot_edit = big_field("scan the lot label (LT-…) or the supplier's label, or type the lot")
        self.lot_label = QLabel("")
        self.lot_label.setWordWrap(True)
        self.expiry_edit = QLineEdit()
        self.expiry_edit.setPlaceholderText("YYYY-MM-DD; empty: the label's, or the shelf life")
        form.addRow("Lot", self.lot_edit)
        form.addRow("", self.lot_label)
        form.addRow("Expires", self.expiry_edit)
        self._form = form
        qty_hint = "+ found / − missing, e.g. -2" if self.kind is MoveKind.ADJUSTMENT else "e.g. 12 or 1.5"
        self.qty_edit = mark_quantity(big_field(qty_hint))
        self.unit_label = QLabel("")
        qty_row = QHBoxLayout()
        qty_row.addWidget(self.qty_edit, 1)
        qty_row.addWidget(self.unit_label)
        form.addRow("Quantity", qty_row)
        self.reference_edit = QLineEdit()
        form.addRow(self.spec.reference_label, self.reference_edit)
        self.reason_edit = QLineEdit()
        self.reason_edit.setPlaceholderText("required" if self.spec.reason_required else "optional")
        form.addRow("Reason", self.reason_edit)
        buttons, self.post_button, self.close_button = action_row(self.spec.title)
        # Offered when an issue finds too little: hand over what is there and record the shortage,
        # which the fill rate and stockout figures count.
        self.short_button = QPushButton("Issue what is there, record the rest short  (Ctrl+Enter)")
        self.short_button.setAutoDefault(False)
        self.short_button.hide()
        buttons.insertWidget(1, self.short_button)
        layout = QVBoxLayout(self)
        title = QLabel(f"<h2>{self.spec.title} stock</h2>")
        layout.addWidget(title)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self._show_lot_rows()
        self.first_field().setFocus()

    def _connect_signals(self) -> None:
        for name, edit in self.loc_edits.items():
            edit.returnPressed.connect(lambda n=name: self._scan_entered(n))
            edit.textEdited.connect(lambda _t, n=name: self._forget_location(n))
        self.part_edit.returnPressed.connect(lambda: self._scan_entered("part"))
        self.part_edit.textEdited.connect(self._forget_part)
        self.lot_edit.returnPressed.connect(self._lot_entered)
        self.lot_edit.textEdited.connect(self._new_key)
        self.expiry_edit.returnPressed.connect(self._focus_next)
        self.expiry_edit.textEdited.connect(self._new_key)
        self.qty_edit.returnPressed.connect(self.post)
        self.qty_edit.textEdited.connect(self._new_key)
        self.reference_edit.returnPressed.connect(self.post)
        self.reference_edit.textEdited.connect(self._unconfirm)  # a new work order asks again
        self.reason_edit.returnPressed.connect(self.post)
        self.post_button.clicked.connect(self.post)
        self.short_button.clicked.connect(self.post_short)
        for edit in (self.qty_edit, self.part_edit, self.lot_edit, self.reference_edit, self.reason_edit):
            edit.installEventFilter(self)  # Ctrl+Enter in any field: the short issue, when offered
        self.close_button.clicked.connect(self.reject)

    # -- pre-filling from the page the dialog was opened on ---------------------------------------------
    def first_field(self) -> QLineEdit:
        return self.loc_edits[self.spec.locations[0]]

    def preset_location(self, location_id: int, code: str) -> None:
        self._set_location(self.spec.locations[0], location_id, code, "")
        self._focus_next()

    def preset_part(self, part: PartDTO) -> None:
        self._set_part(part)
        self._focus_next()

    @Slot()
    def _unconfirm(self) -> None:
        self._reserved_ok = ""

    @Slot()
    def _new_key(self) -> None:
        """A changed form is a new posting; an unchanged one retried after an error keeps its key."""
        self._offer_short(False)
        self._posting_key = uuid.uuid4().hex

    def _focus_next(self) -> None:
        for name in self.spec.locations:
            if self._loc_ids[name] is None:
                self.loc_edits[name].setFocus()
                return
        if self.part is None:
            self.part_edit.setFocus()
            return
        if self._tracked() and not self.lot_edit.text().strip():
            self.lot_edit.setFocus()
            return
        self.qty_edit.setFocus()
        self.qty_edit.selectAll()

    # -- posting --------------------------------------------------------------------------------------
    def _request(self) -> MoveRequest:
        missing = self._first_open_location()
        if missing is not None:
            raise UserError(f"Scan the {LOCATION_LABELS[missing].lower()} first.", field=missing)
        if self.part is None:
            raise UserError("Scan or type the part first.", field="part")
        signed = self.kind is MoveKind.ADJUSTMENT
        refusal = barcode_refusal(self.qty_edit)
        if refusal is not None:
            raise UserError(refusal, field="qty")
        qty = parse_decimal(self.qty_edit.text(), allow_negative=signed)
        if self.spec.reason_required and not self.reason_edit.text().strip():
            raise UserError(f"Give a reason for the {self.spec.title.lower()}.", field="reason")
        src = self._loc_ids.get("from")
        dst = self._loc_ids.get("to")
        if signed:
            loc = self._loc_ids["location"]
            src, dst, qty = (loc, None, -qty) if qty < 0 else (None, loc, qty)
        return MoveRequest(
            self.kind,
            self.part.id,
            qty,
            src,
            dst,
            self.reason_edit.text(),
            self.reference_edit.text(),
            self._posting_key,
        )

    @Slot()
    def post(self) -> None:
        if self._busy:
            return
        try:
            req = self._request()
        except UserError as exc:
            self._show_user_error(exc)
            return
        if is_unusual(req.qty, self._usual) and self._large_ok != req.posting_key:
            self._large_ok = req.posting_key or ""  # Enter again, unchanged, posts it
            assert self.part is not None and self._usual is not None
            self.banner.warn(
                f"{format_qty(req.qty)} {self.part.unit} is far more than {self.part.part_number} usually "
                f"moves (up to {format_qty(self._usual)}). Press Enter again to post {format_qty(req.qty)}, "
                "or type the right quantity."
            )
            self.qty_edit.setFocus()
            return
        try:
            expiry = self._expiry()
        except UserError as exc:
            self._show_user_error(exc)
            return
        lot_text = self.lot_edit.text().strip() if self._tracked() else ""
        if self._other_lot_unconfirmed(req, lot_text):
            return
        self._busy = True
        if self.kind is MoveKind.RECEIPT and self._tracked():  # the lot is made on its first receipt
            receipt = lots.LotReceipt(
                req.part_id, req.to_location_id or 0, req.qty, lot_text, expiry, (), None,
                req.reference, req.posting_key,
            )  # fmt: skip
            change(
                self.ctx,
                lambda: lots.receive(self.ctx.db, self.ctx.actor, receipt).posted[0],
                self._posted,
                topics=(Topic.STOCK,),
                failed=self._failed,
            )
            return
        if self.kind is MoveKind.ISSUE:
            # reservations first: the work order settles its own, other orders' stock needs a second Enter
            confirmed = self._reserved_ok == req.posting_key
            self._asked_key = req.posting_key or ""
            self._asked_short = False
            change(
                self.ctx,
                lambda: stock_issue.issue(
                    self.ctx.db, self.ctx.actor, self._with_lot(req, lot_text), take_reserved=confirmed
                ),
                self._issued,
                topics=(Topic.STOCK, Topic.MRO),  # an issue may settle a work order's reservation
                failed=self._failed,
            )
            return
        change(
            self.ctx,
            lambda: stock.post_move(self.ctx.db, self.ctx.actor, self._with_lot(req, lot_text)),
            self._posted,
            topics=(Topic.STOCK,),
            failed=self._failed,
        )

    def _issued(self, result: IssueResult) -> None:
        self._posted(result.posted, _settled_note(result.reservation))

    def _posted(self, result: PostResult, note: str = "") -> None:
        self._busy = False
        move = result.move
        text = f"{self.spec.verb} {format_qty(move.qty)} {move.unit} of {move.part_number}"
        if move.lot_number:
            text += f" lot {move.lot_number}"
        if move.from_code:
            text += f" from {move.from_code}"
        if move.to_code:
            text += f" to {move.to_code}"
        text += f" — {format_qty(result.part_on_hand)} {move.unit} on hand"
        if result.below_min and result.min_qty is not None:
            self.banner.warn(f"{text}. Below minimum ({format_qty(result.min_qty)}): reorder.{note}")
        else:
            self.banner.ok(f"{text}.{note}")
        self.posted.emit(result)
        self._ready_for_next()

    def _ready_for_next(self) -> None:
        """Keep the location(s) and reference, clear the rest."""
        self.part_edit.clear()
        self._forget_part()
        self.qty_edit.clear()
        self.reason_edit.clear()
        self._new_key()
        self.part_edit.setFocus()

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        if isinstance(exc, ReservedStock):
            self._reserved_ok = self._asked_key  # the same keys again, unchanged, take the reserved stock
            again = "Ctrl+Enter" if self._asked_short else "Enter"
            self._offer_short(self._asked_short)
            self.banner.warn(f"{exc.message} Press {again} again to issue {format_qty(exc.want)} anyway.")
            self.qty_edit.setFocus()
            return
        if isinstance(exc, UserError):
            self._show_user_error(exc)
        else:
            show_error(self, exc)
        if isinstance(exc, InsufficientStock) and self.kind is MoveKind.ISSUE:
            self._offer_short(True)
            self.banner.error(f"{exc.message} Ctrl+Enter issues what is there and records the rest short.")

    def _offer_short(self, offer: bool) -> None:
        self.short_button.setVisible(offer)

    @Slot()
    def post_short(self) -> None:
        if self._busy or not self.short_button.isVisible():
            return
        try:
            req = self._request()
        except UserError as exc:
            self._show_user_error(exc)
            return
        if req.from_location_id is None:
            return
        self._busy = True
        self._offer_short(False)
        location = req.from_location_id
        lot_text = self.lot_edit.text().strip() if self._tracked() else ""
        # reservations as for Enter: other work orders' stock only after a second Ctrl+Enter
        confirmed = self._reserved_ok == req.posting_key
        self._asked_key = req.posting_key or ""
        self._asked_short = True
        change(
            self.ctx,
            lambda: stock_issue.issue_short(
                self.ctx.db,
                self.ctx.actor,
                req.part_id,
                location,
                req.qty,
                reference=req.reference,
                take_reserved=confirmed,
                lot_id=self._with_lot(req, lot_text).lot_id,
            ),
            self._posted_short,
            topics=(Topic.STOCK, Topic.MRO),
            failed=self._failed,
        )

    def _posted_short(self, result: ShortIssueResult) -> None:
        self._busy = False
        unit = self.part.unit if self.part else ""
        number = self.part.part_number if self.part else ""
        self.banner.warn(
            f"Issued {format_qty(result.issued)} {unit} of {number}; "
            f"{format_qty(result.short)} {unit} short, recorded.{_settled_note(result.reservation)}"
        )
        if result.posted is not None:
            self.posted.emit(result.posted)
        self._ready_for_next()

    def _show_user_error(self, exc: UserError) -> None:
        self.banner.error(exc.message)
        target = {
            "qty": self.qty_edit,
            "part": self.part_edit,
            "reason": self.reason_edit,
            "reference": self.reference_edit,
            "lot": self.lot_edit,
            "expires_on": self.expiry_edit,
        }.get(exc.field or "")
        if target is None and exc.field in self.loc_edits:
            target = self.loc_edits[exc.field]
        if target is None and exc.field in ("from_location", "to_location", "location"):
            target = self.loc_edits.get(exc.field.split("_")[0]) or self.first_field()
        (target or self.qty_edit).setFocus()
        (target or self.qty_edit).selectAll()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self.post_short()
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event):  # type: ignore[no-untyped-def]
        # Enter belongs to the fields (scan/post); never let it trigger a default button and close.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return
        super().keyPressEvent(event)


def _settled_note(r: ReservationDTO | None) -> str:
    """What an issue did to the reservation of the work order it named."""
    if r is None:
        return ""
    left = f"{format_qty(r.open_qty)} {r.unit} still reserved" if r.open_qty > 0 else "now settled"
    return f" Against {r.work_order}'s reservation: {left}."
