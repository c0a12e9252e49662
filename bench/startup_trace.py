"""A timeline of what the app does between its start and the first parts list (diagnosis only).

    QT_QPA_PLATFORM=offscreen STOREROOM_PIN=2468 python -m bench.startup_trace --db FILE [--user NAME]

Runs `desktop.app.main(--measure-startup)` in this process with hooks added from outside (nothing in
desktop/ is changed): every SQL statement slower than 2 ms, every parts-list search the model starts
(and who started it), each `search_part_ids` / `part_rows` call and the scheduled backup, with the
thread they ran on. cProfile only sees the main thread; the app does its database work on a worker.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any

T0 = time.perf_counter()
Event = tuple[float, float, str, str]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.startup_trace")
    parser.add_argument("--db", required=True)
    parser.add_argument("--user")
    args = parser.parse_args(argv)

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    events: list[Event] = []

    def note(start: float, what: str) -> None:
        events.append((start - T0, time.perf_counter() - start, threading.current_thread().name, what))

    @event.listens_for(Engine, "before_cursor_execute")
    def _before(conn: Any, *_args: Any) -> None:
        conn.info.setdefault("bench_t", []).append(time.perf_counter())

    @event.listens_for(Engine, "after_cursor_execute")
    def _after(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        start = conn.info["bench_t"].pop()
        if time.perf_counter() - start > 0.002:
            note(start, "SQL " + " ".join(statement.split())[:100])

    import desktop.app as app_module

    imported = time.perf_counter() - T0
    from desktop.services.catalogue import parts_list
    from desktop.ui.catalogue import parts_model

    def timed(owner: Any, name: str, label: Callable[[Any], str]) -> None:
        original = getattr(owner, name)

        def wrapper(*a: Any, **k: Any) -> Any:
            start = time.perf_counter()
            result = original(*a, **k)
            note(start, f"{name}() -> {label(result)}")
            return result

        setattr(owner, name, wrapper)

    timed(parts_list, "search_part_ids", lambda r: f"{len(r):,} ids")
    timed(parts_list, "part_rows", lambda r: f"{len(r):,} rows")
    backups = getattr(app_module, "backups", None)
    if backups is not None:
        timed(backups, "backup_if_due", lambda r: f"backup {'made' if r else 'not due'}")
    original_search = parts_model.PartsTableModel.search

    def search(self: Any, *a: Any, **k: Any) -> Any:
        frames = traceback.extract_stack()[-6:-1]
        who = " < ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno} {f.name}" for f in reversed(frames))
        note(time.perf_counter(), f"model.search() queued, called from {who}")
        return original_search(self, *a, **k)

    parts_model.PartsTableModel.search = search  # type: ignore[method-assign]
    argv_app = ["--db", args.db, "--measure-startup"] + (["--user", args.user] if args.user else [])
    code = app_module.main(argv_app)
    print(
        f"imports of desktop.app done at {imported:.3f} s; exit code {code}; "
        f"total {time.perf_counter() - T0:.3f} s"
    )
    for start, took, thread, what in sorted(events):
        print(f"{start:7.3f} s  {took * 1000:8.1f} ms  {thread[:15]:15}  {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
