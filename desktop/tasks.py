"""One background runner for database work and rendering.

Work runs on a single worker thread (SQLite allows one writer; one queue keeps order), and results
come back to bound `@Slot`-style callables on the GUI thread through a queued signal. Errors go to
one handler. Tests use `SyncRunner`, which runs everything at once on the calling thread, or
`WorkerSyncRunner`, which runs the work on a worker thread but still delivers before returning.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

import shiboken6
from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger("storeroom.tasks")
T = TypeVar("T")
ErrorHandler = Callable[[BaseException], None]


def alive(callback: Callable[..., object]) -> bool:
    """False when `callback` is a method of a Qt object deleted while the work ran (its window closed):
    its result is dropped instead of touching a dead widget."""
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, QObject) and not shiboken6.isValid(owner):
        log.debug("result dropped: %r was deleted while the work ran", owner)
        return False
    return True


class Runner(Protocol):
    default_error: ErrorHandler  # where an error goes when the caller names no handler of its own

    def run(
        self, fn: Callable[[], T], on_done: Callable[[T], None], on_error: ErrorHandler | None = None
    ) -> None: ...


class SyncRunner:
    """Runs at once; for tests and for code that must finish before continuing."""

    def __init__(self, on_error: ErrorHandler) -> None:
        self.default_error = on_error

    def run(
        self, fn: Callable[[], T], on_done: Callable[[T], None], on_error: ErrorHandler | None = None
    ) -> None:
        try:
            result = fn()
        except Exception as exc:  # handed to the error handler, which shows or logs it
            (on_error or self.default_error)(exc)
            return
        on_done(result)


class WorkerSyncRunner:
    """SyncRunner's twin that keeps the database off the calling thread: the work runs on a thread of
    its own while the caller waits, then the result or error is delivered on the calling thread before
    `run` returns. The UI tests use it so a GUI-thread guard can see every database call the pages
    make outside the runner, while results stay as deterministic as with `SyncRunner`."""

    def __init__(self, on_error: ErrorHandler) -> None:
        self.default_error = on_error
        self._inside = threading.local()  # work that queues more work runs it in place, as one worker would

    def run(
        self, fn: Callable[[], T], on_done: Callable[[T], None], on_error: ErrorHandler | None = None
    ) -> None:
        outcome: list[tuple[bool, Any]] = []

        def work() -> None:
            self._inside.active = True
            try:
                outcome.append((True, fn()))
            except Exception as exc:  # delivered on the calling thread below
                outcome.append((False, exc))

        if getattr(self._inside, "active", False):
            work()
        else:
            # No cyclic collection while the caller waits: one run on the worker would destroy Qt
            # widgets that became garbage there, off the GUI thread (a segfault in a restore test).
            collecting = gc.isenabled()
            gc.disable()
            try:
                worker = threading.Thread(target=work, name="storeroom-test-db")
                worker.start()
                worker.join()
            finally:
                if collecting:
                    gc.enable()
        ok, value = outcome[0]
        if ok:
            on_done(value)
        else:
            (on_error or self.default_error)(value)


class TaskRunner(QObject):
    """Signals:
    busy_changed(bool): work is queued or running / everything finished.
    """

    busy_changed = Signal(bool)
    _finished = Signal(object)

    def __init__(self, on_error: ErrorHandler, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.default_error = on_error
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="storeroom-db")
        self._pending = 0
        self._finished.connect(self._deliver)

    def run(
        self, fn: Callable[[], T], on_done: Callable[[T], None], on_error: ErrorHandler | None = None
    ) -> None:
        self._pending += 1
        if self._pending == 1:
            self.busy_changed.emit(True)
        handler = on_error or self.default_error

        def work() -> None:
            try:
                outcome: tuple[Callable[[Any], None], Any] = (on_done, fn())
            except BaseException as exc:  # delivered to the GUI thread's handler
                outcome = (handler, exc)
            self._finished.emit(outcome)

        self._pool.submit(work)

    @Slot(object)
    def _deliver(self, outcome: tuple[Callable[[Any], None], Any]) -> None:
        self._pending -= 1
        if self._pending == 0:
            self.busy_changed.emit(False)
        callback, value = outcome
        if alive(callback):
            callback(value)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
