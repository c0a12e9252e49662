"""Import a plant's spreadsheets and export any entity: map columns, check (dry run), then commit."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import UserError
from desktop.services.io import exports, imports
from desktop.services.io.imports import ImportCancelled, Plan
from desktop.services.io.tabular import Table, read_table
from desktop.services.topics import Topic
from desktop.ui.common import cancellable_progress, fill_table, read_only_table, show_error
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.operation import change

KIND_NAMES = {
    "parts": "Parts",
    "suppliers": "Suppliers",
    "locations": "Locations",
    "stock": "Opening stock",
    "categories": "Categories (the tree parts are filed in)",
    "manufacturers": "Manufacturers",
    "supplier-parts": "Supplier part numbers and prices (Odoo vendor pricelist, SAP info records)",
    "manufacturer-parts": "Manufacturer part numbers",
    "alternates": "Alternates and superseding parts",
    "assets": "Assets (machines and their tree)",
    "where-used": "Where-used (spares of each asset)",
    "kanban": "Kanban loops",
    "purchase-orders": "Open purchase orders (from or for the ERP)",
}
# what else on screen an import changes, beyond the parts, locations and stock the settings page refreshes
# what an import changes beyond the catalogue and stock every import may touch
_CHANGES = {
    "assets": Topic.MRO,
    "where-used": Topic.MRO,
    "kanban": Topic.KANBAN,
    "purchase-orders": Topic.PURCHASING,
}
_ALWAYS = (Topic.PARTS, Topic.LOCATIONS, Topic.STOCK)
NOT_IN_FILE = "(not in the file)"


class DataDialog(QDialog):
    """Signals:
    progress(int, int): rows written so far (from the worker thread).
    imported(Plan): an import was committed.
    """

    progress = Signal(int, int)
    imported = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, kind: str = "parts") -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.table: Table | None = None
        self.plan: Plan | None = None
        self._cancel = threading.Event()
        self.setWindowTitle("Import and export")
        self.resize(900, 680)
        self.banner = FeedbackBanner()
        tabs = QTabWidget()
        tabs.addTab(self._import_tab(kind), "Import")
        tabs.addTab(self._export_tab(kind), "Export")
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(tabs)
        self.progress.connect(self._progress)

    # -- import ---------------------------------------------------------------------------------------
    def _import_tab(self, kind: str) -> QWidget:
        tab = QWidget()
        self.kind = QComboBox()
        for key, name in KIND_NAMES.items():
            self.kind.addItem(name, key)
        self.kind.setCurrentIndex(self.kind.findData(kind))
        self.path = QLineEdit()
        self.path.setReadOnly(True)
        self.choose = QPushButton("Choose file…")
        self.mapping = QTableWidget(0, 2)
        self.mapping.setHorizontalHeaderLabels(["Field", "Column in the file"])
        self.mapping.horizontalHeader().setStretchLastSection(True)
        # the field names whole ("Supplier part number *" was cut at the default width)
        self.mapping.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.mapping.verticalHeader().setVisible(False)
        self.problems = read_only_table(["Row", "Column", "Problem"], numeric=(0,), stretch=2)
        self.changes = read_only_table(["Row", "Record", "Field", "Now", "After the import"], numeric=(0,))
        self.blank_clears = QCheckBox("Empty cells clear the saved value")
        self.blank_clears.setToolTip(
            "Off: an empty cell keeps what is saved, as a column the file does not have does. "
            "On: an empty cell clears that field (notes, minimum, manufacturer…)."
        )
        self.default_location = QLineEdit()
        self.default_location.setPlaceholderText("e.g. RECV: where stock rows without a location go")
        self.default_location.setMaxLength(32)
        self.summary = QLabel("")
        self.check_button = QPushButton("Check (dry run)")
        self.import_button = QPushButton("Import")
        self.import_button.setEnabled(False)
        self.bar = QProgressBar()
        self.bar.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.hide()
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(self.choose)
        form = QFormLayout()
        form.addRow("What", self.kind)
        form.addRow("File", file_row)
        form.addRow("", self.blank_clears)
        self.default_label = QLabel("Default location")
        form.addRow(self.default_label, self.default_location)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.bar)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.check_button)
        buttons.addWidget(self.import_button)
        order = QLabel(
            "Starting a plant? Import in this order, as each refers to the ones before: locations, "
            "suppliers, manufacturers, categories, parts, supplier and manufacturer part numbers, "
            "alternates, opening stock, assets, where-used, kanban loops. A column the file does not "
            "have leaves that field as it is."
        )
        order.setWordWrap(True)
        layout = QVBoxLayout(tab)
        layout.addLayout(form)
        layout.addWidget(order)
        layout.addWidget(QLabel("Columns (matched by their headers; change any that is wrong)"))
        layout.addWidget(self.mapping, 2)
        results = QTabWidget()
        results.addTab(self.problems, "Problems found by the check")
        results.addTab(self.changes, "What will change")
        self.results = results
        layout.addWidget(results, 3)
        layout.addLayout(buttons)
        self.kind.currentIndexChanged.connect(self._remap)
        self.blank_clears.toggled.connect(self._mapping_changed)
        self.default_location.textChanged.connect(self._mapping_changed)
        self.choose.clicked.connect(self._choose)
        self.check_button.clicked.connect(self.check)
        self.import_button.clicked.connect(self.run_import)
        self.cancel_button.clicked.connect(self._cancel.set)
        return tab

    def current_kind(self) -> str:
        return str(self.kind.currentData())

    @Slot()
    def _choose(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Import file", "", "Spreadsheets (*.csv *.txt *.xlsx)")
        if name:
            self.load(Path(name))

    def load(self, path: Path) -> None:
        try:
            self.table = read_table(path)
        except UserError as exc:
            self.banner.error(exc.message)
            return
        self.path.setText(str(path))
        described = (
            "XLSX workbook"
            if self.table.encoding == "xlsx"
            else (
                f"{self.table.encoding} text, '{self.table.delimiter}' separated"
                + (", decimal comma" if self.table.decimal_comma else "")
            )
        )
        self.banner.ok(f"{path.name}: {len(self.table.rows):,} rows ({described}).")
        self._remap()

    @Slot()
    def _remap(self) -> None:
        self.plan = None
        self.import_button.setEnabled(False)
        stock = self.current_kind() == "stock"
        self.default_label.setVisible(stock)
        self.default_location.setVisible(stock)
        columns = imports.KINDS[self.current_kind()]
        headers = list(self.table.headers) if self.table else []
        auto = imports.auto_map(self.current_kind(), headers) if self.table else {}
        self.mapping.setRowCount(len(columns))
        self.combos: dict[str, QComboBox] = {}
        for row, col in enumerate(columns):
            label = QLabel(col.label + (" *" if col.required else ""))
            combo = QComboBox()
            combo.addItem(NOT_IN_FILE, None)
            for i, h in enumerate(headers):
                combo.addItem(h or f"(column {i + 1})", i)
            index = auto.get(col.key)
            combo.setCurrentIndex(0 if index is None else index + 1)
            combo.currentIndexChanged.connect(self._mapping_changed)
            self.mapping.setCellWidget(row, 0, label)
            self.mapping.setCellWidget(row, 1, combo)
            self.combos[col.key] = combo

    @Slot()
    def _mapping_changed(self) -> None:
        self.plan = None
        self.import_button.setEnabled(False)  # a changed mapping must be checked again

    def current_mapping(self) -> dict[str, int | None]:
        return {key: combo.currentData() for key, combo in self.combos.items()}

    def current_options(self) -> imports.Options:
        default = self.default_location.text().strip() if self.current_kind() == "stock" else ""
        return imports.Options(blank_clears=self.blank_clears.isChecked(), default_location=default or None)

    @Slot()
    def check(self) -> None:
        if self.table is None:
            self.banner.error("Choose a file first.")
            return
        kind, table, mapping, options = (
            self.current_kind(),
            self.table,
            self.current_mapping(),
            self.current_options(),
        )
        self.ctx.runner.run(
            lambda: imports.check(self.ctx.db, self.ctx.actor, kind, table, mapping, options),
            self._checked,
            self._failed,
        )

    def _checked(self, plan: Plan) -> None:
        self.plan = plan
        fill_table(self.problems, [(p.row, p.column, p.message) for p in plan.problems[:5000]])
        fill_table(self.changes, [(c.row, c.record, c.field, c.old, c.new) for c in plan.changes[:5000]])
        self.results.setTabText(1, f"What will change ({plan.change_count:,} fields)")
        self.results.setCurrentIndex(0 if plan.problems or not plan.changes else 1)
        self.summary.setText(plan.summary() + "".join(f"; {n}" for n in plan.notes))
        self.import_button.setEnabled(plan.ok)
        if plan.location_offer and not self.default_location.text().strip():
            self.default_location.setText(plan.location_offer)  # offered: a second check uses it
            self.banner.warn(
                f"Some rows have no location: {plan.location_offer} (receiving) is filled in as their "
                "default location. Check again to use it, or type another."
            )
            return
        if plan.ok:
            self.banner.ok("No problems: press Import to save it all.")
        else:
            self.banner.error(
                f"{len(plan.problems):,} problem(s): correct the file (or the mapping) and check "
                "again. Nothing has been saved."
            )

    @Slot()
    def run_import(self) -> None:
        if self.plan is None or not self.plan.ok or self.table is None:
            return
        kind, table, mapping, options = (
            self.current_kind(),
            self.table,
            self.current_mapping(),
            self.current_options(),
        )
        source = Path(self.path.text()).name or "import"
        report = cancellable_progress(self.progress, self._cancel)
        self._busy(True)
        extra = (_CHANGES[kind],) if kind in _CHANGES else ()
        change(
            self.ctx,
            lambda: imports.run(
                self.ctx.db, self.ctx.actor, kind, table, mapping, options, source=source, progress=report
            ),
            self._imported,
            topics=(*_ALWAYS, *extra),
            failed=self._failed,
        )

    def _imported(self, plan: Plan) -> None:
        self._busy(False)
        self.import_button.setEnabled(False)
        self.banner.ok(f"Imported: {plan.summary()}.")
        self.imported.emit(plan)

    def _failed(self, exc: BaseException) -> None:
        self._busy(False)
        if isinstance(exc, ImportCancelled):
            self.banner.warn(exc.message)
        elif isinstance(exc, UserError):
            self.banner.error(exc.message)
        else:
            show_error(self, exc)

    def _busy(self, busy: bool) -> None:
        self.bar.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.check_button.setEnabled(not busy)
        self.import_button.setEnabled(not busy and self.plan is not None and self.plan.ok)

    @Slot(int, int)
    def _progress(self, done: int, total: int) -> None:
        self.bar.setMaximum(total)
        self.bar.setValue(done)

    # -- export ---------------------------------------------------------------------------------------
    def _export_tab(self, kind: str) -> QWidget:
        tab = QWidget()
        self.export_kind = QComboBox()
        for key, name in KIND_NAMES.items():
            self.export_kind.addItem(name if key != "stock" else "Stock on hand", key)
        self.export_kind.setCurrentIndex(self.export_kind.findData(kind))
        self.export_csv = QPushButton("Export CSV…")
        self.export_xlsx = QPushButton("Export XLSX…")
        row = QHBoxLayout()
        row.addWidget(self.export_kind, 1)
        row.addWidget(self.export_csv)
        row.addWidget(self.export_xlsx)
        layout = QVBoxLayout(tab)
        layout.addWidget(
            QLabel(
                "Exports use the importer's column names, so a file can be edited in a "
                "spreadsheet and imported back."
            )
        )
        layout.addLayout(row)
        layout.addStretch(1)
        self.export_csv.clicked.connect(lambda: self._ask_export(".csv"))
        self.export_xlsx.clicked.connect(lambda: self._ask_export(".xlsx"))
        return tab

    def _ask_export(self, suffix: str) -> None:
        kind = str(self.export_kind.currentData())
        name, _ = QFileDialog.getSaveFileName(self, "Export", f"{kind}{suffix}", f"*{suffix}")
        if name:
            self.export_to(kind, Path(name))

    def export_to(self, kind: str, path: Path) -> None:
        self.ctx.runner.run(
            lambda: exports.export(self.ctx.db, self.ctx.actor, kind, path),
            lambda count: self.banner.ok(f"Exported {count:,} rows to {path.name}."),
            self._failed,
        )
