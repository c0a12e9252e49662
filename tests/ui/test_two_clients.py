"""Two PCs on one database: each sees the other's moves without restarting."""

from __future__ import annotations

from decimal import Decimal

from pytestqt.qtbot import QtBot

from desktop.db import Database
from desktop.models.enums import MoveKind, Role
from desktop.services import changes, parts
from desktop.services.stock import MoveRequest, post_move
from desktop.services.users import ensure_user
from desktop.tasks import WorkerSyncRunner
from desktop.ui.change_watcher import ChangeWatcher
from desktop.ui.context import AppContext, AppEvents
from desktop.ui.main_window import MainWindow
from tests.factories import make_part, make_tree, receive


def _raise(exc: BaseException) -> None:
    raise exc


def test_other_clients_moves_and_edits_reach_the_screen(qtbot: QtBot, db: Database) -> None:
    admin = ensure_user(db, "root", role=Role.ADMIN)
    tree = make_tree(db, admin)
    part = make_part(db, admin, "6205-2RS")
    other_pc = Database(db.url)  # a second client: its own engine and connections
    mine = Database(db.url)
    events = AppEvents()
    window = MainWindow(AppContext(mine, admin, WorkerSyncRunner(_raise), events))
    qtbot.addWidget(window)
    window.go_to("Stock")
    watcher = ChangeWatcher(mine, WorkerSyncRunner(_raise), events)
    watcher.poll()  # first look: remembers where the database is
    assert window.stock_page.table.rowCount() == 0

    receive(other_pc, admin, part.id, tree["A-01-01"].id, "6")  # posted at the other PC
    post_move(
        other_pc, admin, MoveRequest(MoveKind.ISSUE, part.id, Decimal(2), from_location_id=tree["A-01-01"].id)
    )
    with qtbot.waitSignal(events.data_changed) as announced:
        watcher.poll()
    assert announced.args[0] == {"stock"}
    assert window.stock_page.table.rowCount() == 2
    assert window.stock_page.table.item(0, 2).text() == "ISSUE"

    parts.update_part(other_pc, admin, part.id, parts.PartInput("6205-2RS", "Bearing renamed elsewhere"))
    with qtbot.waitSignal(events.data_changed) as announced:
        watcher.poll()
    assert "parts" in announced.args[0]
    with qtbot.assertNotEmitted(events.data_changed):
        watcher.poll()  # nothing new: nothing announced
    other_pc.dispose()
    mine.dispose()


def test_marks_move_only_when_something_was_written(db: Database) -> None:
    admin = ensure_user(db, "root", role=Role.ADMIN)
    before = changes.marks(db)
    assert changes.changed(before, changes.marks(db)) == set()
    make_part(db, admin, "X-1")
    assert changes.changed(before, changes.marks(db)) == {"parts", "locations", "users"}
