"""Settings > Purchasing: the plant's name and addresses printed on purchase orders (administrators) and
the over-receipt tolerance (supervisors and administrators)."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from desktop.services import purchasing
from desktop.services.actor import Permission
from desktop.services.admin.plant_settings import PlantIdentity, plant_identity, save_identity
from desktop.ui.common import permitted, show_failure
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.operation import change


class PurchasingForm(QGroupBox):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Purchasing (on every purchase order; receipts against orders)", parent)
        self.ctx = ctx
        self.plant_name = QLineEdit()
        self.address = QPlainTextEdit()
        self.address.setFixedHeight(70)
        self.deliver_to = QPlainTextEdit()
        self.deliver_to.setFixedHeight(50)
        self.deliver_to.setPlaceholderText("e.g. Goods receiving, gate 3 (empty: the address)")
        self.tolerance = QDoubleSpinBox()
        self.tolerance.setRange(0, 100)
        self.tolerance.setSuffix(" % over the ordered quantity")
        self.save_button = QPushButton("Save purchasing settings")
        self.banner = FeedbackBanner()
        admin, planner = ctx.actor.can(Permission.ADMIN), ctx.actor.can(Permission.SET_PLANNING)
        form = QFormLayout(self)
        for label, widget, editable in (
            ("Plant name", self.plant_name, admin),
            ("Address", self.address, admin),
            ("Deliver to", self.deliver_to, admin),
            ("Over-receipt tolerance", self.tolerance, planner),
        ):
            widget.setEnabled(editable)
            form.addRow(label, widget)
        self.fields: dict[str, QWidget] = {
            "name": self.plant_name,
            "address": self.address,
            "deliver_to": self.deliver_to,
            "over_receipt_pct": self.tolerance,
        }
        permitted(self.save_button, admin or planner)
        form.addRow("", self.save_button)
        form.addRow(self.banner)
        self.save_button.clicked.connect(self.save)

    def refresh(self) -> None:
        db = self.ctx.db
        self.ctx.runner.run(lambda: (plant_identity(db), purchasing.purchasing_settings(db)), self._show)

    def _show(self, values: tuple[PlantIdentity, purchasing.PurchasingSettings]) -> None:
        plant, settings = values
        self.plant_name.setText(plant.name)
        self.address.setPlainText(plant.address)
        self.deliver_to.setPlainText(plant.deliver_to)
        self.tolerance.setValue(float(settings.over_receipt_pct))

    @Slot()
    def save(self) -> None:
        db, actor = self.ctx.db, self.ctx.actor
        plant = PlantIdentity(
            self.plant_name.text(), self.address.toPlainText(), self.deliver_to.toPlainText()
        )
        pct = Decimal(str(round(self.tolerance.value(), 2)))

        def work() -> tuple[PlantIdentity, purchasing.PurchasingSettings]:
            saved = save_identity(db, actor, plant) if actor.can(Permission.ADMIN) else plant_identity(db)
            tolerance = purchasing.purchasing_settings(db)
            if actor.can(Permission.SET_PLANNING):
                tolerance = purchasing.save_purchasing(db, actor, purchasing.PurchasingSettings(pct))
            return saved, tolerance

        # what a purchase order prints and how far a receipt may go over: read when a PO is printed or
        # received, no page shows them
        change(self.ctx, work, self._saved, topics=(), failed=self._failed)

    def _saved(self, values: tuple[PlantIdentity, purchasing.PurchasingSettings]) -> None:
        self._show(values)
        self.banner.ok("Saved: the next purchase order prints with these.")

    def _failed(self, exc: BaseException) -> None:
        show_failure(self, self.banner, self.fields, exc)
