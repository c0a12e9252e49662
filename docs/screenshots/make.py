"""Screenshots for the README, taken from the real window at 1280 x 720 on a demo plant.

    xvfb-run -s "-screen 0 1280x720x24" .venv/bin/python docs/screenshots/make.py

Makes a demo plant in a temporary data folder, signs in, and saves what a keeper sees: a rack scanned
in the scan box, the Receive dialog refusing a barcode scanned into Quantity, count entry, and the
dashboard. Everything goes through the same key events a wedge scanner sends.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

HERE = Path(__file__).resolve().parent
os.environ["STOREROOM_HOME"] = tempfile.mkdtemp(prefix="storeroom-shots-")
sys.path.insert(0, str(HERE.parents[1]))

from desktop import paths  # noqa: E402
from desktop.db import open_database  # noqa: E402
from desktop.models.enums import MoveKind  # noqa: E402
from desktop.services import demo
from desktop.services.counts import sessions as counts
from desktop.services.catalogue import locations  # noqa: E402
from desktop.services.admin.users import ensure_user  # noqa: E402
from desktop.tasks import SyncRunner  # noqa: E402
from desktop.ui import ui_scale  # noqa: E402
from desktop.ui.context import AppContext, AppEvents  # noqa: E402
from desktop.ui.main_window import MainWindow  # noqa: E402


def settle(ms: int = 300) -> None:
    end = time.monotonic() + ms / 1000
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)


def scan(code: str) -> None:
    """A wedge scanner: the characters and Enter, 3 ms apart, to the focused widget."""
    start = time.monotonic() * 1000
    keys = [(ch, Qt.Key.Key_Minus if ch == "-" else ord(ch.upper())) for ch in code] + [("\r", Qt.Key.Key_Return)]
    for n, (text, key) in enumerate(keys):
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text)
            event.setTimestamp(int(start + 3 * n))
            target = QApplication.focusWidget()
            if target is None:
                raise SystemExit("nothing has the keyboard focus (is a window manager or Xvfb running?)")
            QApplication.sendEvent(target, event)
    settle()


def focus_window(widget: QWidget) -> None:
    """What a window manager does on a click (Xvfb has none): the window gets the keyboard."""
    widget.activateWindow()
    subprocess.run(["xdotool", "windowfocus", "--sync", str(int(widget.window().winId()))], check=False)
    settle()


def shot(widget: QWidget, name: str) -> None:
    settle()
    widget.window().grab().save(str(HERE / f"{name}.png"))
    print("saved", name)


def main() -> None:
    app = QApplication(sys.argv[:1])
    ui_scale.apply(ui_scale.DEFAULT)
    db = open_database(str(paths.default_sqlite_path()))
    actor = ensure_user(db)
    demo.load_demo(db, actor)
    window = MainWindow(AppContext(db, actor, SyncRunner(lambda e: print(e)), AppEvents()))
    window.resize(1280, 720)
    window.show()
    settle(800)
    focus_window(window)
    window.scan_box.setFocus()
    scan("L-A01")
    shot(window, "main-window")
    dialog = window.open_move(MoveKind.RECEIPT)
    dialog.move(window.x() + 330, window.y() + 150)
    focus_window(dialog)
    scan("L-A-01-03")
    scan("P-BELT-1117")
    scan("4006381333931")
    settle()
    dialog.grab().save(str(HERE / "receive-refuses-a-barcode.png"))
    dialog.close()
    focus_window(window)
    rack = locations.get_location_id(db, "A-02-03")
    session_id = counts.start_session(db, actor, "Count A-02-03", [rack], blind=True)
    window.scan_box.setFocus()
    scan(f"CS-{session_id}")
    scan("L-A-02-03")
    shot(window, "count-entry")
    window.go_to("Dashboard")
    settle(1500)
    shot(window, "dashboard")
    app.quit()


if __name__ == "__main__":
    main()
