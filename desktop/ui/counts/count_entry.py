"""Entering counts on the Count tab of Cycle counts: a scan (or a typed code and Enter) sets the bin, the
part, a tracked part's lot (a lot label sets part and lot and selects its line), then the quantity and
Enter posts the count, blind if the count is blind; a wrong scan drops what was typed after it.

A mixin of `CountsPage` (`counts_page`), kept apart so that the page's module holds the tabs, the
choice of count, the sheet and the approval; look-ups and writes go through `ctx.runner` and
`operation.change` as before.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QTabWidget

from desktop.errors import UserError
from desktop.quantities import format_qty, parse_decimal
from desktop.services.catalogue import scan
from desktop.services.catalogue.scan import ScanResult
from desktop.services.counts import lots as count_lots
from desktop.services.counts import sessions as counts
from desktop.services.counts.lots import NamedLot
from desktop.services.counts.sessions import LineDTO, SessionDTO
from desktop.services.topics import Topic
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.operation import change
from desktop.ui.scanner import drop_typed_ahead, resolve_then, router
from desktop.ui.stock.qty_input import barcode_refusal

if TYPE_CHECKING:
    from PySide6.QtWidgets import QTableWidget


class CountEntry:
    """Bin, part, lot and quantity of `CountsPage`'s Count tab; the page provides the fields."""

    if TYPE_CHECKING:  # what the page provides
        ctx: AppContext
        session_id: int | None
        banner: FeedbackBanner
        tabs: QTabWidget
        where: QLineEdit
        bin_edit: QLineEdit
        part_edit: QLineEdit
        lot_edit: QLineEdit
        qty_edit: QLineEdit
        bin_label: QLabel
        part_label: QLabel
        lot_label: QLabel
        lines: QTableWidget
        _entry: QFormLayout
        _bin: str | None
        _part: str | None
        _tracked: bool
        _lot: str | None
        _new_lot: bool
        _shown: SessionDTO | None

        def isVisible(self) -> bool: ...
        def choose_session(self, session_id: int) -> None: ...
        def refresh_lines(self) -> None: ...
        def _failed(self, exc: BaseException) -> None: ...

    # -- entering counts --------------------------------------------------------------------------------
    def handle_scan(self, code: str) -> bool:
        """A scan anywhere on the Count tab: a bin sets the bin, a part the part, a lot label its part and
        lot (and selects its line), a count sheet opens its count. Elsewhere (or with no count chosen and
        nothing to start) the main window takes it."""
        if not self.isVisible() or self.tabs.currentIndex() != 0:
            return False
        if code.startswith("CS-") and code[3:].isdigit():
            self.choose_session(int(code[3:]))
            return True
        if self.session_id is None or self.where.hasFocus():
            if code.startswith("L-") and self.where.isVisible():  # a planner scans what to count
                self.where.setText(code.removeprefix("L-"))
                self.where.setFocus()
                self.banner.ok(f"Press Enter to start counting {self.where.text()}.")
                return True
            return False
        resolve_then(self.ctx.runner, lambda: scan.resolve(self.ctx.db, code), self._resolved)
        return True

    def _typed_code(self, edit: QLineEdit) -> None:
        """Enter in Bin or Part: what was typed there (or a supplier's bare code) is looked up."""
        text = edit.text().strip()
        if not text:
            return
        if (edit is self.bin_edit and self._bin) or (edit is self.part_edit and self._part):
            self._focus_next()
            return
        resolve_then(self.ctx.runner, lambda: scan.resolve(self.ctx.db, text), self._resolved)

    def _resolved(self, result: ScanResult) -> None:
        if result.location is not None:
            loc = result.location.location
            self._bin = loc.code
            self.bin_edit.setText(loc.code)
            self.bin_label.setText(f"✔ {loc.name}")
            self._forget_part()
            self.part_edit.clear()  # a new bin: its parts come next
        elif result.part is not None and not (result.code.startswith("K-") and result.message):
            p = result.part
            self._forget_part()
            self._part = p.part_number
            self.part_edit.setText(p.part_number)
            self.part_label.setText(f"✔ {p.description} ({p.unit})")
            self._show_lot_row(p.tracking != "NONE")
            if result.lot is not None:  # a lot label: its part and its lot at once
                lot = result.lot.lot
                self._lot = lot.code
                self.lot_edit.setText(lot.lot_number)
                self.lot_label.setText(f"✔ {lot.label}")
                self._select_line(lot.code)
        else:
            what = "a kanban card" if result.code.startswith("K-") else "not a bin or a part"
            message = (
                result.message if not result.found else f"{result.code} is {what}: scan a bin or a part."
            )
            if result.code.startswith("LT-") and not result.found:
                message = (
                    f"{result.code} is not a lot label on record: nothing was counted. Scan the label on "
                    "the lot itself, or type its lot number."
                )
            self.banner.error(message)
            drop_typed_ahead()  # a quantity typed after a wrong scan is not for the field it returns to
            target = (
                self.bin_edit if self._bin is None else self.lot_edit if self._tracked else self.part_edit
            )
            target.setFocus()
            target.selectAll()
            return
        self.banner.clear()
        self.qty_edit.clear()  # a quantity typed for another line never carries over
        self._focus_next()

    def _focus_next(self) -> None:
        if self._bin is None:
            target = self.bin_edit
        elif self._part is None:
            target = self.part_edit
        elif self._tracked and self._lot is None:
            target = self.lot_edit
        else:
            target = self.qty_edit
        target.setFocus()
        target.selectAll()

    @Slot()
    def _forget_bin(self) -> None:
        self._bin = None
        self.bin_label.setText("")

    @Slot()
    def _forget_part(self) -> None:
        self._part = None
        self.part_label.setText("")
        self._show_lot_row(False)

    @Slot()
    def _forget_lot(self) -> None:
        self._lot, self._new_lot = None, False
        self.lot_label.setText("")

    def _show_lot_row(self, tracked: bool) -> None:
        """The Lot row shows for a tracked part only; a new part starts with an empty lot."""
        self._tracked = tracked
        self._forget_lot()
        self.lot_edit.clear()
        self._entry.setRowVisible(self.lot_edit, tracked)
        self._entry.setRowVisible(self.lot_label, tracked)

    def _typed_lot(self) -> None:
        """Enter in Lot: the lot number (or a supplier's label) typed there is looked up for the part."""
        text, part = self.lot_edit.text().strip(), self._part
        if not text or part is None:
            self._focus_next()
            return
        if self._lot is not None:
            self.qty_edit.setFocus()
            return
        hold = router().hold()  # the quantity typed right after the lot waits for it
        self.ctx.runner.run(
            lambda: count_lots.lot_for_count(self.ctx.db, part, text),
            hold.then(self._lot_named),
            hold.failed(self._failed),
        )

    def _lot_named(self, named: NamedLot) -> None:
        if named.known is not None:
            self._lot = named.known.code
            self.lot_edit.setText(named.known.lot_number)
            self.lot_label.setText(f"✔ {named.known.label}")
            self._select_line(named.known.code)
            self.banner.clear()
        else:  # found on the shelf, not on record: the count adds it when the keeper goes on
            self._lot, self._new_lot = named.number, True
            self.lot_edit.setText(named.number)
            self.lot_label.setText("new: not on record")
            self.banner.warn(
                f"Lot {named.number} of {self._part} is not on record: type the quantity to add it as "
                f"found in {self._bin}, or correct the lot."
            )
        self.qty_edit.clear()
        self._focus_next()

    def _select_line(self, lot_code: str) -> None:
        """Select the line of this bin for the lot scanned (the counter sees which line the count goes
        to); a lot the book does not hold here has no line yet, and the count adds one."""
        lines = self._shown.lines if self._shown is not None else ()
        for row, x in enumerate(lines):
            if x.lot_code == lot_code and x.location_code == self._bin:
                self.lines.selectRow(row)
                self.lines.scrollTo(self.lines.model().index(row, 0))
                return
        self.lines.clearSelection()

    @Slot()
    def enter(self) -> None:
        if self.session_id is None:
            self.banner.error("Start or choose a count first.")
            return
        if self._bin is None or self._part is None or (self._tracked and self._lot is None):
            self.banner.error(
                "Scan the bin and the part first."
                if self._bin is None
                else "Scan the part first."
                if self._part is None
                else "Scan the lot label or type the lot first."
            )
            self._focus_next()
            return
        refusal = barcode_refusal(self.qty_edit)
        try:
            if refusal is not None:
                raise UserError(refusal, field="qty")
            qty = parse_decimal(self.qty_edit.text(), allow_zero=True)
        except UserError as exc:
            self.banner.error(exc.message)
            self.qty_edit.setFocus()
            self.qty_edit.selectAll()
            return
        sid, where, what, lot, new = self.session_id, self._bin, self._part, self._lot, self._new_lot
        change(
            self.ctx,
            lambda: counts.enter_count(self.ctx.db, self.ctx.actor, sid, where, what, qty, lot, new_lot=new),
            self._entered,
            topics=(Topic.COUNTS,),
            failed=self._failed,
        )

    def _entered(self, line: LineDTO) -> None:
        counted = line.counted_qty if line.counted_qty is not None else Decimal(0)
        what = f"{line.part_number} lot {line.lot_number}" if line.lot_number else line.part_number
        if line.status == "RECOUNT":
            self.banner.warn(
                f"{what} in {line.location_code}: out of tolerance — count it again, "
                f"by another counter than {line.counted_by} where possible."
            )
        else:
            same = " Recount by the same counter: nobody else may count." if line.same_counter else ""
            self.banner.ok(
                f"{what} in {line.location_code}: {format_qty(counted)} {line.unit} counted." + same
            )
        self._forget_part()
        self.part_edit.clear()
        self.qty_edit.clear()
        self.part_edit.setFocus()  # the same bin, next part
        self.refresh_lines()
