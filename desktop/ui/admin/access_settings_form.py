"""Users > Access limits: the value a keeper's adjustment may have without a supervisor, and how many
wrong PINs lock an account or a PC. Administrators only (the page itself is theirs)."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QDoubleSpinBox, QFormLayout, QGroupBox, QPushButton, QSpinBox, QWidget

from desktop.services.admin.access_settings import AccessSettings, access_settings, save_access
from desktop.ui.common import show_failure
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.operation import change


class AccessSettingsForm(QGroupBox):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Access limits (every PC)", parent)
        self.ctx = ctx
        self.adjust_limit = QDoubleSpinBox()
        self.adjust_limit.setRange(0, 100_000_000)
        self.adjust_limit.setDecimals(2)
        self.adjust_limit.setToolTip("0: every adjustment needs a supervisor")
        self.pin_failures = QSpinBox()
        self.pin_failures.setRange(3, 20)
        self.pin_failures.setSuffix(" wrong PINs")
        self.pc_failures = QSpinBox()
        self.pc_failures.setRange(3, 200)
        self.pc_failures.setSuffix(" failed sign-ins")
        self.save_button = QPushButton("Save access limits")
        self.banner = FeedbackBanner()
        self.fields: dict[str, QWidget] = {
            "adjust_value_limit": self.adjust_limit,
            "pin_failures": self.pin_failures,
            "pc_failures": self.pc_failures,
        }
        form = QFormLayout(self)
        form.addRow("A keeper's adjustment may be worth up to", self.adjust_limit)
        form.addRow("Lock an account after", self.pin_failures)
        form.addRow("Lock a PC after", self.pc_failures)
        form.addRow("", self.save_button)
        form.addRow(self.banner)
        self.save_button.clicked.connect(self.save)

    def refresh(self) -> None:
        self.ctx.runner.run(lambda: access_settings(self.ctx.db), self._show)

    def _show(self, value: AccessSettings) -> None:
        self.adjust_limit.setValue(float(value.adjust_value_limit))
        self.pin_failures.setValue(value.pin_failures)
        self.pc_failures.setValue(value.pc_failures)

    def value(self) -> AccessSettings:
        return AccessSettings(
            Decimal(str(self.adjust_limit.value())), self.pin_failures.value(), self.pc_failures.value()
        )

    @Slot()
    def save(self) -> None:
        value = self.value()
        change(
            self.ctx,
            lambda: save_access(self.ctx.db, self.ctx.actor, value),
            self._saved,
            topics=(),  # limits applied when someone adjusts or signs in: no page shows them
            failed=lambda exc: show_failure(self, self.banner, self.fields, exc),
        )

    def _saved(self, value: AccessSettings) -> None:
        self._show(value)
        self.banner.ok("Saved: every PC uses these limits from now on.")
