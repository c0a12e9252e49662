"""First start: an empty storeroom, a demo plant to try things on, or a shared PostgreSQL server."""

from __future__ import annotations

from enum import Enum

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop import paths


class StartChoice(Enum):
    EMPTY = "empty"
    DEMO = "demo"
    POSTGRES = "postgres"


class FirstStartDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to Storeroom")
        self.setMinimumWidth(560)
        self.empty = QRadioButton("Start with an empty storeroom on this PC")
        self.demo = QRadioButton("Load a demo plant (300 parts, locations, suppliers, stock and history)")
        self.postgres = QRadioButton("Connect to the plant's shared PostgreSQL server")
        self.empty.setChecked(True)
        group = QButtonGroup(self)
        for b in (self.empty, self.demo, self.postgres):
            group.addButton(b)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Welcome to Storeroom</h2>How do you want to start?"))
        layout.addWidget(self.empty)
        layout.addWidget(self.demo)
        layout.addWidget(QLabel(f"<small>Both keep the data in {paths.default_sqlite_path()}</small>"))
        layout.addWidget(self.postgres)
        layout.addWidget(buttons)

    def choice(self) -> StartChoice:
        if self.demo.isChecked():
            return StartChoice.DEMO
        return StartChoice.POSTGRES if self.postgres.isChecked() else StartChoice.EMPTY
