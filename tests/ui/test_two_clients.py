"""Two PCs on one database: each sees the other's moves without restarting."""

from __future__ import annotations

from decimal import Decimal

from pytestqt.qtbot import QtBot

from desktop.db import Database
from desktop.models.enums import AssetLevel, MoveKind, Role
from desktop.services import changes, mro
from desktop.services import purchasing as po
from desktop.services.actor import Actor
from desktop.services.admin.users import ensure_user
from desktop.services.catalogue import parts, suppliers
from desktop.services.catalogue.suppliers import PartSupplierInput
from desktop.services.counts import sessions as counts
from desktop.services.kanban import loops as kb
from desktop.services.kanban.loops import LoopInput, LoopKind
from desktop.services.stock.moves import MoveRequest, post_move
from desktop.tasks import WorkerSyncRunner
from desktop.ui.change_watcher import ChangeWatcher
from desktop.ui.context import AppContext, AppEvents
from desktop.ui.main_window import MainWindow
from tests.factories import make_part, make_tree, receive
from tests.ui.test_scan_and_moves import scan_into


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


def _pc(qtbot: QtBot, url: str, actor: Actor) -> tuple[Database, MainWindow, AppEvents]:
    """One client PC: its own engine, events and a shown main window."""
    pc_db, events = Database(url), AppEvents()
    window = MainWindow(AppContext(pc_db, actor, WorkerSyncRunner(_raise), events))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return pc_db, window, events


def test_a_kanban_scan_at_one_pc_refreshes_the_board_at_another(qtbot: QtBot, db: Database) -> None:
    admin = ensure_user(db, "root", role=Role.ADMIN)
    tree = make_tree(db, admin)
    part = make_part(db, admin, "SCREW-M6", suppliers=(PartSupplierInput("Fastenal"),))
    loop = kb.create_loop(
        db, admin, LoopInput(part.id, LoopKind.PURCHASE, tree["A-01-02"].id, Decimal(100), 2)
    )
    card = kb.cards(db, loop.id)[0]
    line_db, line_pc, _line_events = _pc(qtbot, db.url, admin)
    office_db, office_pc, office_events = _pc(qtbot, db.url, admin)
    office_pc.go_to("Kanban")
    board = office_pc.pages["Kanban"].board_table  # type: ignore[attr-defined]
    watcher = ChangeWatcher(office_db, WorkerSyncRunner(_raise), office_events)
    watcher.poll()
    assert (board.item(0, 5).text(), board.item(0, 7).text()) == ("2", "0")  # both cards full

    line_pc.go_to("Kanban")
    scan_into(qtbot, line_pc.pages["Kanban"].station.scan_box, card.code)  # type: ignore[attr-defined]
    with qtbot.waitSignal(office_events.data_changed) as announced:
        watcher.poll()
    assert announced.args[0] == {"kanban"}  # no ledger row: the card's event alone tells
    assert (board.item(0, 5).text(), board.item(0, 7).text()) == ("1", "1")
    line_db.dispose()
    office_db.dispose()


def test_a_reservation_at_one_pc_shows_on_the_spares_view_at_another(qtbot: QtBot, db: Database) -> None:
    admin = ensure_user(db, "root", role=Role.ADMIN)
    tree = make_tree(db, admin)
    press = mro.create_asset(db, admin, mro.AssetInput("PRESS-01", "Press 1", AssetLevel.MACHINE.value))
    bearing = make_part(db, admin)
    mro.set_spare(db, admin, press.id, bearing.id, qty_installed=Decimal(4), recommended_qty=Decimal(1))
    receive(db, admin, bearing.id, tree["A-01-01"].id, "3")
    shop_db = Database(db.url)  # the other PC reserves through its own connections
    office_db, office_pc, office_events = _pc(qtbot, db.url, admin)
    scan_into(qtbot, office_pc.scan_box, "A-PRESS-01")
    spares = office_pc.mro_page.spares_tab
    assert spares.reservations.rowCount() == 0
    watcher = ChangeWatcher(office_db, WorkerSyncRunner(_raise), office_events)
    watcher.poll()

    mro.reserve(shop_db, admin, mro.ReservationInput(bearing.id, Decimal(2), "WO-7", asset_id=press.id))
    with qtbot.waitSignal(office_events.data_changed) as announced:
        watcher.poll()
    assert announced.args[0] == {"mro"}
    assert [spares.reservations.item(0, c).text() for c in (1, 2, 3)] == ["WO-7", "6205-2RS", "2"]
    assert [spares.spares.item(0, c).text() for c in (5, 6, 7)] == ["3", "2", "1"]  # on hand, reserved, free
    shop_db.dispose()
    office_db.dispose()


def test_a_count_and_an_order_at_one_pc_show_on_the_counts_and_purchasing_pages_at_another(
    qtbot: QtBot, db: Database
) -> None:
    admin = ensure_user(db, "root", role=Role.ADMIN)
    tree = make_tree(db, admin)
    part = make_part(db, admin, "SCREW-M6", suppliers=(PartSupplierInput("Fastenal"),))
    receive(db, admin, part.id, tree["A-01-01"].id, "5")
    desk_db = Database(db.url)
    office_db, office_pc, office_events = _pc(qtbot, db.url, admin)
    watcher = ChangeWatcher(office_db, WorkerSyncRunner(_raise), office_events)
    office_pc.go_to("Cycle counts")
    sessions = office_pc.pages["Cycle counts"].sessions  # type: ignore[attr-defined]
    assert sessions.count() == 0
    watcher.poll()

    counts.start_session(desk_db, admin, "Aisle A", [tree["A-01-01"].id])
    with qtbot.waitSignal(office_events.data_changed) as announced:
        watcher.poll()
    assert "counts" in announced.args[0] and "stock" not in announced.args[0]  # was the page's only topic
    assert sessions.count() == 1 and sessions.itemText(0).endswith("Aisle A")

    office_pc.go_to("Purchasing")
    orders = office_pc.pages["Purchasing"].orders  # type: ignore[attr-defined]
    assert orders.rowCount() == 0
    fastenal = suppliers.get_supplier_id(desk_db, "Fastenal")
    order = po.create_order(desk_db, admin, fastenal, [po.LineInput(part.id, Decimal(2))])
    with qtbot.waitSignal(office_events.data_changed) as announced:
        watcher.poll()
    assert "purchasing" in announced.args[0]
    assert orders.rowCount() == 1 and orders.item(0, 0).text() == order.number
    desk_db.dispose()
    office_db.dispose()
