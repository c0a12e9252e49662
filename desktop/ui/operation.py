"""How a screen changes data, as Anki's CollectionOp: the work runs on the database worker; on success the
screen's own follow-up runs on the GUI thread, then every page that shows one of the op's topics
refreshes (here and, through the change watcher, at other PCs). A failure goes to `failed`, else to the
runner's one default path (a UserError as a plain message, anything else as the crash dialog).

Reads (loading a table, a report) use `ctx.runner.run` directly: they have nothing to announce.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from typing import TypeVar

from desktop.services.topics import Topic
from desktop.tasks import ErrorHandler, alive
from desktop.ui.context import AppContext

T = TypeVar("T")

_state = threading.local()  # per worker thread: is a change's work running here?


def writing() -> bool:
    """True on a thread running a change's work (the UI tests fail a write made anywhere else)."""
    return bool(getattr(_state, "writing", False))


def change(
    ctx: AppContext,
    work: Callable[[], T],
    done: Callable[[T], None] | None = None,
    *,
    topics: Collection[Topic] | Callable[[T], Collection[Topic]],
    failed: ErrorHandler | None = None,
) -> None:
    """Run `work` (a write), then `done(result)` unless its window has closed meanwhile, then announce
    `topics`: the data changed whether or not the screen that asked is still there. `topics` may be a
    function of the result, for a write that often finds nothing to do (the hourly expiry check says
    nothing when no lot moved); no topics, nothing is announced."""
    said = None if callable(topics) else tuple(topics)

    def finished(result: T) -> None:
        if done is not None and alive(done):
            done(result)
        what = tuple(topics(result)) if callable(topics) else said
        if what:
            ctx.events.changed(*what)

    def marked() -> T:
        outer = writing()
        _state.writing = True
        try:
            return work()
        finally:
            _state.writing = outer

    ctx.runner.run(marked, finished, failed)
