"""The status bar's "working…" and the busy cursor while the runner has work queued or running.

Apart from the main window, which puts it in its status bar and hands it the runner's `busy_changed`;
it shows only once work has taken longer than a person notices (`BUSY_AFTER_MS`).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import QApplication, QLabel, QWidget

BUSY_AFTER_MS = 300  # work taking longer than this shows "working…" and the busy cursor


class BusyIndicator(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self._busy_shown = False
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_AFTER_MS)
        self._busy_timer.timeout.connect(lambda: self._show_busy(True))

    @Slot(bool)
    def busy(self, busy: bool) -> None:
        """Work queued or running: "working…" and the busy cursor, but only once it has taken longer than
        a person notices; a scan answered in 20 ms repaints the window once, not three times."""
        if busy:
            self._busy_timer.start()
        else:
            self._busy_timer.stop()
            self._show_busy(False)

    def stop(self) -> None:
        """Never leave the next person a busy cursor (the window is going)."""
        self.busy(False)

    def _show_busy(self, busy: bool) -> None:
        if busy == self._busy_shown:
            return
        self._busy_shown = busy
        self.setText("working…" if busy else "")
        if busy:
            QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        else:
            QApplication.restoreOverrideCursor()
