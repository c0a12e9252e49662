"""Python's garbage collector, run only from the event loop's top level.

Left automatic, the collector runs whenever Python allocates, which in a Qt app is often inside an
event handler or event filter. If it then frees a window or dialog that only a reference cycle kept
alive, the C++ object is deleted while Qt is still delivering an event to it, and the app crashes
(the likeliest cause of a segfault our suite saw in a timer event passing the scanner's event
filter). It also keeps collection off the database worker thread, where freeing a widget is never
safe. Anki does the same for the same reasons (aqt's GarbageCollector).
"""

from __future__ import annotations

import ctypes
import gc
import sys
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer


class GarbageCollector(QObject):
    """Turns automatic collection off and collects, generation by generation, once a second."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> None:
        """What the automatic collector would have done by now, at a point no event is being delivered."""
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self.threshold[generation]:
                gc.collect(generation)  # a generation's collection includes the younger ones
                return

    def stop(self) -> None:
        self.timer.stop()
        gc.enable()


def _find_malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None


_malloc_trim = _find_malloc_trim()


def return_freed_memory() -> None:
    """Hands the heap a closed window freed back to the operating system. glibc keeps it otherwise: a
    hand-over left ~14 MB more in the process than before it (bench/bench_hand_over.py), reused by the
    next window but never returned. Under 1 ms; elsewhere than Linux with glibc it does nothing."""
    if _malloc_trim is not None:
        _malloc_trim(0)
