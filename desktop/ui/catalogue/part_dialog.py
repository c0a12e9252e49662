"""Create or edit a part with its suppliers: each mistake is named at its field, nothing typed is lost."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import UserError
from desktop.models.enums import PartCategory
from desktop.quantities import format_qty, parse_decimal
from desktop.services import lots
from desktop.services.catalogue import categories, parts, units
from desktop.services.catalogue.parts import PartDTO, PartInput
from desktop.services.catalogue.suppliers import PartSupplierInput
from desktop.services.catalogue.units import UNITS
from desktop.services.topics import Topic
from desktop.ui.common import show_failure
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.operation import change

CRITICALITY = ["", "LOW", "MEDIUM", "HIGH", "CRITICAL"]
# (value, shown): typing the first letter picks one, as in any combo box
TRACKING = [
    ("NONE", "NONE — no lots"),
    ("LOT", "LOT — lot or batch numbers"),
    ("SERIAL", "SERIAL — one per unit"),
]
_SUPPLIER_HEADERS = ["Supplier", "Supplier part no.", "Price", "Pack qty", "Lead time (days)"]


def _optional_decimal(text: str, what: str) -> Decimal | None:
    if not text.strip():
        return None
    return parse_decimal(text, what=what, allow_zero=True)


def _optional_int(text: str, what: str) -> int | None:
    if not text.strip():
        return None
    value = parse_decimal(text, what=what, allow_zero=True)
    if value != value.to_integral_value():
        raise UserError(f"The {what} is a whole number of days.", field=what)
    return int(value)


def _cell_text(item: QTableWidgetItem | None) -> str:
    return item.text().strip() if item is not None else ""


class PartDialog(QDialog):
    """Signals:
    saved(PartDTO): the part was created or updated.
    """

    saved = Signal(object)

    def __init__(self, ctx: AppContext, part: PartDTO | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.part = part
        self.setWindowTitle(f"Edit part {part.part_number}" if part else "New part")
        self.setMinimumWidth(760)
        self._build()
        if part is not None:
            self._load(part)
        self._connect_signals()
        ctx.runner.run(lambda: (units.list_units(ctx.db), categories.list_categories(ctx.db)), self._choices)

    def _choices(self, loaded: tuple[units.Units, list[categories.CategoryDTO]]) -> None:
        """The units an admin added and the category tree, added to the pickers (typed text is kept)."""
        known, tree = loaded
        for code, (name, _whole) in known.units.items():
            if self.unit.findData(code) < 0:
                self.unit.addItem(f"{code} — {name}", code)
        if self.part is not None:
            self.unit.setCurrentIndex(max(0, self.unit.findData(self.part.unit)))
        typed = self.group.currentText()
        self.group.addItems([node.path for node in tree if self.group.findText(node.path) < 0])
        self.group.setEditText(typed)

    def _build(self) -> None:
        self.banner = FeedbackBanner()
        self.number = QLineEdit()
        self.description = QLineEdit()
        self.category = QComboBox()  # the inventory type
        self.category.addItems([c.value for c in PartCategory])
        self.group = QComboBox()  # the category tree: pick one, or type a new path
        self.group.setEditable(True)
        self.group.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.group.setToolTip("Pick a category, or type a new path such as Fasteners > Bolts > Hex")
        self.unit = QComboBox()
        for code, (name, _whole) in UNITS.items():
            self.unit.addItem(f"{code} — {name}", code)
        self.unit_cost = QLineEdit("0")
        self.min_qty, self.max_qty = QLineEdit(), QLineEdit()
        self.reorder_point, self.safety_stock = QLineEdit(), QLineEdit()
        self.lead_time = QLineEdit()
        self.manufacturer, self.mpn = QLineEdit(), QLineEdit()
        self.criticality = QComboBox()
        self.criticality.addItems(CRITICALITY)
        self.tracking = QComboBox()
        for value, shown in TRACKING:
            self.tracking.addItem(shown, value)
        self.shelf_life = QLineEdit()
        self.shelf_life.setPlaceholderText("days; empty: no expiry")
        self.expiry_warning = QLineEdit()
        self.expiry_warning.setPlaceholderText("days before expiry")
        self.active = QCheckBox("Active (can be received and ordered)")
        self.active.setChecked(True)
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(60)
        self.fields: dict[str, QWidget] = {
            "part_number": self.number,
            "description": self.description,
            "category": self.category,
            "category_path": self.group,
            "unit": self.unit,
            "unit_cost": self.unit_cost,
            "min_qty": self.min_qty,
            "max_qty": self.max_qty,
            "reorder_point": self.reorder_point,
            "safety_stock": self.safety_stock,
            "lead_time_days": self.lead_time,
            "manufacturer": self.manufacturer,
            "manufacturer_part_number": self.mpn,
            "tracking": self.tracking,
            "shelf_life_days": self.shelf_life,
            "expiry_warning_days": self.expiry_warning,
            "suppliers": QWidget(),
        }
        left = QFormLayout()
        left.addRow("Part number *", self.number)
        left.addRow("Description *", self.description)
        left.addRow("Inventory type", self.category)
        left.addRow("Category", self.group)
        left.addRow("Unit", self.unit)
        left.addRow("Unit cost", self.unit_cost)
        left.addRow("Manufacturer", self.manufacturer)
        left.addRow("Manufacturer part no.", self.mpn)
        right = QFormLayout()
        right.addRow("Minimum", self.min_qty)
        right.addRow("Maximum", self.max_qty)
        right.addRow("Reorder point", self.reorder_point)
        right.addRow("Safety stock", self.safety_stock)
        right.addRow("Lead time (days)", self.lead_time)
        right.addRow("Criticality (MRO)", self.criticality)
        right.addRow("Tracking", self.tracking)
        right.addRow("Shelf life (days)", self.shelf_life)
        right.addRow("Expiry warning (days)", self.expiry_warning)
        right.addRow("", self.active)
        grid = QGridLayout()
        grid.addLayout(left, 0, 0)
        grid.addLayout(right, 0, 1)
        self.suppliers = QTableWidget(0, len(_SUPPLIER_HEADERS))
        self.suppliers.setHorizontalHeaderLabels(_SUPPLIER_HEADERS)
        self.suppliers.horizontalHeader().setStretchLastSection(True)
        self.suppliers.setColumnWidth(0, 200)
        self.suppliers.setColumnWidth(1, 140)
        self.suppliers.setFixedHeight(130)
        self.fields["suppliers"] = self.suppliers
        self.add_supplier = QPushButton("Add supplier")
        self.remove_supplier = QPushButton("Remove supplier")
        sup_buttons = QHBoxLayout()
        sup_buttons.addWidget(
            QLabel("Suppliers (the first is the default; a new name adds a supplier; one row per part no.)"),
            1,
        )
        sup_buttons.addWidget(self.add_supplier)
        sup_buttons.addWidget(self.remove_supplier)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(grid)
        layout.addLayout(sup_buttons)
        layout.addWidget(self.suppliers)
        layout.addWidget(QLabel("Notes"))
        layout.addWidget(self.notes)
        layout.addWidget(self.buttons)

    def _connect_signals(self) -> None:
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.add_supplier.clicked.connect(lambda: self._add_supplier_row(()))
        self.remove_supplier.clicked.connect(self._remove_supplier_row)

    def _add_supplier_row(self, values: tuple[str, ...]) -> None:
        row = self.suppliers.rowCount()
        self.suppliers.insertRow(row)
        for col in range(len(_SUPPLIER_HEADERS)):
            self.suppliers.setItem(row, col, QTableWidgetItem(values[col] if col < len(values) else ""))
        if not values:
            self.suppliers.setCurrentCell(row, 0)
            self.suppliers.editItem(self.suppliers.item(row, 0))  # type: ignore[arg-type]  # set just above

    @Slot()
    def _remove_supplier_row(self) -> None:
        row = self.suppliers.currentRow()
        if row >= 0:
            self.suppliers.removeRow(row)

    def _load(self, p: PartDTO) -> None:
        def q(v: Decimal | None) -> str:
            return "" if v is None else format_qty(v)

        self.number.setText(p.part_number)
        self.description.setText(p.description)
        self.category.setCurrentText(p.category)
        self.group.setEditText(p.category_path or "")
        self.unit.setCurrentIndex(max(0, self.unit.findData(p.unit)))
        self.unit_cost.setText(q(p.unit_cost))
        self.min_qty.setText(q(p.min_qty))
        self.max_qty.setText(q(p.max_qty))
        self.reorder_point.setText(q(p.reorder_point))
        self.safety_stock.setText(q(p.safety_stock))
        self.lead_time.setText("" if p.lead_time_days is None else str(p.lead_time_days))
        self.manufacturer.setText(p.manufacturer or "")
        self.mpn.setText(p.manufacturer_part_number or "")
        self.criticality.setCurrentText(p.criticality or "")
        self.active.setChecked(p.active)
        self.tracking.setCurrentIndex(max(0, self.tracking.findData(p.tracking)))
        self.shelf_life.setText("" if p.shelf_life_days is None else str(p.shelf_life_days))
        self.expiry_warning.setText("" if p.expiry_warning_days is None else str(p.expiry_warning_days))
        self.notes.setPlainText(p.notes or "")
        for s in p.suppliers:
            self._add_supplier_row(
                (
                    s.supplier_name,
                    s.supplier_part_number or "",
                    q(s.price),
                    q(s.pack_qty),
                    "" if s.lead_time_days is None else str(s.lead_time_days),
                )
            )

    def _supplier_rows(self) -> tuple[PartSupplierInput, ...]:
        rows = []
        for r in range(self.suppliers.rowCount()):
            cells = [_cell_text(self.suppliers.item(r, c)) for c in range(len(_SUPPLIER_HEADERS))]
            if not any(cells):
                continue
            if not cells[0]:
                raise UserError(f"Supplier row {r + 1} has no supplier name.", field="suppliers")
            try:
                rows.append(
                    PartSupplierInput(
                        cells[0],
                        cells[1] or None,
                        _optional_decimal(cells[2], "price"),
                        _optional_decimal(cells[3], "pack qty"),
                        _optional_int(cells[4], "lead time"),
                    )
                )
            except UserError as exc:
                raise UserError(f"Supplier row {r + 1}: {exc.message}", field="suppliers") from exc
        return tuple(rows)

    def form_input(self) -> PartInput:
        """The typed values, parsed; raises UserError naming the field that is wrong."""

        def dec(edit: QLineEdit, field: str) -> Decimal | None:
            try:
                return _optional_decimal(edit.text(), field.replace("_", " "))
            except UserError as exc:
                raise UserError(exc.message, field=field) from exc

        try:
            lead = _optional_int(self.lead_time.text(), "lead time")
        except UserError as exc:
            raise UserError(exc.message, field="lead_time_days") from exc
        return PartInput(
            part_number=self.number.text(),
            description=self.description.text(),
            category=self.category.currentText(),
            unit=str(self.unit.currentData()),
            unit_cost=dec(self.unit_cost, "unit_cost") or Decimal(0),
            min_qty=dec(self.min_qty, "min_qty"),
            max_qty=dec(self.max_qty, "max_qty"),
            reorder_point=dec(self.reorder_point, "reorder_point"),
            safety_stock=dec(self.safety_stock, "safety_stock"),
            lead_time_days=lead,
            manufacturer=self.manufacturer.text(),
            manufacturer_part_number=self.mpn.text(),
            criticality=self.criticality.currentText() or None,
            notes=self.notes.toPlainText(),
            active=self.active.isChecked(),
            suppliers=self._supplier_rows(),
            category_path=self.group.currentText(),
        )

    def tracking_input(self) -> lots.TrackingInput:
        days = {}
        for field, edit, what in (
            ("shelf_life_days", self.shelf_life, "shelf life"),
            ("expiry_warning_days", self.expiry_warning, "expiry warning"),
        ):
            try:
                days[field] = _optional_int(edit.text(), what)
            except UserError as exc:
                raise UserError(exc.message, field=field) from exc
        return lots.check_tracking(lots.TrackingInput(str(self.tracking.currentData()), **days))

    @Slot()
    def save(self) -> None:
        try:
            data = self.form_input()
            tracking = self.tracking_input()
        except UserError as exc:
            self._failed(exc)
            return
        before = self.part
        part_id = before.id if before else None
        changed = before is None or (before.tracking, before.shelf_life_days, before.expiry_warning_days) != (
            tracking.tracking,
            tracking.shelf_life_days,
            tracking.expiry_warning_days,
        )

        def op() -> PartDTO:
            db, actor = self.ctx.db, self.ctx.actor
            # a change of tracking first: refused while the part has stock, and then nothing is saved
            if part_id is not None and changed:
                lots.set_tracking(db, actor, part_id, tracking)
            saved = (
                parts.create_part(db, actor, data)
                if part_id is None
                else parts.update_part(db, actor, part_id, data)
            )
            if part_id is None and tracking != lots.TrackingInput():
                lots.set_tracking(db, actor, saved.id, tracking)  # a new part: no stock yet
            return replace(
                saved,
                tracking=tracking.tracking,
                shelf_life_days=tracking.shelf_life_days,
                expiry_warning_days=tracking.expiry_warning_days,
            )

        change(self.ctx, op, self._saved, topics=(Topic.PARTS,), failed=self._failed)

    def _saved(self, part: PartDTO) -> None:
        self.part = part
        self.saved.emit(part)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        show_failure(self, self.banner, self.fields, exc)
