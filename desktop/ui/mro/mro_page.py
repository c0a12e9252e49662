"""MRO spares: the asset tree and, for the chosen asset, each spare with stock per bin, reserved,
available, min/max, lead time and a red flag on critical spares that are short; reservations for work
orders; repairable units by serial number; and the maintenance reports.
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.services import mro
from desktop.services.mro import (
    AssetSpares,
)
from desktop.services.topics import Topic
from desktop.ui.context import AppContext
from desktop.ui.mro.part_tab import PartTab
from desktop.ui.mro.reports_tab import ReportsTab
from desktop.ui.mro.serials_tab import SerialsTab
from desktop.ui.mro.spares_tab import SparesTab


class MroPage(QWidget):
    """Signals: none; the main window calls show_spares() for a scanned asset tag."""

    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.spares_tab = SparesTab(ctx)
        self.part_tab = PartTab(ctx)
        self.serials_tab = SerialsTab(ctx)
        self.reports_tab = ReportsTab(ctx)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.spares_tab, "Spares by asset")
        self.tabs.addTab(self.part_tab, "Where used")
        self.tabs.addTab(self.serials_tab, "Repairables (serials)")
        self.tabs.addTab(self.reports_tab, "Reports")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.part_tab.open_asset.connect(self._open_asset)

    @Slot(int)
    def _open_asset(self, asset_id: int) -> None:
        self.ctx.runner.run(lambda: mro.asset_spares(self.ctx.db, asset_id), self.show_spares)

    def refresh(self) -> None:
        self.spares_tab.refresh()

    def show_spares(self, view: AssetSpares) -> None:
        self.tabs.setCurrentWidget(self.spares_tab)
        self.spares_tab.show_spares(view)

    def data_changed(self, what: frozenset[Topic]) -> None:
        if what & {Topic.STOCK, Topic.PARTS, Topic.MRO} and self.isVisible():
            self.spares_tab.reload()
            current = self.tabs.currentWidget()
            if current is self.part_tab or current is self.serials_tab:  # reservations, xrefs, units
                current.reload()
