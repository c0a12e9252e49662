"""The app starts without the renderers: reportlab, PIL and python-barcode load at the first print or
label, not with the main window (they cost a keeper's PC a noticeable part of a second at every start).
A service module importing a report type at the top (as catalogue.label_rows once did) fails this."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from desktop import db as dbmod
from desktop import schema
from desktop.services.admin.users import ensure_user
from desktop.tasks import SyncRunner
from desktop.ui.context import AppContext, AppEvents
from desktop.ui.main_window import MainWindow
import desktop.app
database = dbmod.Database(sys.argv[1])
schema.upgrade(database, backup=False)
window = MainWindow(AppContext(database, ensure_user(database, "admin"), SyncRunner(print), AppEvents()))
window.show()
app.processEvents()
print(sorted(m for m in ("reportlab", "PIL", "barcode", "desktop.reports.labels") if m in sys.modules))
"""


def test_the_main_window_opens_without_the_renderers(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "STOREROOM_DB_URL"} | {
        "STOREROOM_HOME": str(tmp_path),
        "QT_QPA_PLATFORM": "offscreen",
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path / "x.sqlite3")],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=120,
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout
