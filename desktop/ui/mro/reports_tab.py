"""The MRO reports tab: critical spares short, spares with no movement, usage per asset."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from PySide6.QtCore import QDate, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.quantities import format_qty
from desktop.services import mro
from desktop.ui.common import fill_table, read_only_table
from desktop.ui.context import AppContext
from desktop.ui.flow_layout import FlowLayout
from desktop.ui.io.table_export import TableExport
from desktop.ui.mro.spare_rows import paint_rows, qty_text

REPORTS = ["Critical spares short", "Spares with no movement", "Usage per asset"]


class ReportsTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kind = QComboBox()
        self.kind.addItems(REPORTS)
        self.months = QSpinBox()
        self.months.setRange(1, 120)
        self.months.setValue(12)
        self.months.setSuffix(" months")
        today = QDate.currentDate()
        self.since = QDateEdit(today.addMonths(-1))
        self.until = QDateEdit(today)
        for d in (self.since, self.until):
            d.setCalendarPopup(True)
            d.setDisplayFormat("yyyy-MM-dd")
        self.run_button = QPushButton("Run")
        self.table = read_only_table(["—"])
        self.export_button = TableExport(ctx, self.table, "mro report")
        bar = FlowLayout()
        for w in (
            self.kind,
            QLabel("idle for"),
            self.months,
            QLabel("from"),
            self.since,
            QLabel("to"),
            self.until,
        ):
            bar.addWidget(w)
        bar.addWidget(self.run_button)
        bar.addStretch(1)
        bar.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self.run_button.clicked.connect(self.run)

    @Slot()
    def run(self) -> None:
        db, kind = self.ctx.db, self.kind.currentIndex()
        if kind == 0:
            self.ctx.runner.run(lambda: mro.critical_short(db), self._show_short)
        elif kind == 1:
            months = self.months.value()
            self.ctx.runner.run(lambda: mro.idle_spares(db, months), self._show_idle)
        else:
            since = datetime.combine(self.since.date().toPython(), time(), tzinfo=UTC)  # type: ignore[arg-type]
            until = datetime.combine(self.until.date().toPython(), time(), tzinfo=UTC) + timedelta(days=1)  # type: ignore[arg-type]
            self.ctx.runner.run(lambda: mro.usage_per_asset(db, since, until), self._show_usage)

    def _set(self, headers: list[str], rows: list[list[str]], numeric: tuple[int, ...]) -> None:
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setProperty("numeric_columns", list(numeric))
        fill_table(self.table, rows)

    def _show_short(self, rows: list[mro.CriticalShortRow]) -> None:
        self._set(
            [
                "Part",
                "Description",
                "On hand",
                "Reserved",
                "Available",
                "Min",
                "Lead time",
                "Spare of",
                "Flag",
            ],
            [
                [
                    r.part_number,
                    r.description,
                    format_qty(r.on_hand),
                    format_qty(r.reserved),
                    format_qty(r.available),
                    qty_text(r.min_qty),
                    "–" if r.lead_time_days is None else f"{r.lead_time_days} d",
                    r.assets,
                    r.flag.upper(),
                ]
                for r in rows
            ],
            (2, 3, 4, 5),
        )
        paint_rows(self.table, list(range(len(rows))))

    def _show_idle(self, rows: list[mro.IdleSpareRow]) -> None:
        self._set(
            ["Part", "Description", "On hand", "Value", "Last move"],
            [
                [
                    r.part_number,
                    r.description,
                    f"{format_qty(r.on_hand)} {r.unit}",
                    f"{r.value:.2f}",
                    r.last_move_at.astimezone().strftime("%Y-%m-%d") if r.last_move_at else "never",
                ]
                for r in rows
            ],
            (2, 3),
        )

    def _show_usage(self, rows: list[mro.AssetUsageRow]) -> None:
        self._set(
            ["Asset", "Name", "Part", "Description", "Qty", "Value"],
            [
                [
                    r.asset_code,
                    r.asset_name,
                    r.part_number,
                    r.description,
                    f"{format_qty(r.qty)} {r.unit}",
                    f"{r.value:.2f}",
                ]
                for r in rows
            ],
            (4, 5),
        )
