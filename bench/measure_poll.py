"""The other-PC watcher's poll (desktop.services.changes.marks): one statement every 3 s on every PC,
so it has to stay a few milliseconds on the plant."""

from __future__ import annotations

from bench.measure_floor import timed
from bench.report import Result, from_samples
from desktop.db import Database
from desktop.services import changes


def measure_poll(db: Database, repeat: int) -> list[Result]:
    samples = timed(lambda: changes.marks(db), repeat)
    return [
        from_samples(
            "poll.marks",
            f"change markers of {len(changes.WATCHED)} tables (one poll)",
            samples,
            target="p95 under 20 ms: every PC polls every 3 s",
            limit_p95=20.0,
        )
    ]
