"""Big, clear feedback for a keeper standing a metre from the screen: green, amber, red."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget

_STYLES = {
    "ok": "background:#1b7f3b; color:white;",
    "warn": "background:#b36b00; color:white;",
    "error": "background:#b3261e; color:white;",
}


class FeedbackBanner(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = ""
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        font = self.font()
        font.setPointSize(max(font.pointSize() + 6, 15))
        font.setBold(True)
        self.setFont(font)
        self.setObjectName("feedback")
        self.hide()

    def _show(self, kind: str, text: str) -> None:
        self.kind = kind
        self.setText(text)
        self.setStyleSheet(f"QLabel#feedback {{ {_STYLES[kind]} padding: 10px 14px; border-radius: 4px; }}")
        self.show()

    def ok(self, text: str) -> None:
        self._show("ok", "✔  " + text)

    def warn(self, text: str) -> None:
        self._show("warn", "⚠  " + text)

    def error(self, text: str) -> None:
        self._show("error", "✖  " + text)
        QApplication.beep()  # the audible half of the error (a wedge scan gives no other cue)

    def clear(self) -> None:
        self.kind = ""
        self.setText("")
        self.hide()
