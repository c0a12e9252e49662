"""Big, clear feedback for a keeper standing a metre from the screen: green, amber, red.

One banner per action: showing one hides every other banner of the same window, so an old green line
never sits above a new red one. Each kind carries its sign (✔ ⚠ ✖) as well as its colour."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QWidget

from desktop.ui.ui_scale import larger

_STYLES = {
    "ok": "background:#1b7f3b; color:white;",
    "warn": "background:#b36b00; color:white;",
    "error": "background:#b3261e; color:white;",
}


class FeedbackBanner(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = ""
        self.styled = ""  # the kind whose colours the style sheet holds (kept while hidden)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        larger(self, 6, bold=True)
        self.setObjectName("feedback")
        self.hide()

    def _show(self, kind: str, text: str) -> None:
        win = self.window()
        for other in win.findChildren(FeedbackBanner):
            if other is not self and other.kind and other.window() is win:  # not a dialog's own banner
                other.clear()
        if kind != self.styled:  # a style sheet is parsed and the label polished again at each set
            self.setStyleSheet(
                f"QLabel#feedback {{ {_STYLES[kind]} padding: 10px 14px; border-radius: 4px; }}"
            )
            self.styled = kind
        self.kind = kind
        self.setText(text)
        self.show()
        QTimer.singleShot(0, self, self._fit_dialog)

    def _fit_dialog(self) -> None:
        """A dialog grows to show a long message whole instead of squeezing its fields under it."""
        win = self.window()
        layout = win.layout() if isinstance(win, QDialog) else None
        if layout is None:
            return
        layout.activate()
        width = win.width()
        need = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else -1
        need = max(need, layout.totalMinimumSize().height())
        screen = win.screen().availableGeometry().height() if win.screen() is not None else need
        if need > win.height():
            win.resize(width, min(need, screen))

    def ok(self, text: str) -> None:
        self._show("ok", "✔  " + text)

    def warn(self, text: str) -> None:
        self._show("warn", "⚠  " + text)

    def working(self, text: str) -> None:
        """Amber while the user waits for the database (inputs are disabled meanwhile)."""
        self._show("warn", "⌛  " + text)

    def error(self, text: str) -> None:
        self._show("error", "✖  " + text)
        QApplication.beep()  # the audible half of the error (a wedge scan gives no other cue)

    def clear(self) -> None:
        self.kind = ""
        self.setText("")
        self.hide()
