"""Polls the database's change markers and announces other clients' changes on `data_changed`."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Slot

from desktop.db import Database
from desktop.services import changes
from desktop.services.changes import Marks
from desktop.tasks import Runner
from desktop.ui.context import AppEvents


class ChangeWatcher(QObject):
    def __init__(self, db: Database, runner: Runner, events: AppEvents, *, interval_ms: int = 3000) -> None:
        super().__init__()
        self.db, self.runner, self.events = db, runner, events
        self.last: Marks | None = None
        self._pending = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.poll)

    def start(self) -> None:
        self.timer.start()
        self.poll()

    @Slot()
    def poll(self) -> None:
        if self._pending:  # the database is slow or away: do not pile up polls
            return
        self._pending = True
        self.runner.run(lambda: changes.marks(self.db), self._compare, self._failed)

    def _compare(self, now: Marks) -> None:
        self._pending = False
        before, self.last = self.last, now
        if before is not None:
            what = changes.changed(before, now)
            if what:
                self.events.changed(*what)

    def _failed(self, _exc: BaseException) -> None:
        # A lost connection is reported where the user acts (saving shows it); polling just retries.
        self._pending = False
