"""Reversing a move: the dialog names the move it will undo, so nobody reverses the wrong line."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop.quantities import format_qty
from desktop.services.stock.moves import MoveDTO
from desktop.ui.common import action_row
from desktop.ui.feedback import FeedbackBanner


def describe(move: MoveDTO) -> str:
    """'#412 RECEIPT 5 EA of 6205-2RS to A-01-02 — by kim, 2026-12-06 09:14'."""
    where = " ".join(
        part
        for part in (
            f"from {move.from_code}" if move.from_code else "",
            f"to {move.to_code}" if move.to_code else "",
        )
        if part
    )
    when = move.at.astimezone().strftime("%Y-%m-%d %H:%M")
    return (
        f"#{move.id} {move.kind} {format_qty(move.qty)} {move.unit} of {move.part_number} {where}"
        f" — by {move.user_name}, {when}"
    )


class ReverseDialog(QDialog):
    """Asks why; Enter in the reason reverses, Esc leaves the move as it is."""

    def __init__(self, move: MoveDTO, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reversing = move
        self.setWindowTitle(f"Reverse move #{move.id}")
        self.setMinimumWidth(560)
        self.banner = FeedbackBanner()
        what = QLabel(
            f"<b>This move will be undone by an opposite move:</b><br>{describe(move)}"
            + (f"<br>Reference: {move.reference}" if move.reference else "")
        )
        what.setWordWrap(True)
        what.setTextFormat(Qt.TextFormat.RichText)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("why it is reversed (required)")
        form = QFormLayout()
        form.addRow("Reason", self.reason)
        buttons, self.ok_button, cancel = action_row(f"Reverse #{move.id}")
        layout = QVBoxLayout(self)
        layout.addWidget(what)
        layout.addWidget(self.banner)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.reason.returnPressed.connect(self.confirm)
        self.ok_button.clicked.connect(self.confirm)
        cancel.clicked.connect(self.reject)
        self.reason.setFocus()

    def confirm(self) -> None:
        if not self.reason.text().strip():
            self.banner.error("Say why the move is reversed: it stays in the history.")
            self.reason.setFocus()
            return
        self.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return  # Enter belongs to the reason field
        super().keyPressEvent(event)
