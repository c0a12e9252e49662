"""Inventory record accuracy on the Counts page: lines within tolerance / lines counted, by class, area
or month over a chosen period, with the value of the adjustments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop.services.counts import ira as count_ira
from desktop.services.counts.ira import Ira
from desktop.ui.common import fill_table, read_only_table, show_error
from desktop.ui.context import AppContext

PERIODS = (("Last 30 days", 30), ("Last 90 days", 90), ("Last 12 months", 365), ("All counts", None))


class AccuracyPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.by = QComboBox()
        for key, label in count_ira.GROUPINGS.items():
            self.by.addItem(f"by {label.lower()}", key)
        self.period = QComboBox()
        for label, days in PERIODS:
            self.period.addItem(label, days)
        self.period.setCurrentIndex(2)
        self.total = QLabel("")
        self.table = read_only_table(
            ["Group", "Lines counted", "Within tolerance", "IRA", "Adjustment value"], numeric=(1, 2, 3, 4)
        )
        top = QHBoxLayout()
        top.addWidget(QLabel("IRA"))
        top.addWidget(self.by)
        top.addWidget(self.period)
        top.addWidget(self.total, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self.by.currentIndexChanged.connect(self.refresh)
        self.period.currentIndexChanged.connect(self.refresh)

    @Slot()
    def refresh(self) -> None:
        by = str(self.by.currentData())
        days = self.period.currentData()
        since = None if days is None else datetime.now(UTC) - timedelta(days=int(days))
        self.ctx.runner.run(
            lambda: count_ira.ira(self.ctx.db, by=by, since=since), self._show, lambda e: show_error(self, e)
        )

    def _show(self, groups: dict[str, Ira]) -> None:
        every = count_ira.total(groups)
        self.total.setText(
            f"Overall {every.ira_pct} % of {every.counted} line(s), adjustments {every.adjustment_value:,.2f}"
            if every.counted
            else "No approved counts in this period."
        )
        fill_table(
            self.table,
            [
                (key, g.counted, g.within, f"{g.ira_pct} %", f"{g.adjustment_value:,.2f}")
                for key, g in groups.items()
            ],
        )
