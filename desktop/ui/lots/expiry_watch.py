"""Expired stock out of the way by itself: every hour while the application runs (and a minute after it
starts), expired lots move to the plant's quarantine location, if the plant chose one in Settings. The
moves are the signed-in person's, with the reason saying they were automatic; nothing happens when
nobody is signed in or they may not move stock."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Slot

from desktop.db import Database
from desktop.services import lots
from desktop.services.actor import Actor
from desktop.services.stock.moves import PostResult
from desktop.services.topics import Topic
from desktop.tasks import Runner
from desktop.ui.context import AppContext, AppEvents
from desktop.ui.operation import change

log = logging.getLogger("storeroom.lots")
HOUR_MS = 3600 * 1000


class ExpiryWatch(QObject):
    def __init__(
        self,
        db: Database,
        runner: Runner,
        events: AppEvents,
        actor: Callable[[], Actor | None],
        tell: Callable[[str], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.db, self.runner, self.events, self.actor, self.tell = db, runner, events, actor, tell
        self.timer = QTimer(self)
        self.timer.setInterval(HOUR_MS)
        self.timer.timeout.connect(self.check)

    def start(self, first_after_ms: int = 60_000) -> None:
        """Hourly; the first check waits (default a minute) so it never holds up the first screen."""
        self.timer.start()
        QTimer.singleShot(first_after_ms, self, self.check)

    @Slot()
    def check(self) -> None:
        actor = self.actor()
        if actor is None:
            return
        change(
            AppContext(self.db, actor, self.runner, self.events),
            lambda: lots.auto_quarantine(self.db, actor),
            self._moved,
            topics=lambda moved: (Topic.STOCK,) if moved else (),  # nothing moved: nothing to say
            failed=self._failed,
        )

    def _moved(self, moved: list[PostResult]) -> None:
        if not moved:
            return
        text = f"{len(moved)} expired lot(s) moved to quarantine"
        log.info("%s: %s", text, ", ".join(f"#{p.move.id}" for p in moved))
        self.tell(text)

    def _failed(self, exc: BaseException) -> None:
        # nobody asked for this check: a failure (another PC moved the same stock first, the database
        # away for a moment) is logged, never a dialog, and the next hour tries again
        log.warning("moving expired lots to quarantine failed: %s", exc)
