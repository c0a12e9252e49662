"""Settings > Planning figures: the plant-wide cost per order, carrying rate, service level and the
day counts behind demand, dead and excess stock. Everyone sees them; supervisors and administrators
change them."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QDoubleSpinBox, QFormLayout, QGroupBox, QPushButton, QSpinBox, QWidget

from desktop.services.actor import Permission
from desktop.services.admin.plant_settings import Planning, planning, save_planning
from desktop.services.topics import Topic
from desktop.ui.common import permitted, show_failure
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.operation import change


def _spin(lo: float, hi: float, suffix: str, decimals: int = 0) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(lo, hi)
    box.setDecimals(decimals)
    box.setSuffix(suffix)
    return box


def _days(lo: int, hi: int) -> QSpinBox:
    box = QSpinBox()
    box.setRange(lo, hi)
    box.setSuffix(" days")
    return box


class PlanningForm(QGroupBox):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Planning figures (used by What to order, the dashboard and the reports)", parent)
        self.ctx = ctx
        self.order_cost = _spin(0, 1_000_000, "", 2)
        self.carrying = _spin(1, 200, " % a year")
        self.service = _spin(50, 99.9, " %", 1)
        self.demand_days = _days(7, 3650)
        self.dead = _days(30, 3650)
        self.excess = _days(7, 3650)
        self.alpha = _spin(0.01, 1, "", 2)
        self.alpha.setSingleStep(0.05)
        self.alpha.setToolTip(
            "Exponential smoothing (What to order): each day moves the demand level this share of the way "
            "towards that day's demand; the level starts at the first day of the window."
        )
        self.save_button = QPushButton("Save planning figures")
        self.banner = FeedbackBanner()
        editable = ctx.actor.can(Permission.SET_PLANNING)
        form = QFormLayout(self)
        for label, widget in (
            ("Cost of placing one order", self.order_cost),
            ("Carrying cost", self.carrying),
            ("Service level (safety stock)", self.service),
            ("Demand history", self.demand_days),
            ("Dead stock after", self.dead),
            ("Excess beyond", self.excess),
            ("Smoothing factor alpha", self.alpha),
        ):
            widget.setEnabled(editable)
            form.addRow(label, widget)
        self.fields: dict[str, QWidget] = {
            "order_cost": self.order_cost,
            "carrying_rate": self.carrying,
            "service_level": self.service,
            "demand_window_days": self.demand_days,
            "dead_days": self.dead,
            "excess_days": self.excess,
            "smoothing_alpha": self.alpha,
        }
        permitted(self.save_button, editable)
        form.addRow("", self.save_button)
        form.addRow(self.banner)
        self.save_button.clicked.connect(self.save)

    def refresh(self) -> None:
        self.ctx.runner.run(lambda: planning(self.ctx.db), self._show)

    def _show(self, plan: Planning) -> None:
        self.order_cost.setValue(float(plan.order_cost))
        self.carrying.setValue(float(plan.carrying_rate * 100))
        self.service.setValue(float(plan.service_level * 100))
        self.demand_days.setValue(plan.demand_window_days)
        self.dead.setValue(plan.dead_days)
        self.excess.setValue(plan.excess_days)
        self.alpha.setValue(float(plan.smoothing_alpha))

    def value(self) -> Planning:
        return Planning(
            order_cost=Decimal(str(self.order_cost.value())),
            carrying_rate=Decimal(str(self.carrying.value())) / 100,
            service_level=Decimal(str(self.service.value())) / 100,
            demand_window_days=self.demand_days.value(),
            dead_days=self.dead.value(),
            excess_days=self.excess.value(),
            smoothing_alpha=Decimal(str(round(self.alpha.value(), 2))),
        )

    @Slot()
    def save(self) -> None:
        plan = self.value()
        change(
            self.ctx,
            lambda: save_planning(self.ctx.db, self.ctx.actor, plan),
            self._saved,
            topics=(Topic.PLANNING,),  # the dashboard's dead and excess stock, What to order's figures
            failed=self._failed,
        )

    def _saved(self, plan: Planning) -> None:
        self._show(plan)
        self.banner.ok("Saved: every PC plans and reports with these figures from now on.")

    def _failed(self, exc: BaseException) -> None:
        show_failure(self, self.banner, self.fields, exc)
