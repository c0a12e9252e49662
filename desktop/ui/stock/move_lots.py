"""The move dialog's lot fields: shown only for a lot- or serial-tracked part; an issue proposes the
lot that expires first (another lot asks for a second Enter); Enter in Lot reads a supplier's GS1-128
label; a receipt takes an expiry date.

A mixin of `MoveDialog` (`move_dialog`), kept apart so that the dialog's module holds the form and the
posting; the proposal is read through `ctx.runner`, the lot looked up on the worker (`_with_lot`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit

from desktop.errors import UserError
from desktop.models.enums import MoveKind
from desktop.services import lots
from desktop.services.stock.moves import MoveRequest

if TYPE_CHECKING:
    from desktop.services.catalogue.parts import PartDTO
    from desktop.ui.context import AppContext
    from desktop.ui.feedback import FeedbackBanner


class MoveLotFields:
    """Lot, serial and expiry of a tracked part in `MoveDialog`; the dialog provides the fields."""

    if TYPE_CHECKING:  # what the dialog provides
        ctx: AppContext
        kind: MoveKind
        banner: FeedbackBanner
        part: PartDTO | None
        _form: QFormLayout
        _loc_ids: dict[str, int | None]
        _proposal: lots.LotStock | None
        _other_lot_ok: str
        lot_edit: QLineEdit
        lot_label: QLabel
        expiry_edit: QLineEdit
        qty_edit: QLineEdit

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
