"""A keyboard-wedge scanner types into whatever has focus: this filter turns its bursts into scans.

A USB scanner is a keyboard: it types the code at 1-10 ms a character, then Enter. People type at
60 ms or more between keys. So the application-wide filter holds printable keys for a moment (the
`GAP_MS` after the last one) and decides when the burst ends:

- the burst ended in Enter, came at scanner speed, and carries a known prefix (`L-` `P-` `K-` `A-`
  `U-` `CS-` …): it is a scan. It goes to the scan handler nearest to the focused widget (the move
  dialog, count entry, kanban station, sign-in, or the main window's scan box) and never lands as text
  in a search box, table or sidebar;
- a fast burst without a prefix (a supplier's own label, an EAN) ending in Enter goes to the field
  as typed text and Enter, marked as a burst so a quantity field can refuse it; in a widget that
  does not take codes (a search box, table, list) it goes to the scan handler like a prefixed code;
- anything else (human typing) is handed on unchanged, in order, once the pause shows it is typing.

The same filter makes Ctrl+U (hand the PC to the next person) work from any field: a line edit
would otherwise take Ctrl+U as "delete to start of line".

Type-ahead: a scanned bin or part is looked up on the worker, and its answer moves the cursor (to
Part, to Quantity). Keys that arrive meanwhile — the keeper typing the quantity right after the
scan, or the next scan — wait (`resolve_then`) and are then replayed with their original timing
where the cursor went, so a slow database never puts a quantity into the Part field.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar, runtime_checkable

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QLineEdit, QTextEdit, QWidget

from desktop.tasks import Runner

# Every printed code starts with one of these (README, "Barcodes"); longest first for matching.
KNOWN_PREFIXES: tuple[str, ...] = ("CS-", "L-", "LT-", "P-", "K-", "A-", "U-", "PO-")
GAP_MS = 50  # a pause longer than this between keys is a person typing
MIN_BURST = 4  # characters before Enter for a burst to count as a scan (a code is never shorter)
# Keys wait for a lookup at most this long: past it they go on to wherever the cursor is, so a lookup
# whose answer never comes (its window closed, the database gone) cannot swallow the keyboard.
MAX_HOLD_MS = 3000

# What a widget does with a scan (see scan_role() for the defaults). Kept beside the widget in Python:
# PySide6 6.12's QObject.property() releases None once per read of an unset property (an abort).
_ROLES: weakref.WeakKeyDictionary[QWidget, str] = weakref.WeakKeyDictionary()
ROLE_FIELD = "field"  # resolves any code itself (an MRO part or tag field): every scan arrives as text
ROLE_TEXT = "text"  # a text field: a bare code is text (a work order's barcode in Reference); a
#                     prefixed scan goes to the handler of its window, or is text where there is none
ROLE_QTY = "qty"  # a quantity: gets the text, flagged as a burst so it can refuse it
ROLE_HANDLER = "handler"  # a search box, table, list: any scan goes to the scan handler

_MODIFIER_KEYS = {Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta, Qt.Key.Key_AltGr}
_ENTER = {Qt.Key.Key_Return, Qt.Key.Key_Enter}
_KEY_EVENTS = {QEvent.Type.KeyPress, QEvent.Type.KeyRelease, QEvent.Type.ShortcutOverride}


T = TypeVar("T")


@runtime_checkable
class ScanTarget(Protocol):
    """A page or dialog that takes scans while it (or something inside it) has focus."""

    def handle_scan(self, code: str) -> bool:
        """Act on `code` (upper case, trimmed); False passes it on to the next handler outwards."""
        ...


@runtime_checkable
class HandOverTarget(Protocol):
    def request_hand_over(self) -> None: ...


@dataclass(frozen=True)
class _Key:
    """A copy of a key event (Qt reuses the original once the filter returns)."""

    type: QEvent.Type
    key: int
    modifiers: Qt.KeyboardModifier
    text: str
    auto_repeat: bool
    at_ms: float  # when it was typed (a replay after a lookup keeps the typing's own rhythm)

    @classmethod
    def of(cls, event: QKeyEvent) -> _Key:
        at = event.timestamp() or time.monotonic() * 1000.0
        return cls(event.type(), event.key(), event.modifiers(), event.text(), event.isAutoRepeat(), at)

    def event(self) -> QKeyEvent:
        return QKeyEvent(self.type, self.key, self.modifiers, self.text, self.auto_repeat)


def _has_prefix(text: str) -> bool:
    up = text.upper()
    return any(up.startswith(p) for p in KNOWN_PREFIXES)


def _is_printable(event: QKeyEvent) -> bool:
    plain = event.modifiers() & ~(Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier)
    text = event.text()
    return plain == Qt.KeyboardModifier.NoModifier and len(text) == 1 and text.isprintable()


def scan_role(widget: QWidget | None) -> str:
    """What a scan does in `widget` (see the ROLE_ constants)."""
    if widget is None:
        return ROLE_HANDLER
    role = _ROLES.get(widget)
    if role:
        return role
    if isinstance(widget, QLineEdit | QTextEdit | QAbstractSpinBox):
        return ROLE_TEXT
    return ROLE_HANDLER


def set_scan_role(widget: QWidget, role: str) -> None:
    _ROLES[widget] = role


def takes_scans(*edits: QWidget) -> None:
    """These fields look up whatever code lands in them: a scan arrives as text and Enter."""
    for edit in edits:
        set_scan_role(edit, ROLE_FIELD)


class ScanRouter(QObject):
    """The application's key filter; one per QApplication (`ScanRouter.install()`)."""

    _instance: ScanRouter | None = None

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._held: list[tuple[QWidget, _Key]] = []
        self._chars = ""
        self._last_ms = 0.0
        self._fast = True  # every gap of the held burst so far was at scanner speed
        self._replaying = False
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(GAP_MS)
        self._flush_timer.timeout.connect(self._pause_seen)
        self.last_burst: tuple[QWidget, str] | None = None  # the field and text of the last burst typed in
        self._holds: set[KeyHold] = set()  # lookups whose answer moves the cursor, still running
        self._waiting: list[tuple[QWidget, _Key]] = []  # keys that arrived meanwhile, in order
        self._replay_queued = False
        # after a wrong scan: what waited is replayed for its scans only, up to the first one (the keys
        # after that scan are for it); typing before it is dropped
        self._scans_only = False
        self._in_replay = False  # a waiting key is being replayed (the keys after it are not live)
        self._hold_timer = QTimer(self)
        self._hold_timer.setSingleShot(True)
        self._hold_timer.setInterval(MAX_HOLD_MS)
        self._hold_timer.timeout.connect(self._hold_expired)
        self.scans_routed = 0  # for the benchmark: scans that reached a handler
        self.on_scan: Callable[[QWidget, str], None] | None = None  # observers (benchmark, tests)

    @classmethod
    def install(cls) -> ScanRouter:
        app = QApplication.instance()
        assert app is not None
        if cls._instance is None or not shiboken6.isValid(cls._instance):  # one filter per process
            cls._instance = ScanRouter(app)
            app.installEventFilter(cls._instance)
        return cls._instance

    # -- the filter -------------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if self._replaying or kind not in (
            QEvent.Type.KeyPress,
            QEvent.Type.KeyRelease,
            QEvent.Type.ShortcutOverride,
        ):
            return False
        if not isinstance(watched, QWidget) or not isinstance(event, QKeyEvent):
            return False
        if self._is_hand_over(event):
            if kind == QEvent.Type.ShortcutOverride:
                event.accept()  # no line edit may take it as "delete to start of line"
                return True
            if kind == QEvent.Type.KeyPress:
                self._forget_waiting()  # what was typed ahead belongs to the person leaving
                self.flush()
                self._hand_over(watched)
            return True
        if kind == QEvent.Type.ShortcutOverride:
            return False
        if self._holds or self._waiting:  # a lookup will move the cursor: these keys go where it goes
            self._waiting.append((watched, _Key.of(event)))
            return True
        if kind == QEvent.Type.KeyRelease:
            if self._held:
                self._held.append((watched, _Key.of(event)))
                return True
            return False
        return self._key_press(watched, event)

    def _key_press(self, watched: QWidget, event: QKeyEvent, at_ms: float | None = None) -> bool:
        now = at_ms if at_ms is not None else event.timestamp() or time.monotonic() * 1000.0
        gap = now - self._last_ms
        if event.key() in _ENTER:
            self.last_burst = None  # only the Enter that ends a burst carries one
        if _is_printable(event):
            if self._held and gap > GAP_MS:
                self.flush()
            if not self._held:
                self._fast = True
            elif gap > GAP_MS:
                self._fast = False
            self._held.append((watched, _Key.of(event)))
            self._chars += event.text()
            self._last_ms = now
            self._flush_timer.start()
            return True
        if not self._held:
            return False
        if event.key() in _MODIFIER_KEYS:  # a scanner presses Shift for capitals: part of the burst
            self._held.append((watched, _Key.of(event)))
            return True
        if event.key() in _ENTER and not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._flush_timer.stop()
            burst = self._fast and gap <= GAP_MS and len(self._chars.strip()) >= MIN_BURST
            if burst and self._route(watched, self._chars.strip()):
                self._drop()
                return True
            target = self._held[0][0]
            text = self._chars
            if burst and isinstance(target, QLineEdit) and _alive(target):
                target.selectAll()  # a scan is a whole code: it replaces what the field held
            self.flush()
            if burst:
                self.last_burst = (target, text)
            return False  # Enter follows the text, to the field
        self.flush()
        return False

    # -- routing ----------------------------------------------------------------------------------------
    def _route(self, focus: QWidget, text: str) -> bool:
        """A scan: to the nearest handler, if this burst is one that goes there. True if taken; False
        hands the keys to the focused field as typed text and Enter."""
        role = scan_role(focus)
        typed_here = role in (ROLE_TEXT, ROLE_QTY)
        if role == ROLE_FIELD or (typed_here and not _has_prefix(text)):
            return False
        code = text.upper()
        # Handlers of the focused widget's own window first (a dialog's, or a page's and then the main
        # window's); a text field in a window without one takes the scan as it always did.
        window = focus.window()
        widget: QWidget | None = focus
        while widget is not None:
            if widget is window.parentWidget() and typed_here:
                return False
            if isinstance(widget, ScanTarget) and widget.handle_scan(code):
                self.scans_routed += 1
                if self.on_scan is not None:
                    self.on_scan(widget, code)
                return True
            widget = widget.parentWidget()
        return False  # nobody takes scans here (a message box): the keys go on as typing

    @staticmethod
    def _is_hand_over(event: QKeyEvent) -> bool:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        return event.key() == Qt.Key.Key_U and mods == Qt.KeyboardModifier.ControlModifier

    def _hand_over(self, focus: QWidget) -> None:
        widget: QWidget | None = focus
        while widget is not None:
            if isinstance(widget, HandOverTarget):
                target = widget
                # out of the key handler first: the hand-over closes the window that holds `focus`
                QTimer.singleShot(0, target, target.request_hand_over)
                return
            widget = widget.parentWidget()

    # -- holding and replaying --------------------------------------------------------------------------
    def _pause_seen(self) -> None:
        """No key for GAP_MS by the clock. If the GUI thread was busy, the scanner's next keys may be
        waiting in the queue with their own (earlier) timestamps: let them in before deciding."""
        if self._waiting:  # keys typed ahead are being replayed: their timestamps decide, not the clock
            return
        held = len(self._held)
        QCoreApplication.processEvents()
        if self._held and len(self._held) == held:
            self.flush()

    def flush(self) -> None:
        """Hand the held keys on, in order, as the typing they turned out to be."""
        self._flush_timer.stop()
        held, self._held, self._chars = self._held, [], ""
        if self._scans_only:  # typing that followed a wrong scan: dropped (drop_typed_ahead)
            if not self._waiting and not self._in_replay:
                self._scans_only = False  # the last of it: the keys from now on are live typing
            return
        self._replaying = True
        try:
            for widget, key in held:
                if _alive(widget):
                    QApplication.sendEvent(widget, key.event())
        finally:
            self._replaying = False

    # -- type-ahead -------------------------------------------------------------------------------------
    def hold(self) -> KeyHold:
        """Keys wait from now until the hold is released (or MAX_HOLD_MS has passed)."""
        hold = KeyHold(self)
        if not self._holds:
            self._hold_timer.start()
        self._holds.add(hold)
        return hold

    def _release(self, hold: KeyHold, *, keep_keys: bool) -> None:
        if hold not in self._holds:
            return
        self._holds.discard(hold)
        if not keep_keys:
            self._waiting.clear()
        if not self._holds:
            self._hold_timer.stop()
            self._replay_waiting()

    def drop_waiting(self) -> None:
        """The keys waiting for a lookup whose code was wrong: the typing among them is dropped, a scan
        among them still goes on, and what follows that scan is its own (see drop_typed_ahead)."""
        self._scans_only = bool(self._waiting)

    def _hold_expired(self) -> None:
        self._holds.clear()
        self._replay_waiting()

    def _forget_waiting(self) -> None:
        self._holds.clear()
        self._hold_timer.stop()
        self._waiting.clear()
        self._scans_only = False

    def _replay_waiting(self) -> None:
        """The keys typed during the lookup go on, through the same burst rules as live keys, to the
        widget that has the cursor now: one key per turn of the event loop, so what each one caused
        (a field's focus-in selecting its text, queued) happens before the next, as with live keys."""
        if self._waiting and not self._replay_queued:
            self._replay_queued = True
            QTimer.singleShot(0, self, self._replay_next)

    def _replay_next(self) -> None:
        self._replay_queued = False
        if self._holds or not self._waiting:
            return  # a scan among them started another lookup: the rest waits again
        typed_in, key = self._waiting.pop(0)
        target = QApplication.focusWidget() or (typed_in if _alive(typed_in) else None)
        routed, dropping = self.scans_routed, self._scans_only
        taken = False
        if target is not None and key.type == QEvent.Type.KeyPress:
            self._in_replay = True
            try:
                taken = self._key_press(target, key.event(), key.at_ms)
            finally:
                self._in_replay = False
        if target is not None and not taken:
            if key.type == QEvent.Type.KeyRelease and self._held:
                self._held.append((target, key))  # the release of a key held in a burst stays with it
            elif not dropping:
                self._send(target, key)
        if self.scans_routed != routed:
            self._scans_only = False  # the keys after this scan are for it
        if self._waiting:
            self._replay_waiting()
        elif not self._held:
            self._scans_only = False

    def _send(self, widget: QWidget, key: _Key) -> None:
        self._replaying = True
        try:
            QApplication.sendEvent(widget, key.event())
        finally:
            self._replaying = False

    def _drop(self) -> None:
        self._flush_timer.stop()
        self._held, self._chars = [], ""

    def took_burst(self, widget: QWidget) -> str | None:
        """The text of a scanner burst that just ended in Enter in `widget` (and forget it)."""
        if self.last_burst is None or self.last_burst[0] is not widget:
            return None
        text = self.last_burst[1]
        self.last_burst = None
        return text


