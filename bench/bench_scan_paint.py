"""Scan to painted screen in the real window, and a scanner burst outside the scan box (#22).

What a keeper feels is the time from the scanner's Enter to the answer on screen. The main window of a
signed-in keeper runs on the plant database; each scan arrives as key events to the focused widget at
scanner speed (2 ms apart, as `tests/ui/keys.scan` types them) and the clock runs from sending the
Enter key to the end of the window's last repaint after the scan was shown (`scan_handled`), measured
inside QApplication.notify. Labels: parts (`P-…`), bins, racks and areas (`L-…`). Python's collector runs
as the app runs it: what start-up built frozen, and collections from a timer between events.

The burst: 1,000 codes scanned with the focus in the parts search box, a table, and the sidebar. Each
must reach the scan handler (`scan_handled`) and none may land in the search box as text.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_scan_paint [DB] [--scans 200] [--burst 1000]
(`python -m bench.run` runs it too, and puts its figures in RESULTS.md.)
(DB defaults to bench/data/plant.sqlite3, made by `python -m bench.generate`; PIN 2468 for everyone.)
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

PIN = "2468"
GAP_MS = 2
PREFIX = "scan-paint "


class TimedApp(QApplication):
    """Stamps the end of every repaint of a top-level window (offscreen, a repaint is the window's
    UpdateRequest: Qt paints every dirty child inside it and flushes the backing store)."""

    def __init__(self, argv: list[str]) -> None:
        super().__init__(argv)
        self.last_paint = 0.0
        self.paints = 0

    def notify(self, receiver: QObject, event: QEvent) -> bool:
        done = super().notify(receiver, event)
        if (
            event.type() == QEvent.Type.UpdateRequest
            and isinstance(receiver, QWidget)
            and receiver.isWindow()
        ):
            self.last_paint = time.perf_counter()
            self.paints += 1
        return done


def _keys(code: str) -> list[tuple[int, str]]:
    special = {"-": Qt.Key.Key_Minus, ".": Qt.Key.Key_Period, "/": Qt.Key.Key_Slash, " ": Qt.Key.Key_Space}
    keys = [(int(special.get(ch, ord(ch.upper()))), ch) for ch in code]
    return [*keys, (int(Qt.Key.Key_Return), "\r")]


def send_scan(code: str, before_enter: Callable[[], None] = lambda: None) -> None:
    """The scanner types `code` and Enter into whatever has focus, stamped GAP_MS apart."""
    start = time.monotonic() * 1000.0
    keys = _keys(code)
    for n, (key, text) in enumerate(keys):
        if n == len(keys) - 1:
            before_enter()
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            widget = QApplication.focusWidget()
            assert widget is not None, "nothing has the keyboard focus"
            event = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text)
            event.setTimestamp(int(start + n * GAP_MS))
            QApplication.sendEvent(widget, event)


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def _codes(db: Any, rng: random.Random, n: int) -> dict[str, list[str]]:
    from sqlalchemy import select

    from desktop.codes import location_payload, part_payload
    from desktop.models import Location, Part
    from desktop.models.enums import LocationLevel

    def pick(rows: list[Any], k: int) -> list[Any]:
        return rng.sample(rows, min(k, len(rows)))

    def read(s: Any) -> tuple[list[Any], dict[LocationLevel, list[str]]]:
        parts = list(s.execute(select(Part.part_number, Part.id).order_by(Part.id).limit(20_000)))
        by_level = {
            level: list(s.scalars(select(Location.code).where(Location.level == level.value)))
            for level in (LocationLevel.BIN, LocationLevel.RACK, LocationLevel.AREA)
        }
        return parts, by_level

    parts, by_level = db.read(read)
    return {
        "part": [part_payload(p, i) for p, i in pick(parts, n)],
        "bin": [location_payload(c) for c in pick(by_level[LocationLevel.BIN], n)],
        "rack": [location_payload(c) for c in pick(by_level[LocationLevel.RACK], n)],
        "area": [location_payload(c) for c in pick(by_level[LocationLevel.AREA], n)],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_scan_paint")
    parser.add_argument("db", nargs="?", default=str(Path(__file__).parent / "data" / "plant.sqlite3"))
    parser.add_argument("--scans", type=int, default=200, help="scans of each label kind")
    parser.add_argument("--burst", type=int, default=1000, help="codes scanned outside the scan box")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="end with one line for bench.run: " + PREFIX)
    args = parser.parse_args(argv)

    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def quiet(_kind: QtMsgType, _context: object, message: str) -> None:
        if "propagateSizeHints" not in message:  # the offscreen platform says it at every dialog
            print(message, file=sys.stderr)

    qInstallMessageHandler(quiet)
    app = TimedApp(sys.argv[:1])
    from desktop.ui import app_style

    app_style.install(app)  # as desktop.app.main does
    from desktop.db import open_database
    from desktop.services.admin import users
    from desktop.tasks import TaskRunner
    from desktop.ui.admin.session import UserSession
    from desktop.ui.context import AppEvents
    from desktop.ui.garbage import GarbageCollector

    db = open_database(f"sqlite:///{args.db}")
    runner = TaskRunner(lambda exc: print("error:", exc, file=sys.stderr))
    session = UserSession(db, runner, AppEvents(), idle_minutes=600)
    session.begin(users.authenticate(db, "keeper01", PIN))
    window = session.window
    assert window is not None
    window.resize(1280, 800)

    def settle() -> None:
        """Until the worker is idle and two passes of the event loop paint nothing more."""
        quiet = 0
        while quiet < 2:
            before = app.paints
            app.processEvents()
            if runner._pending:
                quiet = 0
                time.sleep(0.0005)
            elif app.paints == before:
                quiet += 1
            else:
                quiet = 0

    handled: list[object] = []
    window.scan_handled.connect(handled.append)
    settle()
    # the collector as desktop.app.main runs it: what start-up built frozen, collections between events
    gc.freeze()
    collector = GarbageCollector(app)
    codes = _codes(db, random.Random(args.seed), args.scans)

    results: dict[str, list[float]] = {}
    for kind, batch in codes.items():
        times = []
        for code in batch:
            window.focus_scan()
            settle()
            handled.clear()
            marks: dict[str, float] = {}
            send_scan(code, lambda m=marks: m.__setitem__("enter", time.perf_counter()))  # type: ignore[misc]
            while not handled:
                app.processEvents()
                if runner._pending:
                    time.sleep(0.0002)
            settle()
            times.append((app.last_paint - marks["enter"]) * 1000)
        results[kind] = times

    print(f"scan to painted screen on {args.db} ({args.scans} scans of each kind, offscreen)")
    for kind, ms in results.items():
        if ms:
            median, p95 = statistics.median(ms), _p95(ms)
            print(f"  {kind:5}: median {median:6.1f} ms, p95 {p95:6.1f} ms, max {max(ms):6.1f} ms")

    # the burst: focus away from the scan box, then scan
    from PySide6.QtWidgets import QLineEdit

    parts_page = window.parts_page
    places: list[tuple[str, Callable[[], QWidget]]] = [
        ("parts search box", lambda: parts_page.search),
        ("parts table", lambda: parts_page.table),
        ("sidebar", lambda: window.nav),
    ]
    pool = [c for batch in codes.values() for c in batch]
    rng = random.Random(args.seed + 1)
    lost = 0
    stray_text = 0
    for n in range(args.burst):
        where, widget_of = places[n % len(places)]
        window.go_to("Parts")
        widget = widget_of()
        widget.setFocus()
        settle()
        handled.clear()
        send_scan(rng.choice(pool))
        deadline = time.perf_counter() + 5
        while not handled and time.perf_counter() < deadline:
            app.processEvents()
            time.sleep(0.0002)
        if not handled:
            lost += 1
            print(f"  lost: scan {n} with the focus in the {where}", file=sys.stderr)
        search = parts_page.search
        if isinstance(search, QLineEdit) and search.text().startswith(("P-", "L-")):
            stray_text += 1
            search.clear()
    print(f"scanner burst outside the scan box: {args.burst} scans, {lost} lost, {stray_text} as search text")
    if args.json:
        report = {"scans": results, "burst": args.burst, "lost": lost, "stray": stray_text}
        print(PREFIX + json.dumps(report), flush=True)
    collector.stop()
    runner.shutdown()
    db.dispose()
    return 0 if lost == 0 and stray_text == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
