"""The move dialog's part and bin pickers: a scan (or a typed code and Enter) lands in the field it
belongs to, a bin in a location field, a part in Part, an LT- lot label sets part and lot; codes that
are not for this dialog are refused with a message, and what was typed after them is dropped.

A mixin of `MoveDialog` (`move_dialog`), kept apart so that the dialog's module holds the form and the
posting; the look-ups run through `ctx.runner` as before.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit

from desktop.quantities import format_qty
from desktop.services.catalogue import scan
from desktop.services.catalogue.parts import PartDTO
from desktop.services.catalogue.scan import ScanResult
from desktop.services.stock.usual_qty import usual_quantity
from desktop.ui.scanner import drop_typed_ahead, resolve_then
from desktop.ui.stock.move_kinds import LOCATION_LABELS

if TYPE_CHECKING:
    from desktop.ui.context import AppContext
    from desktop.ui.feedback import FeedbackBanner
    from desktop.ui.stock.move_kinds import KindSpec

# Codes that name something other than a bin or a part, refused by their prefix before any look-up.
_NOT_HERE = {
    "U-": "{code} is a badge: press Ctrl+U to hand the PC over.",
    "CS-": "{code} is a count sheet: open it on the Cycle counts page.",
}


class MovePickers:
    """Scanning and typing parts and bins into `MoveDialog`; the dialog provides the fields."""

    if TYPE_CHECKING:  # what the dialog (and its lot fields) provide
        ctx: AppContext
        spec: KindSpec
        banner: FeedbackBanner
        part: PartDTO | None
        _usual: Decimal | None
        _loc_ids: dict[str, int | None]
        _loc_codes: dict[str, str]
        loc_edits: dict[str, QLineEdit]
        loc_labels: dict[str, QLabel]
        part_edit: QLineEdit
        part_label: QLabel
        unit_label: QLabel
        lot_edit: QLineEdit
        lot_label: QLabel
        expiry_edit: QLineEdit
        qty_edit: QLineEdit

        def _focus_next(self) -> None: ...
        def _new_key(self) -> None: ...
        def _show_lot_rows(self) -> None: ...
        def _propose_lot(self) -> None: ...

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
                self.banner.ok(f"{LOCATION_LABELS[target]} is now {loc.code}.")
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

    def _forget_location(self, field: str) -> None:
        self._loc_ids[field] = None
        self.loc_labels[field].setText("")
