"""The keeper's day at the real window, typed like a keyboard-wedge scanner: key events to whatever has
focus, never setText. Each test is one thing that went wrong on the shop floor (issue: shop floor)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from desktop import config
from desktop.db import Database
from desktop.models.enums import LocationLevel, LocationType, MoveKind
from desktop.services.admin import users
from desktop.services.catalogue.locations import LocationInput, create_location
from desktop.services.counts import sessions as counts
from desktop.services.stock import balance_check
from desktop.services.stock import history as stock_history
from desktop.services.stock import moves as stock
from desktop.services.stock.moves import MoveRequest, post_move
from desktop.tasks import WorkerSyncRunner
from desktop.ui import ui_scale
from desktop.ui.admin.session import UserSession
from desktop.ui.context import AppContext, AppEvents
from desktop.ui.counts.counts_page import CountsPage
from desktop.ui.kanban.kanban_page import KanbanPage
from desktop.ui.main_window import MainWindow
from desktop.ui.scanner import router
from desktop.ui.stock.move_dialog import MoveDialog
from desktop.ui.stock.move_kinds import SPECS
from desktop.ui.stock.qty_input import BARCODE_IN_QTY
from tests.factories import make_keeper, make_part, make_tree, receive
from tests.ui.cells import cell_text, row_texts
from tests.ui.keys import focus, press, scan, type_text

LONG_PART = "P" + "7" * 20 + "-" + "X" * 18  # 40 characters: the longest part number
LONG_BIN = "B" + "-0" * 14 + "9"  # 30 characters: the longest location code
LONG_RACK = "R" + "9" * 29  # a rack with the longest code


@pytest.fixture
def plant(sqlite_db: Database, ctx: AppContext) -> dict[str, int]:
    tree = make_tree(sqlite_db, ctx.actor)
    long_bin = create_location(
        sqlite_db,
        ctx.actor,
        LocationInput(
            LONG_BIN, "Longest bin", LocationLevel.BIN.value, LocationType.STOREROOM.value, "R01", 90
        ),
    )
    create_location(  # a rack named as long as a name may be (120 characters)
        sqlite_db,
        ctx.actor,
        LocationInput(LONG_RACK, "Rack " + "W" * 115, LocationLevel.RACK.value, parent_code="STORES"),
    )
    part = make_part(sqlite_db, ctx.actor, min_qty=Decimal(8), max_qty=Decimal(40))
    belt = make_part(sqlite_db, ctx.actor, "BELT-1081", description="V-belt SPZ 1081")
    longest = make_part(sqlite_db, ctx.actor, LONG_PART, description="Part with the longest number")
    receive(sqlite_db, ctx.actor, part.id, tree["A-01-01"].id, "7")
    receive(sqlite_db, ctx.actor, belt.id, tree["A-01-02"].id, "30")
    return {
        "part": part.id,
        "belt": belt.id,
        "long": longest.id,
        "long_bin": long_bin.id,
        **{code: loc.id for code, loc in tree.items()},
    }


def _receiving_belts(qtbot: QtBot, window: MainWindow) -> MoveDialog:
    """F5, then the bin and the belt scanned: the cursor waits in Quantity."""
    dialog = _dialog(qtbot, window, Qt.Key.Key_F5)
    scan(qtbot, "L-A-01-02")
    scan(qtbot, "P-BELT-1081")
    assert dialog.focusWidget() is dialog.qty_edit
    return dialog


def _dialog(qtbot: QtBot, window: MainWindow, key: Qt.Key) -> MoveDialog:
    focus(qtbot, window.scan_box)
    press(qtbot, key)
    dialog = window.move_dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.first_field())
    return dialog


# -- 3. a barcode scanned into Quantity ----------------------------------------------------------------
@pytest.mark.parametrize("code", ["4006381333931", "40063813", "P-BELT-1081X"])
def test_a_barcode_scanned_into_quantity_is_refused(
    qtbot: QtBot,
    window: MainWindow,
    ctx: AppContext,
    plant: dict[str, int],
    code: str,
) -> None:
    dialog = _receiving_belts(qtbot, window)
    scan(qtbot, code)  # the scanner aimed at the wrong label while the cursor waits in Quantity
    assert dialog.banner.kind == "error"
    if code.startswith("P-"):  # a prefixed code is a scan: it names a part, never a quantity
        assert "Unknown code" in dialog.banner.text() and dialog.qty_edit.text() == ""
    else:
        assert BARCODE_IN_QTY in dialog.banner.text()
        assert dialog.qty_edit.selectedText() == code  # the next keys replace it
    assert stock.balance(ctx.db, plant["belt"], plant["A-01-02"]) == 30
    type_text(qtbot, "5", enter=True)
    assert stock.balance(ctx.db, plant["belt"], plant["A-01-02"]) == 35


def test_a_digits_only_burst_is_refused_even_when_short_of_an_ean(
    qtbot: QtBot,
    window: MainWindow,
    ctx: AppContext,
    plant: dict[str, int],
) -> None:
    dialog = _receiving_belts(qtbot, window)
    scan(qtbot, "12345", gap_ms=8)  # a Code128 of a number, at 8 ms a character
    assert BARCODE_IN_QTY in dialog.banner.text()
    assert stock.balance(ctx.db, plant["belt"], plant["A-01-02"]) == 30


def test_an_unusually_large_quantity_asks_for_a_second_enter(
    qtbot: QtBot,
    window: MainWindow,
    ctx: AppContext,
    plant: dict[str, int],
) -> None:
    dialog = _dialog(qtbot, window, Qt.Key.Key_F5)
    scan(qtbot, "L-A-01-01")
    scan(qtbot, "P-6205-2RS")  # max 40, largest move 7: usual 40
    type_text(qtbot, "2500", enter=True)
    assert dialog.banner.kind == "warn" and "Press Enter again to post 2500" in dialog.banner.text()
    assert stock.balance(ctx.db, plant["part"], plant["A-01-01"]) == 7
    press(qtbot, Qt.Key.Key_Return)
    assert stock.balance(ctx.db, plant["part"], plant["A-01-01"]) == 2507
    type_text(qtbot, "")  # nothing: the part is cleared for the next line
    scan(qtbot, "P-6205-2RS")
    type_text(qtbot, "25", enter=True)  # within the usual: posts at once
    assert stock.balance(ctx.db, plant["part"], plant["A-01-01"]) == 2532


# -- 5b. the short issue respects reservations ------------------------------------------------------
def test_the_ctrl_enter_short_issue_asks_before_taking_reserved_stock(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, plant: dict[str, int]
) -> None:
    from desktop.models import ShortIssue
    from desktop.services import mro
    from desktop.services.mro import ReservationInput

    mro.reserve(ctx.db, ctx.actor, ReservationInput(plant["part"], Decimal(7), "WO-OTHER"))  # all 7 of them
    dialog = _dialog(qtbot, window, Qt.Key.Key_F6)
    scan(qtbot, "L-A-01-01")
    scan(qtbot, "P-6205-2RS")
    type_text(qtbot, "9", enter=True)  # more than there is: the short issue is offered
    assert dialog.short_button.isVisible() and "Ctrl+Enter" in dialog.banner.text()
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    text = dialog.banner.text()
    assert (
        dialog.banner.kind == "warn" and "Only 0 EA of 6205-2RS are free" in text and "(WO-OTHER 7)" in text
    )
    assert "Press Ctrl+Enter again to issue 7 anyway." in text
    assert stock.balance(ctx.db, plant["part"], plant["A-01-01"]) == 7
    assert ctx.db.read(lambda s: s.query(ShortIssue).count()) == 0  # nothing handed over, nothing shorted
    assert dialog.focusWidget() is dialog.qty_edit and dialog.short_button.isVisible()
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # the keeper confirms
    assert "Issued 7 EA of 6205-2RS; 2 EA short, recorded." in dialog.banner.text()
    assert stock.balance(ctx.db, plant["part"], plant["A-01-01"]) == 0
    assert [(r.work_order, r.open_qty) for r in mro.reservations(ctx.db)] == [("WO-OTHER", 7)]


# -- 6. fields take scans by what they are ----------------------------------------------------------
def test_scans_fill_the_field_they_belong_to_wherever_the_cursor_is(
    qtbot: QtBot,
    window: MainWindow,
    ctx: AppContext,
    plant: dict[str, int],
) -> None:
    dialog = _dialog(qtbot, window, Qt.Key.Key_F7)  # transfer: from, to
    scan(qtbot, "P-6205-2RS")  # a part into From: it goes to Part
    assert dialog.part is not None and dialog.loc_edits["from"].text() == ""
    scan(qtbot, "L-A-01-01")
    scan(qtbot, f"L-{LONG_BIN}")
    assert dialog.focusWidget() is dialog.qty_edit
    assert (dialog.loc_edits["from"].text(), dialog.loc_edits["to"].text()) == ("A-01-01", LONG_BIN)
    scan(qtbot, "L-A-01-02", gap_ms=8)  # a bin while the cursor is in Quantity: a new From, not a number
    assert dialog.loc_edits["from"].text() == "A-01-02" and dialog.qty_edit.text() == ""
    assert "From location is now A-01-02" in dialog.banner.text()
    focus(qtbot, dialog.reference_edit)
    scan(qtbot, "L-A-01-01")  # and from the reference field too
    assert dialog.loc_edits["from"].text() == "A-01-01" and dialog.reference_edit.text() == ""
    focus(qtbot, dialog.loc_edits["to"])
    scan(qtbot, "L-A-01-02")  # the focused location field is the one replaced
    assert dialog.loc_edits["to"].text() == "A-01-02"
    scan(qtbot, f"P-{LONG_PART}")  # the longest part number, scanned while the cursor is in Quantity
    assert dialog.part is not None and dialog.part.part_number == LONG_PART
    focus(qtbot, dialog.reference_edit)
    scan(qtbot, "WO-4711")  # a work order's own barcode (no prefix of ours) is text in Reference
    assert dialog.reference_edit.text() == "WO-4711"
    scan(qtbot, "K-000001")  # a kanban card is not a part
    assert dialog.banner.kind == "error" and dialog.part is not None


def test_wrong_scans_are_refused_and_change_nothing(
    qtbot: QtBot,
    window: MainWindow,
    ctx: AppContext,
    plant: dict[str, int],
) -> None:
    dialog = _dialog(qtbot, window, Qt.Key.Key_F6)
    scan(qtbot, "L-A-01-01")
    scan(qtbot, "P-NOPE-404")
    assert dialog.banner.kind == "error" and "Unknown code P-NOPE-404" in dialog.banner.text()
    assert dialog.part is None and dialog.loc_edits["from"].text() == "A-01-01"
    scan(qtbot, "U-KIM1")
    assert "is a badge" in dialog.banner.text()
    scan(qtbot, "P-6205-2RS")
    type_text(qtbot, "2", enter=True)
    assert "Issued 2 EA of 6205-2RS" in dialog.banner.text()
    assert stock.balance(ctx.db, plant["part"], plant["A-01-01"]) == 5


# -- 5. scans outside the scan box -------------------------------------------------------------------
def test_a_scan_in_the_parts_search_box_is_a_scan_not_search_text(
    qtbot: QtBot, window: MainWindow, plant: dict[str, int]
) -> None:
    window.go_to("Parts")
    focus(qtbot, window.parts_page.search)
    scan(qtbot, "P-BELT-1081")
    assert window.stack.currentWidget() is window.part_page and window.part_page.title.text() == "BELT-1081"
    assert window.parts_page.search.text() == ""
    # a person typing there still searches, and Enter opens the first match of what was typed
    window.go_to("Parts")
    focus(qtbot, window.parts_page.search)
    type_text(qtbot, "belt", enter=True)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.part_page)
    assert window.part_page.title.text() == "BELT-1081"


def test_a_scan_with_the_sidebar_or_a_table_focused_opens_what_was_scanned(
    qtbot: QtBot, window: MainWindow, plant: dict[str, int]
) -> None:
    window.go_to("Parts")
    focus(qtbot, window.nav)
    scan(qtbot, "L-A-01-02", gap_ms=1)
    assert window.stack.currentWidget() is window.location_page
    assert window.location_page.title.text() == "A-01-02" and window.banner.kind == "ok"
    window.go_to("Stock")
    focus(qtbot, window.stock_page.table)
    scan(qtbot, "BELT-1081")  # a bare part number from a supplier's label: the scan box resolves it
    assert window.stack.currentWidget() is window.part_page


def test_the_kanban_station_has_the_cursor_and_refuses_other_labels(
    qtbot: QtBot, window: MainWindow, plant: dict[str, int]
) -> None:
    page = window.pages["Kanban"]
    assert isinstance(page, KanbanPage)
    window.go_to("Kanban")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.station.scan_box)
    scan(qtbot, "L-A-01-01")
    assert page.station.banner.kind == "error" and "not a kanban card" in page.station.banner.text()
    assert window.stack.currentWidget() is page  # the keeper stays at the station


# -- 2. count entry never appends to stale text --------------------------------------------------------
def _start_count(qtbot: QtBot, window: MainWindow, where: str) -> CountsPage:
    """Counts page, the location typed and Enter (which starts the count)."""
    page = window.pages["Cycle counts"]
    assert isinstance(page, CountsPage)
    window.go_to("Cycle counts")
    focus(qtbot, page.where)
    type_text(qtbot, where, enter=True)
    qtbot.waitUntil(lambda: page.session_id is not None)
    return page


def test_count_entry_after_a_refused_line_records_what_was_typed(
    qtbot: QtBot,
    window: MainWindow,
    ctx: AppContext,
    plant: dict[str, int],
) -> None:
    page = _start_count(qtbot, window, "R01")
    assert QApplication.focusWidget() is page.bin_edit
    scan(qtbot, "L-A-01-01")
    assert page.focusWidget() is page.part_edit
    scan(qtbot, "L-A-01-02")  # a second bin scanned into Part: the bin changes, Part stays empty
    assert page.bin_edit.text() == "A-01-02" and page.part_edit.text() == ""
    type_text(qtbot, "25", enter=True)  # typed into Part: not a part
    assert page.banner.kind == "error"
    scan(qtbot, "P-BELT-1081")
    assert page.focusWidget() is page.qty_edit and page.qty_edit.text() == ""
    type_text(qtbot, "24", enter=True)
    assert page.session_id is not None
    book = counts.session(ctx.db, page.session_id, for_counter=False).lines
    line = next(x for x in book if x.part_number == "BELT-1081")
    assert line.counted_qty == Decimal(24)  # not 2524
    scan(qtbot, "P-6205-2RS")
    type_text(qtbot, "25,5", enter=True)  # EA takes whole numbers: refused, selected
    assert page.banner.kind == "error" and page.qty_edit.selectedText() == "25,5"
    type_text(qtbot, "3", enter=True)
    book = counts.session(ctx.db, page.session_id, for_counter=False).lines
    bearing = next(x for x in book if (x.part_number, x.location_code) == ("6205-2RS", "A-01-02"))
    assert bearing.counted_qty == Decimal(3)  # not 414125.5
    scan(qtbot, "P-6205-2RS")
    scan(qtbot, "4006381333931")  # an EAN into the count's quantity
    assert BARCODE_IN_QTY in page.banner.text()


def test_a_blind_recount_hides_the_book_and_count_1(
    qtbot: QtBot,
    window: MainWindow,
    ctx: AppContext,
    plant: dict[str, int],
) -> None:
    page = _start_count(qtbot, window, "A-01-02")
    scan(qtbot, "L-A-01-02")
    scan(qtbot, "P-BELT-1081")
    type_text(qtbot, "12", enter=True)  # 30 on the book: out of tolerance
    assert page.banner.kind == "warn" and "count it again" in page.banner.text()
    row = [cell_text(page.lines, r, 1) for r in range(page.lines.rowCount())].index("BELT-1081")
    cells = row_texts(page.lines, row)
    assert cells[5:8] == ["", "", ""]  # book, count 1 and variance hidden from the recounter
    assert cells[8] == "recount"


def test_approving_lists_the_lines_it_would_zero_and_asks(
    qtbot: QtBot,
    window: MainWindow,
    ctx: AppContext,
    plant: dict[str, int],
) -> None:
    page = _start_count(qtbot, window, "R01")
    dialog = page.open_approve()
    assert dialog is not None
    dialog.approve_button.click()
    assert dialog.isVisible() and dialog.banner.kind == "warn"
    assert "2 line(s) were not counted and would be posted as found EMPTY" in dialog.banner.text()
    assert "6205-2RS in A-01-01 (book 7)" in dialog.banner.text()
    assert stock.balance(ctx.db, plant["part"], plant["A-01-01"]) == 7
    dialog.approve_button.click()  # the supervisor saw them and confirms
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert stock.balance(ctx.db, plant["part"], plant["A-01-01"]) == 0


# -- 7. banners -------------------------------------------------------------------------------------------
def test_one_banner_per_action_and_none_left_over_on_another_page(
    qtbot: QtBot, window: MainWindow, plant: dict[str, int]
) -> None:
    focus(qtbot, window.scan_box)
    scan(qtbot, "XYZ-999")
    assert window.banner.kind == "error" and "Unknown code" in window.banner.text()
    window.go_to("Stock")
    assert window.banner.kind == "" and not window.banner.isVisible()
    window.go_to("Kanban")
    page = window.pages["Kanban"]
    assert isinstance(page, KanbanPage)
    scan(qtbot, "K-999999")  # refused at the station
    assert page.station.banner.kind == "error"
    assert [b for b in (window.banner, page.board_banner) if b.kind] == []


# -- 8. dialogs grow with their banner -----------------------------------------------------------------
@pytest.mark.parametrize("scale", [100, 150])
def test_a_long_message_never_covers_the_fields(
    qtbot: QtBot, window: MainWindow, plant: dict[str, int], scale: int
) -> None:
    ui_scale.apply(scale)
    dialog = _dialog(qtbot, window, Qt.Key.Key_F6)
    scan(qtbot, "L-A-01-01")
    scan(qtbot, "P-6205-2RS")
    type_text(qtbot, "70", enter=True)  # more than there: a long two-part message
    qtbot.wait(50)
    assert dialog.banner.kind == "error"
    layout = dialog.layout()
    assert layout is not None
    needed = layout.totalHeightForWidth(dialog.width()) if layout.hasHeightForWidth() else 0
    assert dialog.height() >= needed
    banner = dialog.banner.geometry()
    for field in (dialog.loc_edits["from"], dialog.part_edit, dialog.qty_edit):
        top = field.mapTo(dialog, field.rect().topLeft()).y()
        assert banner.bottom() < top, "the banner overlaps a field"
    ui_scale.apply(ui_scale.DEFAULT)


# -- 9. the window fits 1280 x 720 ----------------------------------------------------------------------
@pytest.mark.parametrize("scale", [100, 110, 150])
def test_every_page_fits_a_1280_by_720_screen(
    qtbot: QtBot, window: MainWindow, plant: dict[str, int], scale: int
) -> None:
    ui_scale.apply(scale)
    try:
        window.resize(1280, 720)
        qtbot.wait(20)
        assert window.minimumSizeHint().width() <= 1024 and window.minimumSizeHint().height() <= 720
        viewport = window.stack.parentWidget()
        assert viewport is not None
        for name in window.pages:
            if name in ("part", "location"):
                continue
            window.go_to(name)
            qtbot.wait(5)
            wide = window.pages[name].minimumSizeHint().width()
            if scale <= 110:  # at 150 % a page may scroll sideways, but never widens the window
                assert wide <= viewport.width(), f"{name} needs {wide} px, has {viewport.width()}"
        # a bin, and a rack whose name has the longest a name may be: its facts line runs long
        for code in ("L-A-01-01", f"L-{LONG_RACK}"):
            focus(qtbot, window.scan_box)
            scan(qtbot, code)
            table = window.location_page.contents
            qtbot.wait(20)
            right = table.horizontalHeader().sectionViewportPosition(table.columnCount() - 1)
            right += table.columnWidth(table.columnCount() - 1)
            assert right <= table.viewport().width(), f"{code}: Qty and Unit are cut off"
            if scale <= 110:
                assert window.location_page.minimumSizeHint().width() <= viewport.width(), code
    finally:
        ui_scale.apply(ui_scale.DEFAULT)


def test_ctrl_plus_and_minus_scale_the_ui_and_the_choice_is_kept(
    qtbot: QtBot, window: MainWindow, plant: dict[str, int]
) -> None:
    before = QApplication.font().pointSizeF()
    scan_font = window.scan_box.font().pointSizeF()
    focus(qtbot, window.scan_box)
    press(qtbot, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert config.AppConfig.current().ui_scale == 125
    assert QApplication.font().pointSizeF() > before and window.scan_box.font().pointSizeF() > scan_font
    press(qtbot, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    press(qtbot, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert config.AppConfig.current().ui_scale == 100
    press(qtbot, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert config.AppConfig.current().ui_scale == ui_scale.DEFAULT
    assert QApplication.font().pointSizeF() == pytest.approx(before)


# -- 1 and 4. hand-over ------------------------------------------------------------------------------------
@pytest.fixture
def session(qtbot: QtBot, sqlite_db: Database) -> Iterator[UserSession]:
    make_keeper(sqlite_db, users.create_first_admin(sqlite_db, "ada", "Ada Admin", "9876"))
    s = UserSession(sqlite_db, WorkerSyncRunner(_raise), AppEvents(), idle_minutes=60)
    s.start()
    assert s.dialog is not None
    yield s
    if s.window is not None:
        s.window.close()
    if s.dialog is not None:
        s.dialog.close()


def _raise(exc: BaseException) -> None:
    raise exc


def _sign_in_by_pin(qtbot: QtBot, s: UserSession, name: str, pin: str) -> None:
    assert s.dialog is not None
    focus(qtbot, s.dialog.user_name)
    type_text(qtbot, name, enter=True)
    assert QApplication.focusWidget() is s.dialog.secret
    type_text(qtbot, pin, enter=True)
    qtbot.waitUntil(lambda: s.window is not None and s.window.isVisible())


@pytest.mark.slow
def test_ctrl_u_from_the_scan_box_then_badge_fifty_times(qtbot: QtBot, session: UserSession) -> None:
    _sign_in_by_pin(qtbot, session, "ada", "9876")
    for n in range(50):
        window = session.window
        assert window is not None
        focus(qtbot, window.scan_box)  # where a keeper's cursor always is
        type_text(qtbot, "L-")  # half-typed: Ctrl+U still hands over
        press(qtbot, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: session.window is None and session.dialog is not None)
        dialog = session.dialog
        assert dialog is not None
        qtbot.waitUntil(dialog.isVisible)
        focus(qtbot, dialog.secret if n % 2 else dialog.user_name)  # a badge works from either field
        scan(qtbot, "U-KIM1" if n % 2 == 0 else "u-kim1", gap_ms=0 if n % 3 else 8)
        qtbot.waitUntil(lambda: session.window is not None and session.window.isVisible())
        assert session.actor is not None and session.actor.user_name == "kim"
    assert session.window is not None and "Kim Keeper" in session.window.user_label.text()


def test_hand_over_by_pin_after_ctrl_u_and_the_pin_never_shows(qtbot: QtBot, session: UserSession) -> None:
    _sign_in_by_pin(qtbot, session, "kim", "1111")
    window = session.window
    assert window is not None
    window.open_move(MoveKind.RECEIPT)  # a dialog open at hand-over closes with the window
    press(qtbot, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: session.window is None)
    assert session.dialog is not None
    assert session.dialog.secret.echoMode() is QLineEdit.EchoMode.Password
    _sign_in_by_pin(qtbot, session, "ada", "9876")
    assert session.actor is not None and session.actor.user_name == "ada"


def test_a_non_badge_scan_at_sign_in_is_refused(qtbot: QtBot, session: UserSession) -> None:
    assert session.dialog is not None
    focus(qtbot, session.dialog.user_name)
    scan(qtbot, "L-A-01-01")
    assert "not a badge" in session.dialog.banner.text() and session.window is None
    assert session.dialog.user_name.text() == ""


# -- no crash from any sequence of keys ---------------------------------------------------------------------
_KEYS = [
    *"LPKAU-0123456789",
    Qt.Key.Key_Return,
    Qt.Key.Key_Escape,
    Qt.Key.Key_Tab,
    Qt.Key.Key_Backspace,
    Qt.Key.Key_F2,
    Qt.Key.Key_F5,
    Qt.Key.Key_F6,
    Qt.Key.Key_F7,
    Qt.Key.Key_F8,
    Qt.Key.Key_F9,
]


def test_random_keys_and_scans_never_crash_the_window(
    qtbot: QtBot,
    window: MainWindow,
    ctx: AppContext,
    plant: dict[str, int],
) -> None:
    rng = random.Random(16)
    codes = ["L-A-01-01", "P-6205-2RS", "P-BELT-1081", "K-000001", "U-KIM1", "CS-1", "4006381333931", "XYZ"]
    for _ in range(400):
        if QApplication.focusWidget() is None:  # a dialog closed offscreen: click back into the window
            focus(qtbot, window.scan_box)
        target = QApplication.focusWidget() or window
        if rng.random() < 0.15:
            scan(qtbot, rng.choice(codes))
            continue
        QTest.keyClick(target, rng.choice(_KEYS))
        if rng.random() < 0.05:
            qtbot.wait(60)  # let held keys land as typing now and then
    router().flush()
    # the ledger still balances: every posting went through the service rules
    assert balance_check.check_balances(ctx.db, ctx.actor) == []


def test_human_typing_in_a_code_field_stays_typing(
    qtbot: QtBot,
    window: MainWindow,
    ctx: AppContext,
    plant: dict[str, int],
) -> None:
    dialog = _dialog(qtbot, window, Qt.Key.Key_F5)
    type_text(qtbot, "L-A-01-02", enter=True)  # a person types the code with its prefix
    assert dialog.loc_edits["to"].text() == "A-01-02" and dialog.focusWidget() is dialog.part_edit
    type_text(qtbot, "BELT-1081", enter=True)
    type_text(qtbot, "1", enter=True)
    assert stock.balance(ctx.db, plant["belt"], plant["A-01-02"]) == 31
    post_move(ctx.db, ctx.actor, MoveRequest(MoveKind.ISSUE, plant["belt"], Decimal(1), plant["A-01-02"]))


# -- 9 (dialogs). every dialog fits 1280 x 720 -----------------------------------------------------------
@pytest.mark.parametrize("scale", [110, 150])
def test_every_dialog_fits_a_1280_by_720_screen(
    qtbot: QtBot,
    window: MainWindow,
    ctx: AppContext,
    plant: dict[str, int],
    scale: int,
) -> None:
    from desktop.services import mro
    from desktop.services.mro import ReservationInput
    from desktop.ui.admin.connection_dialog import ConnectionDialog
    from desktop.ui.admin.first_start import FirstStartDialog
    from desktop.ui.admin.sign_in import FirstAdminDialog, SignInDialog
    from desktop.ui.catalogue.labels_dialog import LabelsDialog
    from desktop.ui.catalogue.location_dialog import LocationDialog
    from desktop.ui.catalogue.part_dialog import PartDialog
    from desktop.ui.counts.count_approve_dialog import ApproveDialog
    from desktop.ui.io.data_dialog import DataDialog
    from desktop.ui.kanban.kanban_new_loop import LoopDialog
    from desktop.ui.mro.mro_dialogs import AssetDialog, IssueReservedDialog, ReserveDialog
    from desktop.ui.stock.reverse_dialog import ReverseDialog

    ui_scale.apply(scale)
    try:
        session_id = counts.start_session(ctx.db, ctx.actor, "Count R01", [plant["R01"]])
        reservation = mro.reserve(ctx.db, ctx.actor, ReservationInput(plant["part"], Decimal(1), "WO-1"))
        dialogs = [
            *(MoveDialog(ctx, kind) for kind in SPECS),
            PartDialog(ctx),
            LocationDialog(ctx),
            LabelsDialog(ctx, "part", [plant["part"]], title="Print part labels"),
            ApproveDialog(ctx, session_id),
            DataDialog(ctx),
            LoopDialog(ctx),
            ReserveDialog(ctx, None),
            IssueReservedDialog(ctx, reservation),
            AssetDialog(ctx, None),
            ReverseDialog(stock_history.history(ctx.db, limit=1)[0]),
            SignInDialog(ctx.db, ctx.runner),
            FirstAdminDialog(ctx.db, ctx.runner, "ada"),
            ConnectionDialog(ctx.runner),
            FirstStartDialog(),
        ]
        for dialog in dialogs:
            qtbot.addWidget(dialog)
            dialog.show()
            qtbot.wait(5)
            hint = dialog.minimumSizeHint().expandedTo(dialog.minimumSize())
            name = type(dialog).__name__
            assert hint.width() <= 1280 and hint.height() <= 720, (
                f"{name} needs {hint.width()}x{hint.height()}"
            )
            assert dialog.width() <= 1280 and dialog.height() <= 720, f"{name} opens at {dialog.size()}"
            dialog.close()
    finally:
        ui_scale.apply(ui_scale.DEFAULT)


def test_pyside_keeps_none_alive(qtbot: QtBot, window: MainWindow, plant: dict[str, int]) -> None:
    """PySide6 6.12.0 on Python 3.11 released None once per call of any Qt method returning nothing
    (setText, setFont, setData…) and per read of an unset property: after enough clicks and
    refreshes Python aborted with "deallocating None". pyproject.toml keeps 6.12 out; this fails if a
    release with the same fault gets in, and if our own code reads unset Qt properties again."""
    import sys

    from desktop.ui.common import fill_table, read_only_table
    from desktop.ui.scanner import scan_role

    table = read_only_table(["a", "b"])  # no stretch column: a property that used to hold None
    qtbot.addWidget(table)
    before = sys.getrefcount(None)
    for n in range(3000):
        window.scan_box.setText(str(n))
        fill_table(table, [(n, "x")], keys=[n])
        scan_role(window.nav)
        ui_scale.larger(window.banner, 6)
    ui_scale.apply(ui_scale.DEFAULT)
    assert sys.getrefcount(None) > before - 500, "None is being released by Qt calls"
