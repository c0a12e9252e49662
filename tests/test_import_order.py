"""Starting the app imports the database layer and the services before PySide6 (desktop/app.py):
PySide6 reads the source of every module imported after it, about 0.2 ms each."""

from __future__ import annotations

import json
import subprocess
import sys

_PROBE = """
import importlib.abc, json, sys
order = []
class Record(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        order.append(name)
sys.meta_path.insert(0, Record())
import desktop.app
print(json.dumps(order))
"""


def test_services_and_sqlalchemy_are_imported_before_pyside6() -> None:
    out = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True).stdout
    order: list[str] = json.loads(out)
    assert "PySide6" in order and "sqlalchemy" in order
    late = order[order.index("PySide6") :]
    misplaced = [
        name
        for name in late
        if name.startswith("sqlalchemy")
        or (name.startswith("desktop.") and not name.startswith("desktop.ui"))
    ]
    assert not misplaced, f"imported after PySide6 at start; add to desktop/services/startup.py: {misplaced}"
    assert len(order) > 300  # the probe saw the whole start, not an import that failed early
