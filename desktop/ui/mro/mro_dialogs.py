"""Reserve a spare for a work order, and issue against a reservation: scanner first, big feedback.

On an error nothing is cleared: the banner says what is wrong and the cursor goes to that field.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import NotFound, UserError
from desktop.models.enums import AssetLevel
from desktop.quantities import format_qty, parse_decimal
from desktop.services import mro
from desktop.services.catalogue import locations, scan
from desktop.services.mro import AssetDTO, AssetInput, IssueResult, ReservationDTO, ReservationInput
from desktop.services.topics import Topic
from desktop.ui.common import action_row, big_field, show_error
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.operation import change
from desktop.ui.stock.qty_input import barcode_refusal, mark_quantity


def parse_day(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"'{text}' is not a date: type it as 2026-12-31.", field="needed_by") from None


class _ScanDialog(QDialog):
    """Shared frame: a title, the banner, a form, an action button bound to Enter, Close."""

    def __init__(self, ctx: AppContext, title: str, action: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        self.banner = FeedbackBanner()
        self.form = QFormLayout()
        buttons, self.action_button, self.close_button = action_row(action)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<h2>{title}</h2>"))
        layout.addWidget(self.banner)
        layout.addLayout(self.form)
        layout.addLayout(buttons)
        self.fields: dict[str, QLineEdit] = {}
        # prefix -> the field a scan of that kind fills, wherever the cursor is (empty: scans are text)
        self.scan_fields: dict[str, QLineEdit] = {}
        self.qty_edit: QLineEdit | None = None
        self.close_button.clicked.connect(self.reject)

    def handle_scan(self, code: str) -> bool:
        if not self.scan_fields:
            return False
        field = next((f for prefix, f in self.scan_fields.items() if code.startswith(prefix)), None)
        if field is None:
            wanted = " or ".join(f"{p}…" for p in self.scan_fields)
            self.banner.error(f"{code} does not belong here: scan {wanted}.")
            return True
        field.setText(code)
        self.banner.clear()
        nxt = self.qty_edit if self.qty_edit is not None and field is not self.qty_edit else field
        nxt.setFocus()
        nxt.selectAll()
        return True

    def checked_qty(self) -> Decimal:
        """The quantity typed, refused when a barcode landed in the field instead."""
        assert self.qty_edit is not None
        refusal = barcode_refusal(self.qty_edit)
        if refusal is not None:
            raise UserError(refusal, field="qty")
        return parse_decimal(self.qty_edit.text(), what="qty")

    def failed(self, exc: BaseException) -> None:
        if not isinstance(exc, UserError):
            show_error(self, exc)
            return
        self.banner.error(exc.message)
        edit = self.fields.get(exc.field or "") or next(iter(self.fields.values()))
        edit.setFocus()
        edit.selectAll()


class ReserveDialog(_ScanDialog):
    """Signals:
    reserved(ReservationDTO): a reservation was saved.
    """

    reserved = Signal(object)

    def __init__(
        self, ctx: AppContext, asset: AssetDTO | None, part_number: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, "Reserve a spare", "Reserve", parent)
        self.asset = asset
        self.part_edit = big_field("scan the part label (P-…) or type the part number")
        self.part_edit.setText(part_number)
        self.qty_edit = mark_quantity(big_field("e.g. 2"))
        self.scan_fields = {"P-": self.part_edit}
        self.wo_edit = big_field("work order number")
        self.needed_edit = QLineEdit()
        self.needed_edit.setPlaceholderText("YYYY-MM-DD (optional)")
        self.form.addRow("For asset", QLabel(f"{asset.code} — {asset.name}" if asset else "(none)"))
        self.form.addRow("Part", self.part_edit)
        self.form.addRow("Quantity", self.qty_edit)
        self.form.addRow("Work order", self.wo_edit)
        self.form.addRow("Needed by", self.needed_edit)
        self.fields = {
            "part": self.part_edit,
            "qty": self.qty_edit,
            "work_order": self.wo_edit,
            "needed_by": self.needed_edit,
        }
        for edit in self.fields.values():
            edit.returnPressed.connect(self.submit)
        self.action_button.clicked.connect(self.submit)
        (self.qty_edit if part_number else self.part_edit).setFocus()

    @Slot()
    def submit(self) -> None:
        try:
            qty = self.checked_qty()
            needed = parse_day(self.needed_edit.text())
        except UserError as exc:
            self.failed(exc)
            return
        code, wo = self.part_edit.text(), self.wo_edit.text()
        asset_id = self.asset.id if self.asset else None
        db, actor = self.ctx.db, self.ctx.actor

        def work() -> ReservationDTO:
            found = scan.resolve(db, code)
            if found.part is None:
                raise NotFound(found.message or f"{found.code} is not a part.", field="part")
            return mro.reserve(db, actor, ReservationInput(found.part.id, qty, wo, asset_id, needed))

        change(self.ctx, work, self._done, topics=(Topic.STOCK, Topic.MRO), failed=self.failed)

    def _done(self, r: ReservationDTO) -> None:
        self.banner.ok(f"Reserved {format_qty(r.qty)} {r.unit} of {r.part_number} for {r.work_order}.")
        self.reserved.emit(r)
        self.fields["qty"].clear()
        self.part_edit.setFocus()
        self.part_edit.selectAll()


class IssueReservedDialog(_ScanDialog):
    """Signals:
    issued(IssueResult): the reserved parts left the bin for the work order.
    """

    issued = Signal(object)

    def __init__(self, ctx: AppContext, reservation: ReservationDTO, parent: QWidget | None = None) -> None:
        super().__init__(ctx, f"Issue for {reservation.work_order}", "Issue", parent)
        self.reservation = reservation
        self.bin_edit = big_field("scan the bin label (L-…) the parts come from")
        self.qty_edit = mark_quantity(big_field(""))
        # a tracked part's lot: its LT- label, or typed; empty, the issue takes the first to expire
        self.lot_edit = big_field("lot-tracked parts: scan the lot (LT-…); empty: the first to expire")
        self.scan_fields = {"L-": self.bin_edit, "LT-": self.lot_edit}
        self.qty_edit.setText(format_qty(reservation.open_qty))
        self.form.addRow(
            "Reserved",
            QLabel(
                f"{format_qty(reservation.open_qty)} {reservation.unit} of {reservation.part_number}"
                + (f" for {reservation.asset_code}" if reservation.asset_code else "")
            ),
        )
        self.form.addRow("From bin", self.bin_edit)
        self.form.addRow("Lot", self.lot_edit)
        self.form.addRow("Quantity", self.qty_edit)
        self.fields = {"from_location": self.bin_edit, "qty": self.qty_edit, "lot": self.lot_edit}
        self.bin_edit.returnPressed.connect(self.qty_edit.setFocus)
        self.lot_edit.returnPressed.connect(self.qty_edit.setFocus)
        self.qty_edit.returnPressed.connect(self.submit)
        self.action_button.clicked.connect(self.submit)
        self.bin_edit.setFocus()

    @Slot()
    def submit(self) -> None:
        try:
            qty: Decimal = self.checked_qty()
        except UserError as exc:
            self.failed(exc)
            return
        code, rid, lot = self.bin_edit.text(), self.reservation.id, self.lot_edit.text()
        db, actor = self.ctx.db, self.ctx.actor

        def work() -> IssueResult:
            found = scan.resolve(db, code)
            if found.location is None:
                raise NotFound(found.message or f"{found.code} is not a location.", field="from_location")
            return mro.issue_reserved(db, actor, rid, found.location.location.id, qty, lot=lot)

        change(self.ctx, work, self._done, topics=(Topic.STOCK, Topic.MRO), failed=self.failed)

    def _done(self, result: IssueResult) -> None:
        self.banner.ok(result.posted.move.summary() + f" for {self.reservation.work_order}")
        self.issued.emit(result)
        self.action_button.setEnabled(result.reservation is not None and result.reservation.status == "OPEN")


class AssetDialog(_ScanDialog):
    """A new asset, inside the one picked in the tree; or, given `editing`, that asset corrected, moved
    (another parent's tag) or retired. The code stays: it is on the printed tag.

    Signals:
    saved(AssetDTO): the asset was saved.
    """

    saved = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        inside: AssetDTO | None,
        parent: QWidget | None = None,
        *,
        editing: AssetDTO | None = None,
        inside_code: str = "",
    ) -> None:
        super().__init__(ctx, "Edit asset" if editing else "New asset", "Save", parent)
        self.inside = inside
        self.editing = editing
        self.code_edit = big_field("tag code: letters, digits, '-' (printed as A-…)")
        self.name_edit = QLineEdit()
        self.level = QComboBox()
        self.level.addItems([level.value for level in AssetLevel])
        if inside is not None:  # one level below the parent, which is what is usually added
            self.level.setCurrentIndex(min(AssetLevel(inside.level).depth + 1, len(AssetLevel) - 1))
        self.criticality = QComboBox()
        self.criticality.addItems(["", "LOW", "MEDIUM", "HIGH", "CRITICAL"])
        self.location_edit = QLineEdit()
        self.location_edit.setPlaceholderText("location code where it stands (optional)")
        self.notes_edit = QLineEdit()
        self.parent_edit = QLineEdit(inside_code)
        self.parent_edit.setPlaceholderText("tag of the asset it sits in (empty: top level)")
        self.retire = QCheckBox("Retire this asset (it leaves the tree; its history stays)")
        if editing is None:
            self.form.addRow("Inside", QLabel(f"{inside.code} — {inside.name}" if inside else "(top level)"))
        else:
            self.form.addRow("Inside", self.parent_edit)
        self.form.addRow("Code", self.code_edit)
        self.form.addRow("Name", self.name_edit)
        self.form.addRow("Level", self.level)
        self.form.addRow("Criticality", self.criticality)
        self.form.addRow("Location", self.location_edit)
        self.form.addRow("Notes", self.notes_edit)
        if editing is not None:
            self.form.addRow("", self.retire)
            self.code_edit.setText(editing.code)
            self.code_edit.setReadOnly(True)
            self.name_edit.setText(editing.name)
            self.level.setCurrentText(editing.level)
            self.criticality.setCurrentText(editing.criticality or "")
            self.location_edit.setText(editing.location_code or "")
            self.notes_edit.setText(editing.notes or "")
        self.fields = {
            "code": self.code_edit,
            "name": self.name_edit,
            "parent": self.parent_edit,
            "asset": self.parent_edit,
            "location": self.location_edit,
            "notes": self.notes_edit,
        }
        for edit in self.fields.values():
            edit.returnPressed.connect(self.submit)
        self.action_button.clicked.connect(self.submit)
        (self.name_edit if editing else self.code_edit).setFocus()

    @Slot()
    def submit(self) -> None:
        data = AssetInput(
            self.code_edit.text(),
            self.name_edit.text(),
            self.level.currentText(),
            self.inside.id if self.inside else None,
            self.criticality.currentText() or None,
            None,
            self.notes_edit.text(),
        )
        loc_code, db, actor = self.location_edit.text().strip(), self.ctx.db, self.ctx.actor
        editing, parent_code, active = (
            self.editing,
            self.parent_edit.text().strip(),
            not self.retire.isChecked(),
        )

        def work() -> AssetDTO:
            loc = locations.get_location_id(db, loc_code) if loc_code else None
            if editing is None:
                return mro.create_asset(db, actor, replace(data, location_id=loc))
            parent_id = mro.get_asset(db, parent_code).id if parent_code else None
            placed = replace(data, parent_id=parent_id, location_id=loc)
            return mro.update_asset(db, actor, editing.id, placed, active=active)

        change(self.ctx, work, self._done, topics=(Topic.MRO,), failed=self.failed)

    def _done(self, asset: AssetDTO) -> None:
        self.saved.emit(asset)
        self.accept()
