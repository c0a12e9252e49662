"""Purchasing on screen: the part page's On order tab, What to order and the kanban replenishment list
putting lines and cards on purchase orders."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.db import Database
from desktop.services import purchasing as po
from desktop.services.actor import Actor
from desktop.services.admin.plant_settings import PlantIdentity
from desktop.services.catalogue.suppliers import PartSupplierInput, get_supplier_id
from desktop.services.kanban import loops as kb
from desktop.services.kanban import scanning
from desktop.services.topics import Topic
from desktop.ui.insight.reports_page import ReportsPage
from desktop.ui.kanban.kanban_page import KanbanPage
from desktop.ui.main_window import MainWindow
from desktop.ui.purchasing.purchasing_page import PurchasingPage
from tests.factories import make_part, make_tree, receive
from tests.ui.cells import cell_text
from tests.ui.keys import focus, press, scan, type_text


def test_the_part_page_lists_open_order_lines(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, actor: Actor
) -> None:
    tree = make_tree(sqlite_db, actor)
    part = make_part(sqlite_db, actor, suppliers=(PartSupplierInput("SKF", "SKF-1", None, Decimal(10)),))
    skf = get_supplier_id(sqlite_db, "SKF")
    late = po.create_order(
        sqlite_db, actor, skf, [po.LineInput(part.id, Decimal(2), needed_by=date(2027, 3, 1))]
    )
    soon = po.send_order(
        sqlite_db,
        actor,
        po.create_order(
            sqlite_db, actor, skf, [po.LineInput(part.id, Decimal(3), needed_by=date(2027, 1, 5))]
        ).id,
    )
    po.receive(sqlite_db, actor, po.ReceiptRequest(soon.id, part.id, Decimal(12), tree["A-01-01"].id))
    done = po.cancel_order(
        sqlite_db, actor, po.create_order(sqlite_db, actor, skf, [po.LineInput(part.id, Decimal(1))]).id
    )
    focus(qtbot, window.scan_box)
    scan(qtbot, "P-6205-2RS")
    page = window.part_page
    assert window.stack.currentWidget() is page
    table = page.on_order
    rows = [[cell_text(table, r, c) for c in range(table.columnCount())] for r in range(table.rowCount())]
    assert rows == [
        [f"{soon.number}/1", "SKF", "partly received", "18 EA", "2027-01-05"],
        [f"{late.number}/1", "SKF", "draft", "20 EA", "2027-03-01"],
    ]
    assert done.number not in str(rows)
    assert page.tabs.tabText(page.tabs.indexOf(table)) == "On order (38)"


def test_what_to_order_puts_the_selected_lines_on_purchase_orders(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, actor: Actor
) -> None:
    for number, supplier in (("BOLT-1", "Fastenal"), ("BOLT-2", "Fastenal"), ("OIL-1", "Shell")):
        pack = (PartSupplierInput(supplier, None, None, Decimal(12)),)  # 10 to order: one pack of 12
        make_part(sqlite_db, actor, number, reorder_point=Decimal(10), suppliers=pack)
    window.go_to("Reports")
    page = window.pages["Reports"]
    assert isinstance(page, ReportsPage)
    tab = page.replenishment
    page.tabs.setCurrentWidget(tab)
    tab.refresh()
    assert [x.part_number for x in tab.items] == ["BOLT-1", "BOLT-2", "OIL-1"]
    tab.order_po.click()
    assert tab.summary.text().startswith("Select the lines to order first")
    focus(qtbot, tab.table)
    press(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # every line
    tab.order_po.click()
    assert tab.summary.text() == (
        "Draft purchase orders created: PO-000001 (Fastenal, 2 line(s)), PO-000002 (Shell, 1 line(s)). "
        "0 part(s) to order from 0 supplier(s), 0.00 in all"
    )
    assert tab.items == [] and len(po.list_orders(sqlite_db)) == 2


def test_the_kanban_replenishment_list_puts_cards_on_a_purchase_order(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, actor: Actor
) -> None:
    tree = make_tree(sqlite_db, actor)
    part = make_part(sqlite_db, actor, suppliers=(PartSupplierInput("SKF"),))
    loop = kb.create_loop(
        sqlite_db, actor, kb.LoopInput(part.id, kb.LoopKind.PURCHASE, tree["A-01-02"].id, Decimal(20), 2)
    )
    for card in kb.cards(sqlite_db, loop.id):
        scanning.scan(sqlite_db, actor, card.code, kb.StationMode.LINE)
    window.go_to("Kanban")
    page = window.pages["Kanban"]
    assert isinstance(page, KanbanPage)
    page.tabs.setCurrentIndex(2)
    page.refresh()
    page.order_po.click()
    assert page.repl_banner.kind == "error" and "Select a line" in page.repl_banner.text()
    page.repl_table.selectRow(0)
    page.order_po.click()
    assert page.repl_banner.kind == "ok"
    assert page.repl_banner.text().endswith("2 card(s) of 6205-2RS ordered on draft PO-000001 (SKF).")
    assert {c.status for c in kb.cards(sqlite_db, loop.id)} == {"ORDERED"}
    assert page.repl_table.rowCount() == 0  # the list follows


def test_receiving_a_delivery_by_scanner(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, actor: Actor, tmp_path: Path
) -> None:
    tree = make_tree(sqlite_db, actor)
    part = make_part(sqlite_db, actor, suppliers=(PartSupplierInput("SKF", "SKF-6205"),))
    receive(sqlite_db, actor, part.id, tree["A-01-02"].id, "1")  # its usual bin from now on
    skf = get_supplier_id(sqlite_db, "SKF")
    order = po.send_order(
        sqlite_db, actor, po.create_order(sqlite_db, actor, skf, [po.LineInput(part.id, Decimal(5))]).id
    )
    focus(qtbot, window.scan_box)
    scan(qtbot, order.number)
    page = window.pages["Purchasing"]
    assert isinstance(page, PurchasingPage)
    assert window.stack.currentWidget() is page and page.selected_order() is not None
    assert page.part_edit.hasFocus()
    scan(qtbot, "SKF-6205")  # the supplier's label on the box
    assert page.qty_edit.hasFocus() and page.part_edit.text() == "SKF-6205"
    type_text(qtbot, "3", enter=True)
    assert page.banner.kind == "ok", page.banner.text()
    assert (
        f"{order.number} line 1: Receipt 3 EA of 6205-2RS to A-01-02; 2 EA still open" in page.banner.text()
    )
    assert page.part_edit.hasFocus() and page.part_edit.text() == ""
    assert [cell_text(page.lines, 0, c) for c in (3, 4, 5)] == ["5", "3", "2"]
    scan(qtbot, "P-6205-2RS")
    type_text(qtbot, "9", enter=True)  # more than the 10 % tolerance allows
    assert page.banner.kind == "error" and "2 left (up to 2.5 with the 10 % tolerance)" in page.banner.text()
    assert page.qty_edit.hasFocus() and page.qty_edit.selectedText() == "9"
    type_text(qtbot, "2", enter=True)
    assert page.banner.kind == "ok" and "line complete (received)" in page.banner.text()
    assert page.selected_order() is not None  # a received order stays in the list until it is closed
    page.close_button.click()
    assert page.banner.text().endswith(f"{order.number} closed.")
    assert po.get_order(sqlite_db, order.id).state == "CLOSED"
    page.save_pdf(order.id, tmp_path / "po.pdf")
    assert (
        page.banner.text().endswith(f"{order.number} saved to po.pdf.")
        and (tmp_path / "po.pdf").stat().st_size
    )


def test_the_plant_and_the_tolerance_are_set_in_settings(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database
) -> None:
    from desktop.services.admin.plant_settings import plant_identity

    window.go_to("Settings")
    form = window.settings_page.purchasing
    assert form.tolerance.value() == 10 and form.save_button.isVisible()
    focus(qtbot, form.plant_name)
    type_text(qtbot, "Acme Works")
    focus(qtbot, form.address)
    type_text(qtbot, "Main street 1")
    focus(qtbot, form.tolerance)
    form.tolerance.selectAll()
    type_text(qtbot, "5")
    form.save_button.click()
    assert form.banner.kind == "ok", form.banner.text()
    assert plant_identity(sqlite_db) == PlantIdentity("Acme Works", "Main street 1", "")
    assert po.purchasing_settings(sqlite_db).over_receipt_pct == 5


def test_the_parts_list_shows_what_is_on_order(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, actor: Actor
) -> None:
    from desktop.ui.catalogue.parts_model import COLUMNS

    column = [key for key, _title in COLUMNS].index("on_order")
    part = make_part(sqlite_db, actor, suppliers=(PartSupplierInput("SKF", "SKF-1", None, Decimal(10)),))
    make_part(sqlite_db, actor, "V-100", description="Valve")
    page = window.parts_page
    page.refresh()
    model = page.model
    qtbot.waitUntil(lambda: model.rowCount() == 2)
    assert model.headerData(column, Qt.Orientation.Horizontal) == "On order"
    assert model.data(model.index(0, column)) == ""  # nothing coming: blank
    po.create_order(sqlite_db, actor, get_supplier_id(sqlite_db, "SKF"), [po.LineInput(part.id, Decimal(2))])
    window.ctx.events.changed(Topic.PURCHASING)  # as the watcher says it when another PC orders
    qtbot.waitUntil(lambda: model.data(model.index(0, column)) == "20")
    assert model.data(model.index(0, column), Qt.ItemDataRole.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    model.sort(column, Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: model.part_id(0) == part.id)
    model.sort(column, Qt.SortOrder.AscendingOrder)
    qtbot.waitUntil(lambda: model.part_id(0) != part.id)


def test_the_dashboard_shows_order_accuracy_and_the_suppliers_behind_it(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, actor: Actor
) -> None:
    from datetime import timedelta

    from desktop.ui.insight.dashboard_page import DashboardPage

    tree = make_tree(sqlite_db, actor)
    part = make_part(sqlite_db, actor, suppliers=(PartSupplierInput("SKF", "SKF-1"),))
    skf = get_supplier_id(sqlite_db, "SKF")
    for needed in (date.today() + timedelta(days=4), date.today() - timedelta(days=3)):
        made = po.create_order(sqlite_db, actor, skf, [po.LineInput(part.id, Decimal(1), needed_by=needed)])
        order = po.send_order(sqlite_db, actor, made.id)
        po.receive(sqlite_db, actor, po.ReceiptRequest(order.id, part.id, Decimal(1), tree["A-01-01"].id))
    window.go_to("Dashboard")
    page = window.pages["Dashboard"]
    assert isinstance(page, DashboardPage)
    tile = page.tiles["orders"]
    assert tile.title.text() == "Order accuracy" and tile.value.text() == "50.0 %"  # one of two on time
    assert tile.detail.text() == "1 of 2 order lines on time in full"
    tile.setFocus()
    qtbot.keyClick(tile, Qt.Key.Key_Return)  # the keyboard opens the rows behind it
    assert page.rows.title.text() == "Supplier performance"
    rows = page.rows.view.model()
    assert rows.index(0, 0).data() == "SKF" and rows.index(0, 1).data() == "2"


def test_a_drafts_lines_change_and_go_by_keyboard(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, actor: Actor
) -> None:
    from PySide6.QtWidgets import QApplication

    from desktop.ui.po_line_dialog import LineEditDialog

    part = make_part(
        sqlite_db, actor, suppliers=(PartSupplierInput("SKF", "SKF-1", Decimal("4.00"), Decimal(10)),)
    )
    other = make_part(sqlite_db, actor, "V-100", description="Valve", suppliers=(PartSupplierInput("SKF"),))
    skf = get_supplier_id(sqlite_db, "SKF")
    order = po.create_order(
        sqlite_db, actor, skf, [po.LineInput(part.id, Decimal(2)), po.LineInput(other.id, Decimal(1))]
    )
    focus(qtbot, window.scan_box)
    scan(qtbot, order.number)  # opens the order on the Purchasing page
    page = window.pages["Purchasing"]
    assert isinstance(page, PurchasingPage)
    focus(qtbot, page.lines)
    press(qtbot, Qt.Key.Key_PageUp)  # the first line
    press(qtbot, Qt.Key.Key_Return)
    dialog = page.line_dialog
    assert isinstance(dialog, LineEditDialog) and QApplication.focusWidget() is dialog.packs
    type_text(qtbot, "0")  # over the selected quantity
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "3.75")  # the price stays selected by Tab: typed over
    press(qtbot, Qt.Key.Key_Tab)
    type_text(qtbot, "2027-13-01", enter=True)
    assert dialog.isVisible() and "more than zero" in dialog.banner.text()  # nothing saved
    assert QApplication.focusWidget() is dialog.packs and dialog.packs.selectedText() == "0"
    type_text(qtbot, "3", enter=True)
    assert dialog.isVisible() and "not a date" in dialog.banner.text()
    assert QApplication.focusWidget() is dialog.needed_by and dialog.needed_by.selectedText() == "2027-13-01"
    type_text(qtbot, "2027-02-01", enter=True)
    assert not dialog.isVisible() and page.banner.kind == "ok", page.banner.text()
    line = po.get_order(sqlite_db, order.id).lines[0]
    assert (line.packs, line.unit_price, line.needed_by) == (3, Decimal("3.75"), date(2027, 2, 1))
    assert [cell_text(page.lines, 0, c) for c in (3, 7, 9)] == ["30", "3.75", "2027-02-01"]
    focus(qtbot, page.lines)
    press(qtbot, Qt.Key.Key_PageDown)  # the last line
    press(qtbot, Qt.Key.Key_Delete)
    assert page.banner.kind == "warn" and "Press Delete again" in page.banner.text()
    assert len(po.get_order(sqlite_db, order.id).lines) == 2  # the first Delete only asks
    press(qtbot, Qt.Key.Key_Delete)
    assert page.banner.text().endswith("line 2 deleted.")
    assert [x.part_number for x in po.get_order(sqlite_db, order.id).lines] == ["6205-2RS"]
    assert page.lines.rowCount() == 1
    po.send_order(sqlite_db, actor, order.id)
    window.ctx.events.changed(Topic.PURCHASING)
    focus(qtbot, page.lines)
    press(qtbot, Qt.Key.Key_PageUp)
    press(qtbot, Qt.Key.Key_Return)
    assert page.banner.kind == "error" and "only a draft's lines change" in page.banner.text()


def test_the_erps_open_orders_come_in_and_go_out_from_the_purchasing_page(
    qtbot: QtBot, window: MainWindow, actor: Actor, tmp_path: Path
) -> None:
    """A plant that orders in SAP: the clerk imports ME2N's open-order list on the Purchasing page
    (checked first), the orders are there to receive, and the export re-imports as unchanged."""
    from desktop.services.io.tabular import read_table

    db = window.ctx.db
    make_tree(db, actor)
    for number, supplier in (("BOLT-M8", "Fastenal"), ("NUT-M8", "Fastenal"), ("OIL-5L", "Shell")):
        make_part(db, actor, number, unit="PC", suppliers=(PartSupplierInput(supplier),))
    window.go_to("Purchasing")
    page = window.pages["Purchasing"]
    assert isinstance(page, PurchasingPage)
    page.erp_button.click()
    dialog = page.data_dialog
    assert dialog is not None and dialog.current_kind() == "purchase-orders"
    qtbot.addWidget(dialog)
    dialog.load(Path(__file__).parent.parent / "fixtures" / "erp" / "sap_me2n_open_pos.csv")
    dialog.combos["supplier"].setCurrentText("Name 1")  # SAP's Vendor column holds the vendor number
    dialog.check()
    assert dialog.problems.rowCount() == 0 and dialog.import_button.isEnabled(), dialog.banner.text()
    with qtbot.waitSignal(dialog.imported):
        dialog.import_button.click()
    qtbot.waitUntil(lambda: page.orders.rowCount() == 2)  # the page followed the import
    assert {cell_text(page.orders, r, 1) for r in range(2)} == {"Fastenal", "Shell"}
    assert {cell_text(page.orders, r, 2) for r in range(2)} == {"sent"}
    out = tmp_path / "open-orders.xlsx"
    dialog.export_to("purchase-orders", out)
    exported = read_table(out)
    assert len(exported.rows) == 3 and exported.rows[0][0] == "4500000123"
    dialog.load(out)  # the export, back in: nothing changes
    dialog.check()
    assert dialog.problems.rowCount() == 0 and "3 unchanged" in dialog.summary.text(), dialog.summary.text()
