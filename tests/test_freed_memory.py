"""After a hand-over the closed window's heap goes back to the operating system (desktop/ui/garbage.py)."""

from __future__ import annotations

import sys

import pytest

from bench.app_probe import proc_status
from desktop.ui import garbage


def _rss_mb() -> float:
    return proc_status()["VmRSS"] / 1024


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim: Linux only")
def test_freed_heap_is_handed_back() -> None:
    assert garbage._malloc_trim is not None  # glibc, as on every Linux this app is built for
    chunks = [bytes(4000) + bytes([i % 256]) for i in range(20_000)]  # ~80 MB in malloc's heap
    pin = [bytes(4000) for _ in range(10)]  # above them: the heap's top cannot shrink by itself
    full = _rss_mb()
    del chunks
    kept = _rss_mb()
    garbage.return_freed_memory()
    assert full - kept < 20  # freed, yet still held by the process
    assert kept - _rss_mb() > 50  # handed back
    assert len(pin) == 10
