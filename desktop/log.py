"""Logging set-up: one file in the data folder plus stderr; configured only by entry points."""

from __future__ import annotations

import logging
import logging.handlers

from desktop import paths


def setup(verbose: bool = False) -> None:
    root = logging.getLogger()
    if root.handlers:
        return
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        file = logging.handlers.RotatingFileHandler(
            paths.data_dir() / "storeroom.log", maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
        file.setFormatter(fmt)
        root.addHandler(file)
    except OSError:
        pass  # a read-only data folder must not stop the app; stderr still gets everything
    console = logging.StreamHandler()
    console.setFormatter(fmt)
    console.setLevel(logging.WARNING)
    root.addHandler(console)
