"""Receive, issue, transfer, adjust, return, scrap: one dialog, driven by scanner and keyboard alone.

Scan the bin, scan the part (either order: a scan lands where it belongs), type the quantity, Enter.
After a posting the dialog stays open with the locations kept, ready for the next line. On an error
nothing is cleared: the message says what is wrong and the cursor goes to that field.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import partial

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
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
from desktop.services.catalogue import scan
from desktop.services.catalogue.parts import PartDTO
from desktop.services.catalogue.scan import ScanResult
from desktop.services.stock import issue as stock_issue
from desktop.services.stock import moves as stock
from desktop.services.stock.issue import IssueResult, ReservationDTO, ShortIssueResult
from desktop.services.stock.moves import MoveRequest, PostResult
from desktop.services.stock.usual_qty import is_unusual, usual_quantity
from desktop.services.topics import Topic
from desktop.ui.common import action_row, big_field, show_error
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.operation import change
from desktop.ui.scanner import drop_typed_ahead, resolve_then
from desktop.ui.stock.qty_input import barcode_refusal, mark_quantity


@dataclass(frozen=True)
class KindSpec:
    title: str
    verb: str
    locations: tuple[str, ...]  # field names in scan order: "from", "to" or "location"
    reference_label: str
    reason_required: bool = False


SPECS: dict[MoveKind, KindSpec] = {
    MoveKind.RECEIPT: KindSpec("Receive", "Received", ("to",), "PO / delivery note"),
    MoveKind.ISSUE: KindSpec("Issue", "Issued", ("from",), "Work order / cost centre"),
    MoveKind.TRANSFER: KindSpec("Transfer", "Moved", ("from", "to"), "Reference"),
    MoveKind.ADJUSTMENT: KindSpec("Adjust", "Adjusted", ("location",), "Reference", reason_required=True),
    MoveKind.RETURN: KindSpec("Return", "Returned", ("to",), "Work order"),
    MoveKind.SCRAP: KindSpec("Scrap", "Scrapped", ("from",), "Reference", reason_required=True),
}
_LABELS = {"from": "From location", "to": "To location", "location": "Location"}
# Codes that name something other than a bin or a part, refused by their prefix before any look-up.
_NOT_HERE = {
    "U-": "{code} is a badge: press Ctrl+U to hand the PC over.",
    "CS-": "{code} is a count sheet: open it on the Cycle counts page.",
}


class MoveDialog(QDialog):
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
            form.addRow(_LABELS[name], self.loc_edits[name])
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

    # -- scanning -------------------------------------------------------------------------------------
    def handle_scan(self, code: str) -> bool:
        """A scanner burst with a known prefix, wherever the focus is in this dialog: a bin sets a
        location, a part sets the part; nothing lands as text in another field."""
        refusal = _NOT_HERE.get(next((p for p in _NOT_HERE if code.startswith(p)), ""))
        if refusal:
            self._refuse(None, refusal.format(code=code))
            return True
        focused = "lot" if self.lot_edit.hasFocus() else self._focused_field()
        resolve_then(
            self.ctx.runner, lambda: scan.resolve(self.ctx.db, code), partial(self._scanned, focused)
        )
        return True

    def _focused_field(self) -> str | None:
        for name, edit in self.loc_edits.items():
            if edit.hasFocus():
                return name
        return "part" if self.part_edit.hasFocus() else None

    def _scan_entered(self, field: str) -> None:
        """Enter in a bin or part field: what is there was typed (or a supplier's bare code scanned)."""
        edit = self.part_edit if field == "part" else self.loc_edits[field]
        text = edit.text().strip()
        if not text:
            return
        resolved = self.part is not None if field == "part" else self._loc_ids[field] is not None
        if resolved:
            self._focus_next()
            return
        resolve_then(self.ctx.runner, lambda: scan.resolve(self.ctx.db, text), partial(self._scanned, field))

    def _scanned(self, field: str | None, result: ScanResult) -> None:
        """Put what was scanned where it belongs: a location into the focused location field (else the
        first empty one, else the first), a part into Part, whatever field the code was typed in."""
        edit = self._edit_of(field)
        if result.location is not None:
            if field == "part" and self.part is None:
                self.part_edit.clear()  # the bin was typed into Part: it goes to its own field
            target = field if field in self.loc_edits else self._first_open_location()
            replaced = target is None
            target = target or self.spec.locations[0]
            loc = result.location.location
            self._set_location(target, loc.id, loc.code, loc.name)
            if replaced:
                self.banner.ok(f"{_LABELS[target]} is now {loc.code}.")
            else:
                self.banner.clear()
        elif result.asset is not None:
            return self._refuse(edit, f"{result.code} is a machine tag: scan a bin or a part here.")
        elif result.lot is not None and result.part is not None:  # an LT- lot label: its part and lot
            if field == "lot" or (field in self.loc_edits and self._loc_ids.get(field or "") is None):
                (self.lot_edit if field == "lot" else self.loc_edits[field or ""]).clear()
            if self.part is None or self.part.id != result.part.id:
                self._set_part(result.part)
            self.lot_edit.setText(result.lot.lot.lot_number)
            self.lot_label.setText(f"✔ {result.message}")
            self.banner.clear()
        elif result.part is not None and result.code.startswith("K-") and result.message:
            return self._refuse(edit, f"{result.code} is a kanban card: scan it at the Kanban scan station.")
        elif result.part is not None:
            if field is not None and field in self.loc_edits and self._loc_ids[field] is None:
                self.loc_edits[field].clear()  # a part typed into a location field: it goes where it belongs
            self._set_part(result.part)
            self.banner.clear()
        elif result.candidates:
            numbers = ", ".join(p.part_number for p in result.candidates)
            return self._refuse(edit, f"{result.code} fits several parts ({numbers}): type the part number.")
        else:
            return self._refuse(edit, result.message)
        self._focus_next()
        return None

    def _edit_of(self, field: str | None) -> QLineEdit | None:
        if field == "part":
            return self.part_edit
        if field == "lot":
            return self.lot_edit
        return self.loc_edits.get(field or "")

    def _refuse(self, edit: QLineEdit | None, message: str) -> None:
        self.banner.error(message)
        drop_typed_ahead()  # what was typed after a wrong scan is not for the field the cursor returns to
        if edit is None:  # scanned while the cursor was elsewhere: it stays there
            focus = QApplication.focusWidget()
            edit = focus if isinstance(focus, QLineEdit) and focus.window() is self else None
        if edit is not None:
            edit.setFocus()
            edit.selectAll()  # the next scan or number replaces what is there

    def _first_open_location(self) -> str | None:
        return next((n for n in self.spec.locations if self._loc_ids[n] is None), None)

    def _set_location(self, field: str, location_id: int, code: str, name: str) -> None:
        self._loc_ids[field] = location_id
        self._loc_codes[field] = code
        self.loc_edits[field].setText(code)
        self.loc_labels[field].setText(f"✔ {name}" if name else "✔")
        self._new_key()
        self._show_part_here()
        self._propose_lot()

    def _set_part(self, part: PartDTO) -> None:
        self.part = part
        self.part_edit.setText(part.part_number)
        self.unit_label.setText(part.unit)
        self.qty_edit.clear()  # a quantity typed for another part never carries over
        self.lot_edit.clear()  # nor a lot
        self.expiry_edit.clear()
        self.lot_label.setText("")
        self._show_lot_rows()
        self._new_key()
        self._show_part_here()
        self._propose_lot()
        self._usual = None
        part_id = part.id
        self.ctx.runner.run(
            lambda: usual_quantity(self.ctx.db, part_id), lambda usual: self._got_usual(part_id, usual)
        )

    def _got_usual(self, part_id: int, usual: Decimal | None) -> None:
        if self.part is not None and self.part.id == part_id:
            self._usual = usual

    def _show_part_here(self) -> None:
        if self.part is None:
            self.part_label.setText("")
            return
        text = f"✔ {self.part.description} — {format_qty(self.part.on_hand)} {self.part.unit} on hand"
        source = self.spec.locations[0]
        if self._loc_ids.get(source) is not None and source != "to":
            here = next(
                (b.qty for b in self.part.stock if b.location_id == self._loc_ids[source]), Decimal(0)
            )
            text += f", {format_qty(here)} in {self._loc_codes[source]}"
        self.part_label.setText(text)

    @Slot()
    def _forget_part(self) -> None:
        self.part = None
        self.part_label.setText("")
        self.unit_label.setText("")
        self.lot_edit.clear()
        self.expiry_edit.clear()
        self.lot_label.setText("")
        self._show_lot_rows()

    # -- lots -----------------------------------------------------------------------------------------
    def _tracked(self) -> bool:
        return self.part is not None and self.part.tracking != "NONE"

    def _show_lot_rows(self) -> None:
        tracked = self._tracked()
        what = "Serial" if self.part is not None and self.part.tracking == "SERIAL" else "Lot"
        label = self._form.labelForField(self.lot_edit)
        if isinstance(label, QLabel):
            label.setText(what)
        self._form.setRowVisible(self.lot_edit, tracked)
        self._form.setRowVisible(self.lot_label, tracked)
        self._form.setRowVisible(self.expiry_edit, tracked and self.kind is MoveKind.RECEIPT)

    def _propose_lot(self) -> None:
        """An issue of a tracked part: the lot to take (first expired first out) goes into Lot, selected,
        so a scan of another lot's label replaces it."""
        self._proposal = None
        source = self._loc_ids.get("from")
        if self.kind is not MoveKind.ISSUE or not self._tracked() or source is None or self.part is None:
            return
        part_id = self.part.id
        self.ctx.runner.run(
            lambda: lots.propose(self.ctx.db, part_id, source), lambda found: self._proposed(part_id, found)
        )

    def _proposed(self, part_id: int, found: list[lots.LotStock]) -> None:
        if self.part is None or self.part.id != part_id:
            return
        if not found:
            self.lot_label.setText("✖ no lot of it in this bin")
            return
        first = found[0]
        others = "; ".join(lots.format_lot_stock(x) for x in found[1:4])
        if first.expired:
            self.lot_label.setText(f"✖ only expired stock here: {lots.format_lot_stock(first)}")
            return
        self._proposal = first
        self.lot_edit.setText(first.lot.lot_number)
        self.lot_label.setText(
            f"✔ proposed (first to expire): {lots.format_lot_stock(first)}"
            + (f". Other lots: {others}" if others else "")
        )
        if self.lot_edit.hasFocus():
            self.lot_edit.selectAll()

    @Slot()
    def _lot_entered(self) -> None:
        """Enter in Lot: a supplier's GS1-128 label typed in by the scanner gives the lot and its expiry."""
        read = lots.parse(self.lot_edit.text())
        if read is not None and read.lot:
            self.lot_edit.setText(read.lot)
            if read.expires_on and self.kind is MoveKind.RECEIPT:
                self.expiry_edit.setText(read.expires_on.isoformat())
            self.lot_label.setText("✔ read from the supplier's label")
        if self.lot_edit.text().strip():
            self.qty_edit.setFocus()
            self.qty_edit.selectAll()

    def _forget_location(self, field: str) -> None:
        self._loc_ids[field] = None
        self.loc_labels[field].setText("")

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
            raise UserError(f"Scan the {_LABELS[missing].lower()} first.", field=missing)
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

    def _other_lot_unconfirmed(self, req: MoveRequest, lot_text: str) -> bool:
        """An issue of another lot than the one first-expired-first-out proposes asks first, like an
        unusual quantity: Enter again takes it (a keeper may be using up an opened container)."""
        first = self._proposal
        if self.kind is not MoveKind.ISSUE or first is None or not lot_text:
            return False
        if lots.lot_key(lot_text) == lots.lot_key(first.lot.lot_number):
            return False
        asked = f"{req.posting_key}|{lots.lot_key(lot_text)}"
        if self._other_lot_ok == asked:
            return False
        self._other_lot_ok = asked
        self.banner.warn(
            f"{first.lot.lot_number} should go first: {lots.format_lot_stock(first)}. Press Enter again to "
            f"take {lot_text} instead, or scan {first.lot.code}."
        )
        self.qty_edit.setFocus()
        return True

    def _with_lot(self, req: MoveRequest, lot_text: str) -> MoveRequest:
        """The request with the lot named in Lot (worker thread: a look-up); none named: an issue's
        service proposes one, any other move is refused by the ledger's rule."""
        return replace(req, lot_id=lots.lot_id_for(self.ctx.db, req.part_id, lot_text)) if lot_text else req

    def _expiry(self) -> date | None:
        text = self.expiry_edit.text().strip() if self._tracked() else ""
        try:
            return date.fromisoformat(text) if text else None
        except ValueError as exc:
            raise UserError(f"Write the expiry as YYYY-MM-DD ({text}).", field="expires_on") from exc

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
