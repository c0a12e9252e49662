"""Reports: the report catalogue (PDF / XLSX / CSV) and what to order now (replenishment suggestions,
grouped by supplier)."""

from __future__ import annotations

import threading
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import UserError
from desktop.quantities import format_money, format_qty, money
from desktop.reports.labels import RenderCancelled
from desktop.reports.table_report import ReportTable
from desktop.services import purchasing
from desktop.services.actor import Permission
from desktop.services.admin import plant_settings
from desktop.services.insight import replenishment as rp
from desktop.services.insight import report_data as rd
from desktop.services.io.tabular import write_csv, write_xlsx
from desktop.services.topics import Topic
from desktop.ui.common import cancellable_progress, fill_table, permitted, read_only_table, show_error
from desktop.ui.context import AppContext
from desktop.ui.flow_layout import FlowLayout, labelled
from desktop.ui.insight.report_view import ReportView
from desktop.ui.operation import change
from desktop.ui.scanner import takes_scans


class ReplenishmentTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.items: list[rp.Suggestion] = []
        self._note = ""  # what the last action did, said with the next list
        self._settings_loaded = False
        self.window_days = QSpinBox()
        self.window_days.setRange(7, 3650)
        self.window_days.setValue(90)
        self.window_days.setSuffix(" days")
        self.method = QComboBox()
        self.method.addItem("Moving average", "moving_average")
        self.method.addItem("Exponential smoothing", "smoothing")
        self.alpha = QDoubleSpinBox()
        self.alpha.setRange(0.01, 1)
        self.alpha.setDecimals(2)
        self.alpha.setSingleStep(0.05)
        self.alpha.setValue(0.2)
        self.service = QDoubleSpinBox()
        self.service.setRange(50, 99.9)
        self.service.setValue(95)
        self.service.setSuffix(" %")
        self.order_cost = QDoubleSpinBox()
        self.order_cost.setRange(0, 100000)
        self.order_cost.setValue(50)
        self.carrying = QDoubleSpinBox()
        self.carrying.setRange(1, 100)
        self.carrying.setValue(25)
        self.carrying.setSuffix(" %/year")
        self.compute = QPushButton("Compute")
        self.export_csv = QPushButton("Export CSV…")
        self.export_xlsx = QPushButton("Export XLSX…")
        self.order_po = QPushButton("Create purchase orders for the selected lines")
        permitted(self.order_po, ctx.actor.can(Permission.PURCHASE))
        self.summary = QLabel("")
        self.table = read_only_table(
            [
                "Supplier",
                "Supplier part no.",
                "Part number",
                "Description",
                "On hand",
                "On order",
                "Reserved",
                "Position",
                "Reorder point",
                "Safety stock",
                "EOQ",
                "Order qty",
                "Unit",
                "Value",
                "Reason",
            ],
            numeric=(4, 5, 6, 7, 8, 9, 10, 11, 13),
            stretch=3,
        )
        # several lines (Ctrl / Shift + click, Ctrl+A) go on purchase orders at once
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        params = FlowLayout()
        for label, widget in (
            ("Demand over", self.window_days),
            ("by", self.method),
            ("alpha", self.alpha),
            ("Service level", self.service),
            ("Cost per order", self.order_cost),
            ("Carrying cost", self.carrying),
        ):
            params.addWidget(labelled(label, widget))
        params.addWidget(self.compute)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.order_po)
        bottom.addWidget(self.export_csv)
        bottom.addWidget(self.export_xlsx)
        layout = QVBoxLayout(self)
        layout.addLayout(params)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self.compute.clicked.connect(self.refresh)
        self.order_po.clicked.connect(self.order_selected)
        self.export_csv.clicked.connect(lambda: self._ask_export(".csv"))
        self.export_xlsx.clicked.connect(lambda: self._ask_export(".xlsx"))

    def policy(self) -> rp.Policy:
        return rp.Policy(
            window_days=self.window_days.value(),
            method=str(self.method.currentData()),
            alpha=self.alpha.value(),
            service_level=self.service.value() / 100,
            order_cost=Decimal(str(self.order_cost.value())),
            carrying_rate=Decimal(str(self.carrying.value())) / 100,
        )

    def _start_from_settings(self, plan: plant_settings.Planning) -> None:
        """Start from the plant's planning figures (Settings); changes here are for this run only."""
        self.window_days.setValue(plan.demand_window_days)
        self.service.setValue(float(plan.service_level * 100))
        self.order_cost.setValue(float(plan.order_cost))
        self.carrying.setValue(float(plan.carrying_rate * 100))
        self.alpha.setValue(float(plan.smoothing_alpha))
        self._settings_loaded = True
        self.refresh()

    def reset_figures(self) -> None:
        """The plant's planning figures changed: the next refresh starts from them again (what was
        changed here for one run is dropped)."""
        self._settings_loaded = False

    @Slot()
    def refresh(self) -> None:
        if not self._settings_loaded:
            self.ctx.runner.run(
                lambda: plant_settings.planning(self.ctx.db),
                self._start_from_settings,
                lambda exc: show_error(self, exc),
            )
            return
        policy = self.policy()
        self.ctx.runner.run(
            lambda: rp.suggestions(self.ctx.db, self.ctx.actor, policy),
            self._loaded,
            lambda exc: show_error(self, exc),
        )

    def _loaded(self, items: list[rp.Suggestion]) -> None:
        self.items = items
        fill_table(
            self.table,
            [
                (
                    x.supplier,
                    x.supplier_part_number or "",
                    x.part_number,
                    x.description,
                    format_qty(x.on_hand),
                    format_qty(x.on_order),
                    format_qty(x.reserved),
                    format_qty(x.position),
                    format_qty(x.reorder_point),
                    format_qty(x.safety_stock),
                    format_qty(x.eoq),
                    format_qty(x.order_qty),
                    x.unit,
                    format_money(x.value),
                    x.reason,
                )
                for x in items
            ],
            keys=[x.part_id for x in items],
        )
        groups = rp.by_supplier(items)
        total = sum((money(x.value) for x in items), Decimal(0))  # the shown amounts add up
        note, self._note = self._note, ""
        self.summary.setText(
            f"{note}{len(items)} part(s) to order from {len(groups)} supplier(s), "
            f"{format_money(total)} in all"
        )

    @Slot()
    def order_selected(self) -> None:
        """One DRAFT purchase order per supplier for the selected lines, at their order quantities."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        wanted = [purchasing.Wanted(self.items[r].part_id, self.items[r].order_qty) for r in rows]
        if not wanted:
            self.summary.setText("Select the lines to order first (Ctrl or Shift + click, Ctrl+A for all).")
            return

        def done(orders: list[purchasing.OrderDTO]) -> None:
            made = ", ".join(f"{o.number} ({o.supplier_name}, {len(o.lines)} line(s))" for o in orders)
            self._note = f"Draft purchase orders created: {made}. "  # said above the new list
            self.refresh()  # what is now on order leaves the list

        change(
            self.ctx,
            lambda: purchasing.orders_from_suggestions(self.ctx.db, self.ctx.actor, wanted),
            done,
            topics=(Topic.PARTS, Topic.PURCHASING),
            failed=lambda exc: (
                self.summary.setText(exc.message) if isinstance(exc, UserError) else show_error(self, exc)
            ),
        )

    def _ask_export(self, suffix: str) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export suggestions", f"to-order{suffix}", f"*{suffix}")
        if name:
            self.export_to(Path(name))

    def export_to(self, path: Path) -> None:
        rows = rp.export_rows(self.items)
        try:
            if path.suffix.lower() == ".xlsx":
                write_xlsx(path, rp.EXPORT_HEADERS, rows, title="To order")
            else:
                write_csv(path, rp.EXPORT_HEADERS, rows)
        except Exception as exc:  # UserError (disk full...) or a bug: both shown
            show_error(self, exc)
            return
        self.summary.setText(f"Exported {len(rows)} line(s) to {path.name}")


class ReportRunner(QWidget):
    """Choose a report, set what it covers, Run; the rows show below and save as PDF, XLSX or CSV."""

    progress = Signal(int, int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._cancel = threading.Event()
        self.choice = QListWidget()
        for spec in rd.CATALOGUE:
            item = QListWidgetItem(spec.title)
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            self.choice.addItem(item)
        self.choice.setMaximumWidth(220)
        self.months = QSpinBox()
        self.months.setRange(1, 60)
        self.months.setValue(12)
        self.months.setSuffix(" months")
        self.expiry_days = QSpinBox()  # expiring lots: the window ahead
        self.expiry_days.setRange(0, 3650)
        self.expiry_days.setValue(30)
        self.expiry_days.setSuffix(" days ahead")
        today = QDate.currentDate()
        self.start = QDateEdit(today.addDays(-30))
        self.end = QDateEdit(today)
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.part = QLineEdit()
        self.part.setPlaceholderText("all parts")
        self.location = QLineEdit()
        self.location.setPlaceholderText("all locations")
        self.category = QLineEdit()
        self.category.setPlaceholderText("all categories (e.g. Fasteners > Bolts: it and everything below)")
        self.run_button = QPushButton("Run  (Enter)")
        self.bar = QProgressBar()
        self.bar.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.hide()
        self.view = ReportView(ctx)
        params = QFormLayout()
        self.rows: dict[str, tuple[QLabel, QWidget]] = {}
        dates = QHBoxLayout()
        dates.addWidget(self.start)
        dates.addWidget(QLabel("to"))
        dates.addWidget(self.end)
        dates_box = QWidget()
        dates_box.setLayout(dates)
        for key, label, widget in (
            ("months", "Period", self.months),
            ("dates", "From", dates_box),
            ("part", "Part number", self.part),
            ("location", "Location", self.location),
            ("category", "Category", self.category),
            ("days", "Expiring within", self.expiry_days),
        ):
            caption = QLabel(label)
            params.addRow(caption, widget)
            self.rows[key] = (caption, widget)
        run_row = QHBoxLayout()
        run_row.addWidget(self.run_button)
        run_row.addWidget(self.bar, 1)
        run_row.addWidget(self.cancel_button)
        left = QVBoxLayout()
        left.addWidget(self.choice, 1)
        right = QVBoxLayout()
        right.addLayout(params)
        right.addLayout(run_row)
        right.addWidget(self.view, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(left)
        layout.addLayout(right, 1)
        self.choice.currentRowChanged.connect(self._chosen)
        self.choice.itemActivated.connect(lambda _i: self.run())
        self.run_button.clicked.connect(self.run)
        for field in (self.part, self.location, self.category):
            field.returnPressed.connect(self.run)
        takes_scans(self.part, self.location)
        self.cancel_button.clicked.connect(self._cancel.set)
        self.progress.connect(self._progress)
        self.choice.setCurrentRow(0)

    def current_key(self) -> str:
        item = self.choice.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else rd.CATALOGUE[0].key

    def choose(self, key: str) -> None:
        for row in range(self.choice.count()):
            if self.choice.item(row).data(Qt.ItemDataRole.UserRole) == key:
                self.choice.setCurrentRow(row)
                return

    @Slot(int)
    def _chosen(self, _row: int) -> None:
        spec = next(s for s in rd.CATALOGUE if s.key == self.current_key())
        for key, (caption, widget) in self.rows.items():
            caption.setVisible(key in spec.uses)
            widget.setVisible(key in spec.uses)

    def params(self) -> rd.ReportParams:
        return rd.ReportParams(
            months=self.months.value(),
            start=self.start.date().toPython(),  # type: ignore[arg-type]
            end=self.end.date().toPython(),  # type: ignore[arg-type]
            part_number=self.part.text().strip() or None,
            location_code=self.location.text().strip() or None,
            category=self.category.text().strip() or None,
            days=self.expiry_days.value(),
        )

    @Slot()
    def run(self) -> None:
        key, params = self.current_key(), self.params()
        report = cancellable_progress(self.progress, self._cancel)
        self._busy(True)
        self.ctx.runner.run(
            lambda: rd.build(self.ctx.db, self.ctx.actor, key, params, progress=report),
            self._built,
            self._failed,
        )

    def _built(self, table: ReportTable) -> None:
        self._busy(False)
        self.view.show_table(table)

    def _failed(self, exc: BaseException) -> None:
        self._busy(False)
        if isinstance(exc, RenderCancelled):
            self.view.banner.warn("Cancelled.")
        elif isinstance(exc, UserError):
            self.view.banner.error(exc.message)
        else:
            show_error(self, exc)

    def _busy(self, busy: bool) -> None:
        self.run_button.setEnabled(not busy)
        self.bar.setVisible(busy)
        self.bar.setValue(0)
        self.cancel_button.setVisible(busy)

    @Slot(int, int)
    def _progress(self, done: int, total: int) -> None:
        self.bar.setMaximum(max(total, 1))
        self.bar.setValue(done)


class ReportsPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reports = ReportRunner(ctx)
        self.replenishment = ReplenishmentTab(ctx)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.reports, "Reports")
        self.tabs.addTab(self.replenishment, "What to order")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    def refresh(self) -> None:
        self.replenishment.refresh()

    def data_changed(self, what: frozenset[Topic]) -> None:
        if Topic.PLANNING in what:  # What to order starts again from the plant's new figures
            self.replenishment.reset_figures()
        if (
            what & {Topic.STOCK, Topic.PLANNING}
            and self.isVisible()
            and self.tabs.currentWidget() is self.replenishment
        ):
            self.replenishment.refresh()
