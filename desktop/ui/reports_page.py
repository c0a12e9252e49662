"""Reports: what to order now (replenishment suggestions, grouped by supplier), exportable."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.quantities import format_qty
from desktop.services import replenishment as rp
from desktop.services.tabular import write_csv, write_xlsx
from desktop.ui.common import fill_table, read_only_table, show_error
from desktop.ui.context import AppContext


class ReplenishmentTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.items: list[rp.Suggestion] = []
        self.window_days = QSpinBox()
        self.window_days.setRange(7, 3650)
        self.window_days.setValue(90)
        self.window_days.setSuffix(" days")
        self.method = QComboBox()
        self.method.addItem("Moving average", "moving_average")
        self.method.addItem("Exponential smoothing", "smoothing")
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
        self.summary = QLabel("")
        self.table = read_only_table(
            [
                "Supplier",
                "Supplier part no.",
                "Part number",
                "Description",
                "On hand",
                "Reorder point",
                "Safety stock",
                "EOQ",
                "Order qty",
                "Unit",
                "Value",
                "Reason",
            ],
            numeric=(4, 5, 6, 7, 8, 10),
            stretch=3,
        )
        params = QHBoxLayout()
        for label, widget in (
            ("Demand over", self.window_days),
            ("by", self.method),
            ("Service level", self.service),
            ("Cost per order", self.order_cost),
            ("Carrying cost", self.carrying),
        ):
            params.addWidget(QLabel(label))
            params.addWidget(widget)
        params.addWidget(self.compute)
        params.addStretch(1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.summary, 1)
        bottom.addWidget(self.export_csv)
        bottom.addWidget(self.export_xlsx)
        layout = QVBoxLayout(self)
        layout.addLayout(params)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self.compute.clicked.connect(self.refresh)
        self.export_csv.clicked.connect(lambda: self._ask_export(".csv"))
        self.export_xlsx.clicked.connect(lambda: self._ask_export(".xlsx"))

    def policy(self) -> rp.Policy:
        return rp.Policy(
            window_days=self.window_days.value(),
            method=str(self.method.currentData()),
            service_level=self.service.value() / 100,
            order_cost=Decimal(str(self.order_cost.value())),
            carrying_rate=Decimal(str(self.carrying.value())) / 100,
        )

    @Slot()
    def refresh(self) -> None:
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
                    format_qty(x.reorder_point),
                    format_qty(x.safety_stock),
                    format_qty(x.eoq),
                    format_qty(x.order_qty),
                    x.unit,
                    f"{x.value:.2f}",
                    x.reason,
                )
                for x in items
            ],
            keys=[x.part_id for x in items],
        )
        groups = rp.by_supplier(items)
        total = sum((x.value for x in items), Decimal(0))
        self.summary.setText(
            f"{len(items)} part(s) to order from {len(groups)} supplier(s), {total:.2f} in all"
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


class ReportsPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.replenishment = ReplenishmentTab(ctx)
        tabs = QTabWidget()
        tabs.addTab(self.replenishment, "What to order")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(tabs)

    def refresh(self) -> None:
        self.replenishment.refresh()

    def data_changed(self, what: set[str]) -> None:
        if "stock" in what and self.isVisible():
            self.replenishment.refresh()
