"""What a keeper does at the shop-floor PC: scan into the scan box, press Enter, see the right screen;
receive and issue with scanner and keyboard alone; mistakes keep what was typed."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import pytest
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from desktop.db import Database
from desktop.models import ShortIssue
from desktop.models.enums import MoveKind
from desktop.services.actor import Actor
from desktop.services.stock import history as stock_history
from desktop.services.stock import moves as stock
from desktop.ui.context import AppContext
from desktop.ui.main_window import MainWindow
from desktop.ui.stock.history_table import selected_move_id
from desktop.ui.stock.move_dialog import MoveDialog
from tests.factories import make_part, make_tree, receive
from tests.ui.cells import cell_text
from tests.ui.keys import focus, press, scan, type_text


@pytest.fixture
def plant(sqlite_db: Database, actor: Actor) -> dict[str, int]:
    tree = make_tree(sqlite_db, actor)
    part = make_part(sqlite_db, actor, min_qty=Decimal(8))
    receive(sqlite_db, actor, part.id, tree["A-01-01"].id, "7")
    receive(sqlite_db, actor, part.id, tree["A-01-02"].id, "2")
    return {"part": part.id, **{code: loc.id for code, loc in tree.items()}}


def scan_into(qtbot: QtBot, widget: QWidget, code: str) -> None:
    """The cursor is in `widget` and a keyboard-wedge scanner reads `code` (characters, then Enter)."""
    focus(qtbot, widget)
    scan(qtbot, code)


def type_into(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """A person clicks into `widget`, types `text` and presses Enter."""
    focus(qtbot, widget)
    type_text(qtbot, text, enter=True)


def test_scanning_a_part_opens_it_with_stock_per_bin(
    qtbot: QtBot, window: MainWindow, plant: dict[str, int]
) -> None:
    scan_into(qtbot, window.scan_box, "P-6205-2RS")
    assert window.stack.currentWidget() is window.part_page
    page = window.part_page
    assert page.title.text() == "6205-2RS"
    bins = [(cell_text(page.bins, r, 0), cell_text(page.bins, r, 3)) for r in range(page.bins.rowCount())]
    assert bins == [("A-01-01", "7"), ("A-01-02", "2")]
    assert window.banner.kind == "ok" and "9 EA on hand in 2 location(s)" in window.banner.text()
    assert window.scan_box.hasFocus() and window.scan_box.selectedText() == "P-6205-2RS"


def test_scanning_a_location_shows_what_is_in_it(
    qtbot: QtBot, window: MainWindow, plant: dict[str, int]
) -> None:
    scan_into(qtbot, window.scan_box, "L-A-01-02")
    assert window.stack.currentWidget() is window.location_page
    table = window.location_page.contents
    assert [(cell_text(table, 0, 1), cell_text(table, 0, 3))] == [("6205-2RS", "2")]
    page = window.location_page
    assert page.history.rowCount() == 0  # the moves load when someone looks at them, not with every scan
    bar = page.tabs.tabBar()
    qtbot.mouseClick(
        bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(page.tabs.indexOf(page.history)).center()
    )
    assert page.history.rowCount() == 1
    # a line of the contents opens its part on a double-click
    page.tabs.setCurrentWidget(page.contents)
    cell = table.visualRect(table.model().index(0, 1)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)  # a double-click's first press
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    assert window.stack.currentWidget() is window.part_page and window.part_page.title.text() == "6205-2RS"


def test_unknown_code_shows_error_and_changes_nothing(
    qtbot: QtBot, window: MainWindow, plant: dict[str, int]
) -> None:
    scan_into(qtbot, window.scan_box, "L-A-01-01")
    before = window.stack.currentWidget()
    scan_into(qtbot, window.scan_box, "XYZ-999")
    assert window.banner.kind == "error" and "Unknown code XYZ-999" in window.banner.text()
    assert window.stack.currentWidget() is before
    assert window.location_page.title.text() == "A-01-01"


def test_f2_focuses_the_scan_box_from_anywhere(
    qtbot: QtBot, window: MainWindow, plant: dict[str, int]
) -> None:
    window.parts_page.search.setFocus()
    assert not window.scan_box.hasFocus()
    window.activateWindow()
    qtbot.keyClick(window.parts_page.search, Qt.Key.Key_F2)
    assert window.scan_box.hasFocus()


def _receive_dialog(window: MainWindow, kind: MoveKind = MoveKind.RECEIPT) -> MoveDialog:
    return window.open_move(kind)


def test_receive_by_scanning_bin_part_qty(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, plant: dict[str, int]
) -> None:
    dialog = _receive_dialog(window)
    scan_into(qtbot, dialog.loc_edits["to"], "L-A-01-02")
    assert dialog.focusWidget() is dialog.part_edit
    scan_into(qtbot, dialog.part_edit, "P-6205-2RS")
    assert dialog.focusWidget() is dialog.qty_edit
    type_text(qtbot, "5", enter=True)
    assert stock.balance(ctx.db, plant["part"], plant["A-01-02"]) == 7
    assert dialog.banner.kind == "ok" and "Received 5 EA of 6205-2RS to A-01-02" in dialog.banner.text()
    # ready for the next line: location kept, part and quantity cleared, cursor on the part
    assert (
        dialog.loc_edits["to"].text() == "A-01-02"
        and dialog.part_edit.text() == ""
        and dialog.qty_edit.text() == ""
    )
    assert dialog.focusWidget() is dialog.part_edit
    assert "Receipt 5 EA" in window.banner.text()


def test_scans_land_where_they_belong_in_either_order(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, plant: dict[str, int]
) -> None:
    dialog = _receive_dialog(window, MoveKind.TRANSFER)
    scan_into(qtbot, dialog.loc_edits["from"], "P-6205-2RS")  # the part first, into the location field
    assert dialog.part is not None and dialog.loc_edits["from"].text() == ""
    assert dialog.focusWidget() is dialog.loc_edits["from"]
    scan_into(qtbot, dialog.loc_edits["from"], "L-A-01-01")
    scan_into(qtbot, dialog.loc_edits["to"], "A-01-02")  # a typed code without prefix works too
    assert "7 in A-01-01" in dialog.part_label.text()
    type_into(qtbot, dialog.qty_edit, "4")
    assert stock.balance(ctx.db, plant["part"], plant["A-01-01"]) == 3
    assert stock.balance(ctx.db, plant["part"], plant["A-01-02"]) == 6


def test_issue_too_much_keeps_input_and_says_how_many_left(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, plant: dict[str, int]
) -> None:
    dialog = _receive_dialog(window, MoveKind.ISSUE)
    scan_into(qtbot, dialog.loc_edits["from"], "L-A-01-02")
    scan_into(qtbot, dialog.part_edit, "6205-2rs")
    type_into(qtbot, dialog.qty_edit, "3")
    assert dialog.banner.kind == "error" and "Only 2 EA of 6205-2RS left in A-01-02" in dialog.banner.text()
    assert dialog.qty_edit.text() == "3" and dialog.focusWidget() is dialog.qty_edit
    assert dialog.part_edit.text() == "6205-2RS"
    type_into(qtbot, dialog.qty_edit, "2")
    assert stock.balance(ctx.db, plant["part"], plant["A-01-02"]) == 0
    assert dialog.banner.kind == "warn" and "Below minimum (8)" in dialog.banner.text()


def test_short_issue_hands_over_what_is_there_and_records_the_rest(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, plant: dict[str, int]
) -> None:
    dialog = _receive_dialog(window, MoveKind.ISSUE)
    assert not dialog.short_button.isVisible()
    scan_into(qtbot, dialog.loc_edits["from"], "L-A-01-02")
    scan_into(qtbot, dialog.part_edit, "6205-2RS")
    type_into(qtbot, dialog.qty_edit, "5")
    assert dialog.short_button.isVisible() and "Ctrl+Enter" in dialog.banner.text()
    assert stock.balance(ctx.db, plant["part"], plant["A-01-02"]) == 2
    qtbot.keyClick(dialog.qty_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert stock.balance(ctx.db, plant["part"], plant["A-01-02"]) == 0
    assert (
        dialog.banner.kind == "warn"
        and "Issued 2 EA of 6205-2RS; 3 EA short, recorded" in dialog.banner.text()
    )
    assert not dialog.short_button.isVisible() and dialog.part_edit.text() == ""
    shorts = ctx.db.read(lambda s: [(r.requested_qty, r.issued_qty) for r in s.query(ShortIssue)])
    assert shorts == [(5, 2)]


def test_bad_quantities_get_clear_messages(qtbot: QtBot, window: MainWindow, plant: dict[str, int]) -> None:
    dialog = _receive_dialog(window)
    scan_into(qtbot, dialog.loc_edits["to"], "L-A-01-01")
    scan_into(qtbot, dialog.part_edit, "P-6205-2RS")
    for typed, message in (
        ("1,500", "ambiguous"),
        ("abc", "not a number"),
        ("1,5", "whole numbers"),
        ("0", "more than zero"),
        ("-2", "cannot be negative"),
    ):
        type_into(qtbot, dialog.qty_edit, typed)
        assert dialog.banner.kind == "error" and message in dialog.banner.text(), typed
        assert dialog.qty_edit.text() == typed


def test_unknown_code_in_dialog_is_refused_and_selected_for_rescan(
    qtbot: QtBot, window: MainWindow, plant: dict[str, int]
) -> None:
    dialog = _receive_dialog(window)
    scan_into(qtbot, dialog.loc_edits["to"], "L-NOPE")
    assert dialog.banner.kind == "error" and "Unknown code L-NOPE" in dialog.banner.text()
    # the scan never became text: the field stays empty, the cursor waits there for the next scan
    assert dialog.loc_edits["to"].text() == "" and dialog.focusWidget() is dialog.loc_edits["to"]
    type_into(qtbot, dialog.loc_edits["to"], "NOPE-2")  # a typed code is looked up and selected when wrong
    assert "Unknown code NOPE-2" in dialog.banner.text()
    assert dialog.loc_edits["to"].selectedText() == "NOPE-2"


def test_adjust_down_needs_a_reason(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, plant: dict[str, int]
) -> None:
    dialog = _receive_dialog(window, MoveKind.ADJUSTMENT)
    scan_into(qtbot, dialog.loc_edits["location"], "L-A-01-01")
    scan_into(qtbot, dialog.part_edit, "P-6205-2RS")
    type_into(qtbot, dialog.qty_edit, "-2")
    assert "reason" in dialog.banner.text().lower() and dialog.focusWidget() is dialog.reason_edit
    type_into(qtbot, dialog.reason_edit, "found broken")
    assert stock.balance(ctx.db, plant["part"], plant["A-01-01"]) == 5


def test_locked_database_keeps_input_and_retry_posts_once(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, plant: dict[str, int]
) -> None:
    ctx.db = type(ctx.db)(str(ctx.db.sqlite_path), busy_timeout_s=0.2)
    dialog = _receive_dialog(window)
    scan_into(qtbot, dialog.loc_edits["to"], "L-A-01-01")
    scan_into(qtbot, dialog.part_edit, "P-6205-2RS")
    other = sqlite3.connect(ctx.db.sqlite_path)  # type: ignore[arg-type]
    other.execute("BEGIN EXCLUSIVE")
    type_into(qtbot, dialog.qty_edit, "4")
    assert dialog.banner.kind == "error" and "busy" in dialog.banner.text()
    assert (dialog.loc_edits["to"].text(), dialog.part_edit.text(), dialog.qty_edit.text()) == (
        "A-01-01",
        "6205-2RS",
        "4",
    )
    other.rollback()
    other.close()
    qtbot.keyClick(dialog.qty_edit, Qt.Key.Key_Return)  # retry
    assert stock.balance(ctx.db, plant["part"], plant["A-01-01"]) == 11
    assert len(stock_history.history(ctx.db, part_id=plant["part"])) == 3
    ctx.db.dispose()


def test_reverse_a_move_from_the_stock_page(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, plant: dict[str, int]
) -> None:
    window.go_to("Stock")
    table = window.stock_page.table
    assert table.rowCount() == 2
    table.selectRow(0)
    move_id = int(cell_text(table, 0, 0))
    dialog = window.stock_page.reverse_selected()
    assert dialog is not None
    # the dialog names the move it undoes: number, kind, quantity, part, bin, who, when
    text = dialog.findChildren(QLabel)[0].text()
    assert f"#{move_id} RECEIPT 2 EA of 6205-2RS to A-01-02 — by admin" in text
    focus(qtbot, dialog.reason)
    press(qtbot, Qt.Key.Key_Return)  # no reason: refused, nothing posted
    assert dialog.isVisible() and "Say why" in dialog.banner.text()
    assert stock.balance(ctx.db, plant["part"], plant["A-01-02"]) == 2
    type_text(qtbot, "received into the wrong bin", enter=True)
    qtbot.waitUntil(lambda: table.rowCount() == 3)
    assert stock.balance(ctx.db, plant["part"], plant["A-01-02"]) == 0
    assert cell_text(table, 0, 11) == f"reverses #{move_id}"
    # the selection stayed on the move that was reversed, not on whatever row 0 now is
    assert selected_move_id(table) == move_id
    assert cell_text(table, table.currentRow(), 11).startswith("reversed by #")


def test_issuing_reserved_stock_asks_first_and_a_named_work_order_settles_its_reservation(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, plant: dict[str, int]
) -> None:
    from desktop.services import mro
    from desktop.services.mro import ReservationInput

    mro.reserve(ctx.db, ctx.actor, ReservationInput(plant["part"], Decimal(6), "WO-77"))  # 9 on hand, 3 free
    dialog = _receive_dialog(window, MoveKind.ISSUE)
    scan_into(qtbot, dialog.loc_edits["from"], "L-A-01-01")
    scan_into(qtbot, dialog.part_edit, "P-6205-2RS")
    type_into(qtbot, dialog.qty_edit, "5")
    text = dialog.banner.text()
    assert dialog.banner.kind == "warn" and "Only 3 EA of 6205-2RS are free" in text and "(WO-77 6)" in text
    assert stock.balance(ctx.db, plant["part"], plant["A-01-01"]) == 7 and dialog.qty_edit.text() == "5"
    qtbot.keyClick(dialog.qty_edit, Qt.Key.Key_Return)  # Enter again, nothing changed: the keeper confirms
    assert stock.balance(ctx.db, plant["part"], plant["A-01-01"]) == 2
    assert "Issued 5 EA of 6205-2RS from A-01-01" in dialog.banner.text()
    # the next line names the work order: it is issued against (and settles) that reservation
    scan_into(qtbot, dialog.part_edit, "P-6205-2RS")
    focus(qtbot, dialog.reference_edit)
    type_text(qtbot, "wo-77")
    type_into(qtbot, dialog.qty_edit, "2")
    assert "Against WO-77's reservation: 4 EA still reserved." in dialog.banner.text()
    assert [(r.work_order, r.issued_qty, r.open_qty) for r in mro.reservations(ctx.db)] == [("WO-77", 2, 4)]
    assert stock.balance(ctx.db, plant["part"], plant["A-01-01"]) == 0


def test_scanning_a_purchase_order_says_what_is_open_on_it(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, actor: Actor, plant: dict[str, int]
) -> None:
    from desktop.services import purchasing as po
    from desktop.services.catalogue.suppliers import create_supplier

    supplier = create_supplier(sqlite_db, actor, "SKF")
    order = po.create_order(sqlite_db, actor, supplier.id, [po.LineInput(plant["part"], Decimal(4))])
    scan_into(qtbot, window.scan_box, order.number)
    assert window.banner.kind == "ok"
    assert window.banner.text().endswith(f"{order.number} from SKF is draft; 1 open line(s): 4 EA 6205-2RS")
    page = window.pages["Purchasing"]
    assert window.stack.currentWidget() is page  # opened for receiving: the next scan is a part


def test_scanning_part_after_part_repaints_what_changed_not_the_tabs(
    qtbot: QtBot, window: MainWindow, plant: dict[str, int], sqlite_db: Database, actor: Actor
) -> None:
    """The tabs' frame and bar stay as they are from one part to the next when no tab's title changes:
    re-setting "On order" laid out and repainted every tab (1.5 ms of a part scan's paint)."""
    other = make_part(sqlite_db, actor, "6206-ZZ", description="Deep groove ball bearing 30x62x16")
    receive(sqlite_db, actor, other.id, plant["A-01-01"], "3")
    scan_into(qtbot, window.scan_box, "P-6205-2RS")
    tabs = window.part_page.tabs
    painted: list[str] = []

    class Paints(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                painted.append(type(watched).__name__)
            return False

    counter = Paints(tabs)
    for widget in (tabs, tabs.tabBar()):
        widget.installEventFilter(counter)
    qtbot.wait(50)
    painted.clear()
    scan_into(qtbot, window.scan_box, "P-6206-ZZ")
    qtbot.wait(50)
    assert window.part_page.title.text() == "6206-ZZ"
    assert tabs.tabText(tabs.indexOf(window.part_page.on_order)) == "On order"
    assert painted == []
