"""Typing like the people and the scanner at a shop-floor PC: key events to whatever has focus.

`scan()` is a keyboard-wedge scanner: every character as a key press to `QApplication.focusWidget()`
at scanner speed, then Enter. `type_text()` is a person: the same, with a human pause between keys.
Neither ever calls setText: what a widget gets is what the keyboard would give it.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from desktop.ui.scanner import GAP_MS

HUMAN_MS = GAP_MS + 30  # a quick typist still leaves this much between keys
_KEY_OF = {
    "-": Qt.Key.Key_Minus,
    ",": Qt.Key.Key_Comma,
    ".": Qt.Key.Key_Period,
    "/": Qt.Key.Key_Slash,
    " ": Qt.Key.Key_Space,
}


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus: the keys would go nowhere"
    return widget


def _key(widget: QWidget, kind: QEvent.Type, key: int, text: str, at_ms: float) -> None:
    event = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text)
    event.setTimestamp(int(at_ms))  # as the window system stamps a real key
    QApplication.sendEvent(widget, event)


def scan(qtbot: QtBot, code: str, *, gap_ms: int = 2, enter: bool = True) -> None:
    """A wedge scanner reads `code`: its characters and Enter, stamped `gap_ms` apart, to the focused
    widget. They come back to back, as from a scanner while the application is busy: the timestamps,
    not the test's own pace, say how fast they were typed."""
    start = time.monotonic() * 1000.0
    for n, ch in enumerate(code):
        key = _KEY_OF.get(ch, ord(ch.upper()))
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            _key(focused(), kind, key, ch, start + n * gap_ms)
    if enter:
        at = start + len(code) * gap_ms
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            _key(focused(), kind, Qt.Key.Key_Return, "\r", at)
    qtbot.wait(1)


def type_text(qtbot: QtBot, text: str, *, enter: bool = False) -> None:
    """A person types `text` into the focused widget (and presses Enter).

    Followed by Enter, the keys come at human speed (a fast burst ending in Enter would be a scan).
    Without Enter, speed does not change what the field gets: they come at once, and the pause after
    them is what tells the application it was typing."""
    for ch in text:
        QTest.keyClicks(focused(), ch)  # one character: Qt sends it as keyClick does
        if enter:
            qtbot.wait(HUMAN_MS)
    if enter:
        QTest.keyClick(focused(), Qt.Key.Key_Return)
        qtbot.wait(1)
    else:
        qtbot.wait(HUMAN_MS)


def type_in(qtbot: QtBot, widget: QWidget, text: str, *, enter: bool = False) -> None:
    """A person clicks into `widget` and types `text` (and Enter)."""
    focus(qtbot, widget)
    type_text(qtbot, text, enter=enter)


def press(qtbot: QtBot, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(focused(), key, modifiers)
    qtbot.wait(1)


def fill(qtbot: QtBot, widget: QLineEdit, text: str) -> None:
    """A person clicks into `widget`, selects what it holds and types `text` over it (no Enter)."""
    focus(qtbot, widget)
    widget.selectAll()
    type_text(qtbot, text)


def focus(qtbot: QtBot, widget: QWidget) -> None:
    """Put the cursor in `widget` (as a click or Tab would); its window comes to the front."""
    widget.window().activateWindow()
    widget.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=2000)
