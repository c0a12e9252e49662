"""A test-time guard for the README's rule "no database work on the GUI thread".

An SQLAlchemy `before_cursor_execute` listener on every engine notes each statement that runs on the
Qt GUI thread while a window is up and a call from `desktop/ui` is on the stack. Test bodies that read
or seed the database directly are not UI code and pass; a page that queries outside the task runner is caught
even when no event loop is spinning (a test calling `page.refresh()` directly is as much a freeze as
a click), which is why the guard looks at the stack rather than at whether Qt is processing events.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from PySide6.QtWidgets import QApplication

import desktop.ui

UI_DIR = str(Path(desktop.ui.__file__).resolve().parent)


def _window_up() -> bool:
    """A window someone could be looking at (start-up before the first one may read at once)."""
    app = QApplication.instance()
    return isinstance(app, QApplication) and any(w.isVisible() for w in app.topLevelWidgets())


def _ui_caller() -> str | None:
    """The innermost desktop/ui frame on the stack, as "module.py:line in function"."""
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith(UI_DIR):
            return f"{Path(filename).name}:{frame.f_lineno} in {frame.f_code.co_name}"
        frame = frame.f_back
    return None


class _Guard:
    def __init__(self) -> None:
        self.offences: dict[str, str] = {}  # UI caller -> first statement it ran

    def note(self, caller: str, statement: str) -> None:
        self.offences.setdefault(caller, " ".join(statement.split())[:80])

    def report(self) -> str:
        return "\n".join(f"  {caller}: {sql}" for caller, sql in sorted(self.offences.items()))


class GuiThreadGuard(_Guard):
    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # the GUI thread is the main thread: QApplication is made there by pytest-qt and by the app
        if threading.current_thread() is not threading.main_thread() or not _window_up():
            return
        caller = _ui_caller()
        if caller is not None:
            self.note(caller, statement)


_WRITES = ("INSERT", "UPDATE", "DELETE")

# UI modules whose writes have no screen to tell, and why (matched by module, so keep what they write small).
WRITES_WITH_NOTHING_TO_ANNOUNCE = {
    "sign_in.py": "the wrong-PIN counter and the first administrator, written before any window exists",
    "session.py": "the sign-out line of the audit trail, written as the window goes",
    "connection_dialog.py": "connecting to a server migrates its schema before anyone signs in there",
    "data_dialog.py": "Import's Check runs the import and rolls it back: nothing is kept",
    "count_today.py": "today's count list stores the day's deal on first read (all see one list)",
}


class WriteGuard(_Guard):
    """ARCHITECTURE.md: a screen writes through `desktop/ui/operation.change`, which announces what
    changed. Notes each INSERT/UPDATE/DELETE that UI code runs off the GUI thread outside a change's
    work: a write through `ctx.runner.run` would leave the other pages (here and at other PCs) showing
    what was there before."""

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        from desktop.ui.operation import writing

        if threading.current_thread() is threading.main_thread() or writing():
            return
        if not statement.lstrip()[:6].upper().startswith(_WRITES):
            return
        caller = _ui_caller()
        if caller is not None and caller.split(":")[0] not in WRITES_WITH_NOTHING_TO_ANNOUNCE:
            self.note(caller, statement)
