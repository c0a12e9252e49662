"""What every window needs: the database, who is signed in, the task runner, app-wide change events."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from desktop.db import Database
from desktop.services.actor import Actor
from desktop.tasks import Runner


class AppEvents(QObject):
    """Signals:
    data_changed(set[str]): something was saved; the set names what: "stock", "parts", "locations",
        "users", "kanban", "mro", "counts", "purchasing" (desktop.services.changes maps tables to these).
    """

    data_changed = Signal(object)


@dataclass
class AppContext:
    db: Database
    actor: Actor
    runner: Runner
    events: AppEvents
