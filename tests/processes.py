"""Several processes doing the same thing at the same moment (the PostgreSQL concurrency tests)."""

from __future__ import annotations

import multiprocessing as mp
import time
from collections.abc import Callable, Sequence
from typing import Any


def run_at_once(
    target: Callable[..., None], workers_args: Sequence[tuple[Any, ...]], *, delay: float = 2.0
) -> list[Any]:
    """One spawned process per args tuple, each called as target(*args, start, queue): it waits for `start`
    (see `wait_for`) so all begin together, and puts exactly one result on the queue. Returns the results."""
    ctx = mp.get_context("spawn")
    out: mp.Queue[Any] = ctx.Queue()
    start = time.time() + delay
    workers = [ctx.Process(target=target, args=(*args, start, out)) for args in workers_args]
    for w in workers:
        w.start()
    results = [out.get(timeout=120) for _ in workers]
    for w in workers:
        w.join(timeout=30)
        assert w.exitcode == 0
    return results


def wait_for(start: float) -> None:
    while time.time() < start:
        time.sleep(0.001)
