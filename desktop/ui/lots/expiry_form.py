"""Settings > Expired lots: the quarantine location expired stock moves to by itself every hour
(administrators; empty: the plant moves it by hand)."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QLineEdit, QPushButton, QWidget

from desktop.services import lots
from desktop.services.actor import Permission
from desktop.ui.common import permitted, show_failure
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.operation import change
from desktop.ui.scanner import takes_scans


class ExpiryForm(QGroupBox):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Expired lots", parent)
        self.ctx = ctx
        self.quarantine = QLineEdit()
        self.quarantine.setPlaceholderText("e.g. Q-01; empty: moved by hand")
        self.quarantine.setMinimumWidth(240)
        takes_scans(self.quarantine)  # the bin's L- label scanned here names it
        self.save_button = QPushButton("Save")
        self.banner = FeedbackBanner()
        admin = ctx.actor.can(Permission.ADMIN)
        self.quarantine.setEnabled(admin)
        permitted(self.save_button, admin)
        form = QFormLayout(self)
        form.addRow("Move to quarantine", self.quarantine)
        hint = QLabel(
            "Every hour while Storeroom runs, expired lots not released by a supervisor move there."
        )
        hint.setWordWrap(True)
        form.addRow("", hint)
        form.addRow("", self.save_button)
        form.addRow(self.banner)
        self.save_button.clicked.connect(self.save)
        self.quarantine.returnPressed.connect(self.save)

    def refresh(self) -> None:
        self.ctx.runner.run(lambda: lots.quarantine_location(self.ctx.db), self.quarantine.setText)

    @Slot()
    def save(self) -> None:
        code = self.quarantine.text()
        change(
            self.ctx,
            lambda: lots.set_quarantine_location(self.ctx.db, self.ctx.actor, code),
            self._saved,
            topics=(),  # a setting: no page shows it
            failed=lambda exc: show_failure(
                self, self.banner, {"location": self.quarantine, "to_location": self.quarantine}, exc
            ),
        )

    def _saved(self, code: str) -> None:
        self.quarantine.setText(code)
        self.banner.ok(
            f"Expired lots move to {code} every hour." if code else "Expired lots are moved by hand."
        )
