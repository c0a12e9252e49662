"""Run the real app on a database, show the parts list, sort it by every column, then report memory.

    QT_QPA_PLATFORM=offscreen STOREROOM_PIN=2468 python -m bench.app_probe --db FILE --user bench-admin

Starts `desktop.app.main` as a user would (with --user, the kiosk start-up), waits for the parts list
to be loaded and its first rows fetched, clicks through every column header in both directions (each a
new SQL sort), fetches the last block of rows too, and prints one line `probe {json}` with the
resident set size at each stage and the peak (VmHWM), read from /proc/self/status.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

PREFIX = "probe "


def proc_status() -> dict[str, int]:
    """VmRSS, VmHWM and friends in kB (Linux)."""
    out: dict[str, int] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key.startswith("Vm") and value.strip().endswith("kB"):
            out[key] = int(value.split()[0])
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.app_probe")
    parser.add_argument("--db", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    report: dict[str, object] = {"rss_interpreter_kb": proc_status()["VmRSS"]}

    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication

    import desktop.app as app_module
    from desktop.ui.main_window import MainWindow

    report["rss_imports_kb"] = proc_status()["VmRSS"]
    app = QApplication(sys.argv[:1])
    steps: list[tuple[int, Qt.SortOrder]] = []
    state: dict[str, object] = {"window": None}

    def finish(error: str | None = None) -> None:
        status = proc_status()
        report.update(
            rss_end_kb=status["VmRSS"],
            hwm_kb=status["VmHWM"],
            seconds=round(time.perf_counter() - started, 3),
        )
        if error:
            report["error"] = error
        print(PREFIX + json.dumps(report), flush=True)
        app.quit()

    def touch_rows(window: MainWindow) -> None:
        model = window.parts_page.model
        rows = model.rowCount()
        for row in (0, rows // 2, rows - 1):  # first, middle and last block, as scrolling would
            if row >= 0:
                model.data(model.index(row, 0))

    def next_sort(_count: int = 0) -> None:
        window = state["window"]
        assert isinstance(window, MainWindow)
        touch_rows(window)
        if not steps:
            report["rss_sorted_kb"] = proc_status()["VmRSS"]
            window.parts_page.model.loaded.disconnect(next_sort)
            QTimer.singleShot(0, finish)
            return
        column, order = steps.pop(0)
        window.parts_page.table.sortByColumn(column, order)

    def poll() -> None:
        for widget in app.topLevelWidgets():
            if isinstance(widget, MainWindow) and widget.isVisible():
                model = widget.parts_page.model
                if model.rowCount() > 0:
                    state["window"] = widget
                    touch_rows(widget)
                    app.processEvents()
                    report["rows"] = model.rowCount()
                    report["rss_shown_kb"] = proc_status()["VmRSS"]
                    report["shown_after_s"] = round(time.perf_counter() - started, 3)
                    for column in range(model.columnCount()):
                        steps.append((column, Qt.SortOrder.DescendingOrder))
                        steps.append((column, Qt.SortOrder.AscendingOrder))
                    model.loaded.connect(next_sort)
                    next_sort()
                    return
        QTimer.singleShot(20, poll)

    QTimer.singleShot(0, poll)
    QTimer.singleShot(int(args.timeout * 1000), lambda: finish("timed out"))
    code = app_module.main(["--db", args.db, "--user", args.user])
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
