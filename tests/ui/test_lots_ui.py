"""Lots at the keeper's PC, scanner and keyboard only: the Receive dialog asks a tracked part for its lot
(a supplier's GS1-128 label fills lot and expiry), the Issue dialog proposes the lot that expires first and
takes another when its label is scanned, an expired lot is refused with nothing posted, an `LT-` label in
the scan box opens the lot's part, and the part dialog sets tracking and shelf life."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop.db import Database
from desktop.models.enums import MoveKind
from desktop.services import lots
from desktop.services.actor import Actor
from desktop.services.catalogue import parts
from desktop.services.lots import LotReceipt, TrackingInput
from desktop.services.stock import moves as stock
from desktop.ui.catalogue.part_dialog import PartDialog
from desktop.ui.context import AppContext
from desktop.ui.main_window import MainWindow
from tests.factories import make_part, make_tree
from tests.ui.cells import cell_text, header_texts
from tests.ui.keys import focus, scan, type_text


def soon() -> date:
    """Read at each use, not at import: a run that crosses midnight must not compare yesterday with today."""
    return date.today() + timedelta(days=20)


LONGEST = "B" * 38 + "-9"  # a lot number at its maximum, 40 characters


@pytest.fixture
def plant(sqlite_db: Database, actor: Actor) -> dict[str, int]:
    tree = make_tree(sqlite_db, actor)
    grease = make_part(sqlite_db, actor, "GREASE-EP2", description="Grease EP2 400 g")
    lots.set_tracking(sqlite_db, actor, grease.id, TrackingInput("LOT", 365))
    plain = make_part(sqlite_db, actor)
    return {"grease": grease.id, "plain": plain.id, "bin": tree["A-01-01"].id}


def scan_into(qtbot: QtBot, widget: QWidget, code: str) -> None:
    focus(qtbot, widget)
    scan(qtbot, code)


def _lot_qty(db: Database, part_id: int, bin_id: int) -> dict[str, Decimal]:
    return {x.lot.lot_number: x.qty for x in lots.propose(db, part_id, bin_id)}


def test_receive_asks_a_tracked_part_for_its_lot_and_reads_the_supplier_label(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, plant: dict[str, int]
) -> None:
    dialog = window.open_move(MoveKind.RECEIPT)
    scan_into(qtbot, dialog.loc_edits["to"], "L-A-01-01")
    scan_into(qtbot, dialog.part_edit, "P-6205-2RS")  # an untracked part: no lot asked, as before
    assert not dialog.lot_edit.isVisible() and dialog.focusWidget() is dialog.qty_edit
    scan_into(qtbot, dialog.part_edit, "P-GREASE-EP2")
    assert dialog.lot_edit.isVisible() and dialog.expiry_edit.isVisible()
    assert dialog.focusWidget() is dialog.lot_edit  # the lot is asked before the quantity
    scan(qtbot, f"(01)04012345678901(17){soon():%y%m%d}(10)HEAT-4711")  # the supplier's GS1-128 label
    assert dialog.lot_edit.text() == "HEAT-4711" and dialog.expiry_edit.text() == soon().isoformat()
    assert dialog.focusWidget() is dialog.qty_edit
    type_text(qtbot, "6", enter=True)
    assert dialog.banner.kind == "ok", dialog.banner.text()
    assert "Received 6 EA of GREASE-EP2 lot HEAT-4711 to A-01-01" in dialog.banner.text()
    assert _lot_qty(ctx.db, plant["grease"], plant["bin"]) == {"HEAT-4711": 6}
    # the next line: a lot number at its maximum length, typed; expiry from the shelf life
    scan_into(qtbot, dialog.part_edit, "P-GREASE-EP2")
    type_text(qtbot, LONGEST, enter=True)
    type_text(qtbot, "2", enter=True)
    assert dialog.banner.kind == "ok" and f"lot {LONGEST}" in dialog.banner.text()
    assert lots.trace(ctx.db, LONGEST).lot.expires_on == date.today() + timedelta(days=365)


def test_a_bad_lot_gives_a_clear_message_and_posts_nothing(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, plant: dict[str, int]
) -> None:
    dialog = window.open_move(MoveKind.RECEIPT)
    scan_into(qtbot, dialog.loc_edits["to"], "L-A-01-01")
    scan_into(qtbot, dialog.part_edit, "P-GREASE-EP2")
    type_text(qtbot, LONGEST + "X", enter=True)
    type_text(qtbot, "1", enter=True)
    assert (
        dialog.banner.kind == "error"
        and "Lot is too long (41 characters, at most 40)" in dialog.banner.text()
    )
    assert dialog.focusWidget() is dialog.lot_edit and dialog.lot_edit.text() == LONGEST + "X"  # kept
    assert stock.balance(ctx.db, plant["grease"], plant["bin"]) == 0


def test_issue_proposes_the_first_to_expire_and_takes_another_lot_scanned(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, actor: Actor, plant: dict[str, int]
) -> None:
    later = lots.receive(
        ctx.db, actor, LotReceipt(plant["grease"], plant["bin"], Decimal(5), "LATE", soon() + timedelta(100))
    ).lots[0]
    lots.receive(ctx.db, actor, LotReceipt(plant["grease"], plant["bin"], Decimal(5), "soon()", soon()))
    dialog = window.open_move(MoveKind.ISSUE)
    scan_into(qtbot, dialog.loc_edits["from"], "L-A-01-01")
    scan_into(qtbot, dialog.part_edit, "P-GREASE-EP2")
    assert dialog.lot_edit.text() == "soon()" and "proposed (first to expire)" in dialog.lot_label.text()
    assert dialog.focusWidget() is dialog.qty_edit
    type_text(qtbot, "2", enter=True)
    assert (
        dialog.banner.kind == "ok"
        and "Issued 2 EA of GREASE-EP2 lot soon() from A-01-01" in dialog.banner.text()
    )
    scan_into(qtbot, dialog.part_edit, "P-GREASE-EP2")
    scan(qtbot, later.code)  # the cursor is in Quantity: the lot label still lands in Lot
    assert dialog.lot_edit.text() == "LATE" and dialog.focusWidget() is dialog.qty_edit
    type_text(qtbot, "1", enter=True)
    # not the lot that expires first: asked, nothing posted until Enter again
    assert dialog.banner.kind == "warn", dialog.banner.text()
    assert "soon() should go first" in dialog.banner.text() and "Press Enter again" in dialog.banner.text()
    assert _lot_qty(ctx.db, plant["grease"], plant["bin"]) == {"soon()": 3, "LATE": 5}
    assert dialog.focusWidget() is dialog.qty_edit
    type_text(qtbot, "", enter=True)
    qtbot.waitUntil(lambda: dialog.banner.kind == "ok")
    assert "lot LATE" in dialog.banner.text()
    assert _lot_qty(ctx.db, plant["grease"], plant["bin"]) == {"soon()": 3, "LATE": 4}


def test_expired_stock_is_refused_at_the_counter(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, actor: Actor, plant: dict[str, int]
) -> None:
    lots.receive(
        ctx.db,
        actor,
        LotReceipt(plant["grease"], plant["bin"], Decimal(3), "OLD", date.today() - timedelta(2)),
    )
    dialog = window.open_move(MoveKind.ISSUE)
    scan_into(qtbot, dialog.loc_edits["from"], "L-A-01-01")
    scan_into(qtbot, dialog.part_edit, "P-GREASE-EP2")
    assert "only expired stock here" in dialog.lot_label.text() and dialog.focusWidget() is dialog.lot_edit
    type_text(qtbot, "OLD", enter=True)
    type_text(qtbot, "1", enter=True)
    assert dialog.banner.kind == "error" and "Lot OLD of GREASE-EP2 expired on" in dialog.banner.text()
    assert stock.balance(ctx.db, plant["grease"], plant["bin"]) == 3


def test_a_lot_label_in_the_scan_box_opens_its_part(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, actor: Actor, plant: dict[str, int]
) -> None:
    lot = lots.receive(
        ctx.db, actor, LotReceipt(plant["grease"], plant["bin"], Decimal(3), "H-1", soon())
    ).lots[0]
    scan_into(qtbot, window.scan_box, lot.code)
    assert window.stack.currentWidget() is window.part_page and window.part_page.title.text() == "GREASE-EP2"
    page = window.part_page
    history = page.history
    bar = page.tabs.tabBar()  # the moves load when someone opens the History tab
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(page.tabs.indexOf(history)).center())
    assert header_texts(history)[12] == "Lot" and cell_text(history, 0, 12) == "H-1"
    held = page.lots  # the Lots tab: lot, expiry, bin, quantity
    assert [cell_text(held, 0, c) for c in range(4)] == ["H-1", soon().isoformat(), "A-01-01", "3"]
    assert "Tracked by lot, shelf life 365 d" in window.part_page.facts.text()
    assert (
        window.banner.kind == "ok"
        and f"{lot.code}: lot H-1 of GREASE-EP2 (expires {soon()})" in window.banner.text()
    )


def test_the_part_dialog_sets_tracking_and_shelf_life(
    qtbot: QtBot, ctx: AppContext, actor: Actor, plant: dict[str, int]
) -> None:
    dialog = PartDialog(ctx, parts.get_part(ctx.db, plant["plain"]))
    qtbot.addWidget(dialog)
    dialog.show()
    focus(qtbot, dialog.tracking)
    qtbot.keyClick(dialog.tracking, Qt.Key.Key_L)  # the first letter picks LOT
    focus(qtbot, dialog.shelf_life)
    type_text(qtbot, "180")
    focus(qtbot, dialog.expiry_warning)
    type_text(qtbot, "14")
    dialog.save()
    assert dialog.part is not None and (dialog.part.tracking, dialog.part.shelf_life_days) == ("LOT", 180)
    saved = parts.get_part(ctx.db, plant["plain"])
    assert (saved.tracking, saved.shelf_life_days, saved.expiry_warning_days) == ("LOT", 180, 14)
    lots.receive(ctx.db, actor, LotReceipt(plant["plain"], plant["bin"], Decimal(1), "B-1"))
    again = PartDialog(ctx, parts.get_part(ctx.db, plant["plain"]))
    qtbot.addWidget(again)
    again.show()
    focus(qtbot, again.tracking)
    qtbot.keyClick(again.tracking, Qt.Key.Key_N)  # back to NONE while it has stock: refused
    focus(qtbot, again.description)
    again.description.selectAll()
    type_text(qtbot, "Changed")
    again.save()
    assert again.banner.kind == "error" and "only when its stock is zero" in again.banner.text()
    assert parts.get_part(ctx.db, plant["plain"]).description != "Changed"  # nothing was saved


def test_receiving_a_tracked_part_against_an_order_takes_its_label(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, actor: Actor, plant: dict[str, int]
) -> None:
    from desktop.services import purchasing as po
    from desktop.services.catalogue.suppliers import create_supplier
    from desktop.ui.purchasing.purchasing_page import PurchasingPage

    supplier = create_supplier(ctx.db, actor, "Lubes & Co")
    order = po.create_order(ctx.db, actor, supplier.id, [po.LineInput(plant["grease"], Decimal(5))])
    po.send_order(ctx.db, actor, order.id)
    scan_into(qtbot, window.scan_box, order.number)
    page = window.pages["Purchasing"]
    assert isinstance(page, PurchasingPage) and page.part_edit.hasFocus()
    scan(qtbot, "P-GREASE-EP2")
    focus(qtbot, page.bin_edit)
    type_text(qtbot, "A-01-01")
    focus(qtbot, page.qty_edit)
    type_text(qtbot, "2", enter=True)  # no lot given: refused, nothing received, the cursor in Lot
    assert (
        page.banner.kind == "error"
        and "GREASE-EP2 is tracked by lot: scan or type the lot" in page.banner.text()
    )
    assert page.lot_edit.hasFocus() and stock.balance(ctx.db, plant["grease"], plant["bin"]) == 0
    scan(qtbot, f"(01)04012345678901(17){soon():%y%m%d}(10)HEAT-9")  # the supplier's label, into Lot
    assert page.qty_edit.hasFocus()
    type_text(qtbot, "2", enter=True)
    assert (
        page.banner.kind == "ok" and "Receipt 2 EA of GREASE-EP2 lot HEAT-9 to A-01-01" in page.banner.text()
    )
    traced = lots.trace(ctx.db, "HEAT-9")
    assert (traced.lot.supplier_name, traced.lot.expires_on) == ("Lubes & Co", soon())


def test_the_reports_page_lists_expiring_lots_within_the_days_typed(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, actor: Actor, plant: dict[str, int]
) -> None:
    from desktop.ui.insight.reports_page import ReportsPage

    for number, days in (("NEAR", 5), ("FAR", 60)):
        when = date.today() + timedelta(days=days)
        lots.receive(ctx.db, actor, LotReceipt(plant["grease"], plant["bin"], Decimal(2), number, when))
    window.go_to("Reports")
    page = window.pages["Reports"]
    assert isinstance(page, ReportsPage)
    runner = page.reports
    runner.choose("expiring")
    assert runner.rows["days"][1].isVisibleTo(runner) and not runner.rows["part"][1].isVisibleTo(runner)
    focus(qtbot, runner.expiry_days)
    runner.expiry_days.selectAll()
    type_text(qtbot, "10")
    runner.run_button.click()
    model = runner.view.view.model()
    assert runner.view.title.text() == "Expiring lots"
    assert [model.index(r, 3).data() for r in range(model.rowCount())] == ["NEAR"]
    focus(qtbot, runner.expiry_days)
    runner.expiry_days.selectAll()
    type_text(qtbot, "90")
    runner.run_button.click()
    model = runner.view.view.model()  # each run shows a new table
    assert [model.index(r, 3).data() for r in range(model.rowCount())] == ["NEAR", "FAR"]


def test_the_dashboard_counts_expired_lots_and_opens_them(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, actor: Actor, plant: dict[str, int]
) -> None:
    from desktop.ui.insight.dashboard_page import DashboardPage

    glue = make_part(ctx.db, actor, "GLUE-1", description="Glue 50 ml", unit_cost=Decimal("4.50"))
    lots.set_tracking(ctx.db, actor, glue.id, TrackingInput("LOT"))
    for number, days in (("GONE", -3), ("NEAR", 5), ("FAR", 200)):
        when = date.today() + timedelta(days=days)
        lots.receive(ctx.db, actor, LotReceipt(glue.id, plant["bin"], Decimal(2), number, when))
    window.go_to("Dashboard")
    page = window.pages["Dashboard"]
    assert isinstance(page, DashboardPage)
    tile = page.tiles["expiry"]
    assert tile.value.text() == "1"  # GONE; NEAR is expiring, FAR is neither
    assert tile.detail.text().startswith("9.00 of stock expired; 1 more lot(s) expiring within 30 days")
    tile.setFocus()
    qtbot.keyClick(tile, Qt.Key.Key_Return)  # keyboard alone: the lots behind the figure
    model = page.rows.view.model()
    assert page.rows.title.text() == "Expiring lots"
    assert [model.index(r, 3).data() for r in range(model.rowCount())] == ["GONE", "NEAR"]


def test_an_admin_chooses_the_quarantine_and_expired_lots_go_there_by_themselves(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, actor: Actor, plant: dict[str, int]
) -> None:
    from desktop.ui.lots.expiry_watch import ExpiryWatch

    gone = lots.receive(
        ctx.db,
        actor,
        LotReceipt(plant["grease"], plant["bin"], Decimal(2), "GONE", date.today() - timedelta(1)),
    ).lots[0]
    window.go_to("Settings")
    form = window.settings_page.expiry
    scan_into(qtbot, form.quarantine, "L-A-01-02")  # a shelf, not a quarantine: refused, nothing saved
    assert form.banner.kind == "error" and "A-01-02 is not a quarantine location" in form.banner.text()
    assert form.quarantine.hasFocus() and lots.quarantine_location(ctx.db) == ""
    scan(qtbot, "L-Q-01")
    assert form.banner.kind == "ok" and "Expired lots move to Q-01 every hour" in form.banner.text()
    told: list[str] = []
    watch = ExpiryWatch(ctx.db, ctx.runner, ctx.events, lambda: ctx.actor, told.append)
    with qtbot.waitSignal(ctx.events.data_changed):
        watch.check()
    assert told == ["1 expired lot(s) moved to quarantine"]
    assert _lot_qty(ctx.db, plant["grease"], plant["bin"]) == {}
    assert lots.trace(ctx.db, gone.code).on_hand == (("Q-01", Decimal(2)),)
    watch.check()  # the next hour: nothing to move, nothing said
    assert told == ["1 expired lot(s) moved to quarantine"]


def test_an_mro_issue_against_a_reservation_takes_the_lot_scanned(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, actor: Actor, plant: dict[str, int]
) -> None:
    from desktop.services import mro
    from desktop.services.mro import ReservationInput
    from desktop.ui.mro.mro_dialogs import IssueReservedDialog

    def got(number: str, days: int, part: str = "grease") -> lots.LotDTO:
        when = date.today() + timedelta(days=days)
        return lots.receive(
            ctx.db, actor, LotReceipt(plant[part], plant["bin"], Decimal(4), number, when)
        ).lots[0]

    got("FIRST", 10)
    later = got(LONGEST, 300)
    other = make_part(ctx.db, actor, "OIL-1", description="Oil")
    lots.set_tracking(ctx.db, actor, other.id, TrackingInput("LOT"))
    foreign = lots.receive(
        ctx.db, actor, LotReceipt(other.id, plant["bin"], Decimal(1), "OIL-LOT", date.today() + timedelta(50))
    ).lots[0]
    reservation = mro.reserve(ctx.db, actor, ReservationInput(plant["grease"], Decimal(2), "WO-5"))
    dialog = IssueReservedDialog(ctx, reservation, window)  # as the MRO page opens it
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    scan_into(qtbot, dialog.bin_edit, "L-A-01-01")
    assert dialog.qty_edit is not None and dialog.focusWidget() is dialog.qty_edit
    scan(qtbot, foreign.code)  # another part's lot, scanned with the cursor in Quantity: into Lot
    assert dialog.lot_edit.text() == foreign.code and dialog.focusWidget() is dialog.qty_edit
    type_text(qtbot, "", enter=True)
    assert dialog.banner.kind == "error" and "Unknown lot" in dialog.banner.text()
    assert dialog.focusWidget() is dialog.lot_edit  # the field to correct
    assert _lot_qty(ctx.db, plant["grease"], plant["bin"]) == {"FIRST": 4, LONGEST: 4}  # nothing posted
    scan(qtbot, later.code)
    type_text(qtbot, "", enter=True)
    assert dialog.banner.kind == "ok", dialog.banner.text()
    assert f"lot {LONGEST}" in dialog.banner.text() and "for WO-5" in dialog.banner.text()
    assert _lot_qty(ctx.db, plant["grease"], plant["bin"]) == {"FIRST": 4, LONGEST: 2}
