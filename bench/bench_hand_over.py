"""Hand-over on the plant: the next person's PIN checked, their window shown with the scan box ready
(target p95 < 300 ms), and memory after many hand-overs against after the first (target within 10 MB).

The parts list then fills in the background; a scan typed meanwhile waits for it on the one worker
thread, so the time until the list has rows is printed too.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python -m bench.bench_hand_over [DB] [--times 200]
(`python -m bench.run` runs it too, and puts its figures in RESULTS.md.)
(DB defaults to bench/data/plant.sqlite3, made by `python -m bench.generate`; PIN 2468 for everyone.)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from bench.app_probe import proc_status

PIN = "2468"
PREFIX = "hand-over "


def _p95(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.95 * len(values)) - 1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_hand_over")
    parser.add_argument("db", nargs="?", default=str(Path(__file__).parent / "data" / "plant.sqlite3"))
    parser.add_argument("--times", type=int, default=200)
    parser.add_argument("--json", action="store_true", help="end with one line for bench.run: " + PREFIX)
    args = parser.parse_args(argv)

    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    from desktop.db import open_database
    from desktop.services.admin import users
    from desktop.tasks import TaskRunner
    from desktop.ui.admin.session import UserSession
    from desktop.ui.context import AppEvents

    db = open_database(f"sqlite:///{args.db}")
    runner = TaskRunner(lambda exc: print("error:", exc, file=sys.stderr))
    session = UserSession(db, runner, AppEvents(), idle_minutes=60)
    people = ["keeper01", "keeper02"]

    def settle_list() -> None:
        while runner._pending:  # the new window's parts list, on the worker thread
            app.processEvents()
            time.sleep(0.001)

    ready, listed, rss = [], [], []
    for n in range(args.times):
        if session.actor is not None:
            session.switch_user()  # Ctrl+U
            # what the event loop does next: delete the closed window (processEvents() alone does not)
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        start = time.perf_counter()
        actor = users.authenticate(db, people[n % 2], PIN)
        session.begin(actor)
        app.processEvents()  # shown and painted, the scan box focused
        window = session.window
        assert window is not None
        ready.append(time.perf_counter() - start)
        settle_list()
        listed.append(time.perf_counter() - start)
        rss.append(proc_status()["VmRSS"] / 1024)
    runner.shutdown()
    db.dispose()
    ms = [x * 1000 for x in ready]
    ms_list = [x * 1000 for x in listed]
    print(f"hand-overs: {args.times} on {args.db}")
    print(f"  PIN checked to scan box ready: median {statistics.median(ms):.0f} ms, p95 {_p95(ms):.0f} ms")
    filled = f"median {statistics.median(ms_list):.0f} ms, p95 {_p95(ms_list):.0f} ms"
    print(f"  ... to the parts list filled: {filled}")
    grew = rss[-1] - rss[0]
    print(f"  memory after the first {rss[0]:.1f} MB, after the last {rss[-1]:.1f} MB (+{grew:.1f} MB)")
    if args.json:
        print(PREFIX + json.dumps({"ready_ms": ms, "listed_ms": ms_list, "rss_mb": rss}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
