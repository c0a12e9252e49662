"""What every window needs: the database, who is signed in, the task runner, app-wide change events."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from PySide6.QtCore import QObject, Signal

from desktop.db import Database
from desktop.services.actor import Actor
from desktop.services.topics import Topic
from desktop.tasks import Runner


class AppEvents(QObject):
    """Signals:
    data_changed(frozenset[Topic]): something was saved, here or at another PC (the change watcher maps
        tables to topics in desktop.services.changes). Announce with `changed(...)`, which types the topics.
    """

    data_changed = Signal(object)

    def changed(self, *topics: Topic) -> None:
        self.data_changed.emit(frozenset(topics))


@runtime_checkable
class ShowsData(Protocol):
    """A page that refreshes when a topic it shows changed; the main window calls it for built pages."""

    def data_changed(self, what: frozenset[Topic]) -> None: ...


@dataclass
class AppContext:
    db: Database
    actor: Actor
    runner: Runner
    events: AppEvents