class KeyHold:
    """Keys wait while one lookup runs (`ScanRouter.hold`)."""

    def __init__(self, owner: ScanRouter) -> None:
        self._owner = owner

    def then(self, callback: Callable[[T], None]) -> Callable[[T], None]:
        """`callback(result)`, which moves the cursor; then the keys typed meanwhile go where it went."""
        return _ThenRelease(callback, self)

    def failed(self, callback: Callable[[BaseException], None]) -> Callable[[BaseException], None]:
        """The keys typed meanwhile are dropped (they followed a scan that failed: the keeper must read
        the message first, and an Enter among them must not close it unread); then `callback(error)`."""

        def drop_then(exc: BaseException) -> None:
            self.release(keep_keys=False)
            callback(exc)

        return drop_then

    def release(self, *, keep_keys: bool = True) -> None:
        """Idempotent: the last hold to go replays (or drops) the waiting keys."""
        if shiboken6.isValid(self._owner):
            self._owner._release(self, keep_keys=keep_keys)


class _ThenRelease(Generic[T]):
    """`callback(result)`, then the hold ends. It keeps the callback's owner as `__self__`, so the
    runner still drops the result of a window closed meanwhile (the hold then times out)."""

    def __init__(self, callback: Callable[[T], None], hold: KeyHold) -> None:
        self.callback = callback
        self.hold = hold
        bound = getattr(callback, "func", callback)  # a functools.partial of a method: the method's owner
        self.__self__ = getattr(bound, "__self__", None)

    def __call__(self, value: T) -> None:
        try:
            self.callback(value)
        finally:
            self.hold.release()


def resolve_then(runner: Runner, lookup: Callable[[], T], done: Callable[[T], None]) -> None:
    """Run `lookup` (of a scanned or typed code) on the worker, then `done`, which moves the cursor;
    keys typed or scanned meanwhile wait and then go where the cursor went (the module's docstring)."""
    hold = router().hold()
    runner.run(lookup, hold.then(done), hold.failed(runner.default_error))


def drop_typed_ahead() -> None:
    """The lookup answered "unknown code": what was typed after that scan is not meant for the field
    the cursor goes back to (a quantity would land in Part as a code) and is dropped; a label scanned
    after it still counts, with what is typed after that label."""
    router().drop_waiting()


def _alive(widget: QWidget) -> bool:
    try:
        widget.objectName()
    except RuntimeError:  # deleted while its keys were held
        return False
    return True


def router() -> ScanRouter:
    return ScanRouter.install()
