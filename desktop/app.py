"""Start the desktop app: first-start choice, open and upgrade the database, show the main window."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
import time
from collections.abc import Sequence
from types import TracebackType

# PySide6 reads the source of every module imported after it, looking for its own name (PYSIDE-2029,
# about 0.2 ms a module). The database layer and the services behind the window (with SQLAlchemy,
# some 300 modules) are imported before it: 80-100 ms off every start. tests/test_import_order.py
# keeps it so.
import desktop.services.startup  # noqa: F401  (imported for the order alone)
from desktop import backups, config, credentials, log, paths
from desktop import db as dbmod
from desktop.errors import UserError
from desktop.quantities import set_decimal_mark
from desktop.services.admin import users
from desktop.services.admin.users import ensure_user
from desktop.tasks import TaskRunner

# isort: split
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox, QProgressDialog

from desktop.ui import app_style, ui_scale
from desktop.ui.admin.connection_dialog import ConnectionDialog
from desktop.ui.admin.first_start import FirstStartDialog, StartChoice
from desktop.ui.admin.session import UserSession
from desktop.ui.change_watcher import ChangeWatcher
from desktop.ui.common import show_error
from desktop.ui.context import AppEvents
from desktop.ui.garbage import GarbageCollector
from desktop.ui.lots.expiry_watch import ExpiryWatch

logger = logging.getLogger("storeroom.app")
_STARTED = time.perf_counter()


def _excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    logger.critical("uncaught exception", exc_info=(kind, exc, tb))
    if QApplication.instance() is not None:
        show_error(None, exc)


def _first_start(runner: TaskRunner) -> tuple[str, bool] | None:
    """Ask how to start; returns (database URL, load demo) or None if the user cancelled."""
    dialog = FirstStartDialog()
    if not dialog.exec():
        return None
    choice = dialog.choice()
    if choice is StartChoice.POSTGRES:
        server = ConnectionDialog(runner)  # tests the server, then saves it (password in the keyring)
        if not server.exec() or server.url is None:
            return None
        return server.url, False
    return str(paths.default_sqlite_path()), choice is StartChoice.DEMO


def _load_demo(database: dbmod.Database) -> None:
    actor = ensure_user(database)
    progress = QProgressDialog("Building the demo plant…", "", 0, 600)
    progress.setCancelButton(None)
    progress.setMinimumDuration(0)

    def step(done: int, total: int) -> None:
        progress.setMaximum(total)
        progress.setValue(done)
        QApplication.processEvents()

    from desktop.services import demo  # only for a first start that asks for the demo plant

    demo.load_demo(database, actor, progress=step)
    progress.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="storeroom-desktop")
    parser.add_argument("--db", help="database URL or SQLite file")
    parser.add_argument("--user", help="sign in as this user, PIN from STOREROOM_PIN (kiosk start-up)")
    parser.add_argument(
        "--measure-startup",
        action="store_true",
        help="print seconds from start to a usable main window, then quit (benchmark)",
    )
    args = parser.parse_args(list(argv) if argv is not None else sys.argv[1:])
    log.setup()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Storeroom")
    QGuiApplication.setDesktopFileName("storeroom")
    sys.excepthook = _excepthook

    from desktop.models import load_all

    load_all()  # every table mapped, as the tests run (a short CLI command may map only its own)
    app_style.install(app)
    ui_scale.apply()  # this PC's text size, before the first window is built
    runner = TaskRunner(lambda exc: show_error(QApplication.activeWindow(), exc))
    load_demo = False
    first_start = config.is_first_start()
    if args.db:
        url = args.db
    elif first_start:
        chosen = _first_start(runner)
        if chosen is None:
            return 0
        url, load_demo = chosen
    else:
        url = config.database_url()
    if credentials.needs_password(url):  # a shared server, and no keyring kept its password
        password, ok = QInputDialog.getText(
            None, "Storeroom", f"Password for {credentials.account(url)}:", QLineEdit.EchoMode.Password
        )
        if not ok:
            return 0
        url = credentials.with_password(url, password)
    try:
        database = dbmod.open_database(url)
        if first_start and not args.db:
            config.save_database_url(url)
        if load_demo:
            try:
                _load_demo(database)
            except UserError as exc:  # e.g. the file already holds a storeroom: open it as it is
                QMessageBox.information(None, "Storeroom", exc.message)
        script_user = (
            users.script_actor(database, args.user, os.environ.get("STOREROOM_PIN"))
            if args.user or args.measure_startup
            else None
        )
    except UserError as exc:
        QMessageBox.critical(None, "Storeroom", f"The database could not be opened:\n\n{exc.message}")
        return 1

    set_decimal_mark(config.AppConfig.current().decimal_mark)  # typed numbers as this PC writes them
    events = AppEvents()
    session = UserSession(
        database,
        runner,
        events,
        idle_minutes=config.AppConfig.current().idle_minutes,
        os_user=users.os_user(),
    )
    watcher = ChangeWatcher(database, runner, events)  # other PCs' and scripts' changes reach the screens
    watcher.start()
    if database.is_sqlite:  # a daily copy of the file, two weeks kept; checked hourly while the app runs
        backup_timer = QTimer()
        backup_timer.setInterval(3600 * 1000)
        backup_timer.timeout.connect(
            lambda: runner.run(lambda: backups.backup_if_due(database), lambda _p: None)
        )
        backup_timer.start()
        # The first check waits a minute: the copy runs on the database worker and must not hold up the
        # first screen (a 440 MB file takes almost a second).
        QTimer.singleShot(60_000, backup_timer.timeout.emit)
    # expired lots to the plant's quarantine location, if it chose one, hourly, as the person signed in
    expiry = ExpiryWatch(
        database,
        runner,
        events,
        lambda: session.actor,
        lambda text: session.window.statusBar().showMessage(text, 60_000) if session.window else None,
    )
    expiry.start()
    session.ended.connect(app.quit)
    if script_user is not None:
        session.begin(script_user)
    else:  # the first administrator or a sign-in, once the event loop runs; cancelled: `ended` quits
        session.start()
    if args.measure_startup and session.window is not None:
        # Usable = window shown and the first page of the parts list fetched and painted: the ids come
        # with `loaded`, the rows on screen with the model's first dataChanged after it.
        model = session.window.parts_page.model

        def usable() -> None:
            QTimer.singleShot(
                0, lambda: (print(f"startup {time.perf_counter() - _STARTED:.3f} s"), app.quit())
            )

        def searched(count: int) -> None:
            if count == 0:
                usable()
            else:
                model.dataChanged.connect(lambda *_a: usable(), Qt.ConnectionType.SingleShotConnection)

        model.loaded.connect(searched)
    # What start-up built (Qt wrappers, SQLAlchemy's mappings, every module) lives as long as the app:
    # keep the cyclic collector from walking it again in every full collection, which now and then
    # paused a scan by 30-80 ms (an area label: max 45 -> 8 ms over 260 scans).
    gc.freeze()
    collector = GarbageCollector(app)  # collect between events, never inside one
    code = app.exec()
    collector.stop()
    runner.shutdown()
    database.dispose()
    return code


if __name__ == "__main__":
    sys.exit(main())
