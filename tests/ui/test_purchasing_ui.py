"""The part page shows what is on order: every open order line of the part, the soonest needed first."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pytestqt.qtbot import QtBot

from desktop.db import Database
from desktop.services import purchasing as po
from desktop.services.actor import Actor
from desktop.services.suppliers import PartSupplierInput, supplier_id_for_name
from desktop.ui.main_window import MainWindow
from tests.factories import make_part, make_tree
from tests.ui.keys import focus, scan


def test_the_part_page_lists_open_order_lines(
    qtbot: QtBot, window: MainWindow, sqlite_db: Database, actor: Actor
) -> None:
    tree = make_tree(sqlite_db, actor)
    part = make_part(sqlite_db, actor, suppliers=(PartSupplierInput("SKF", "SKF-1", None, Decimal(10)),))
    skf = supplier_id_for_name(sqlite_db, "SKF")
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
    rows = [[table.item(r, c).text() for c in range(table.columnCount())] for r in range(table.rowCount())]
    assert rows == [
        [f"{soon.number}/1", "SKF", "partly received", "18 EA", "2027-01-05"],
        [f"{late.number}/1", "SKF", "draft", "20 EA", "2027-03-01"],
    ]
    assert done.number not in str(rows)
    assert page.tabs.tabText(page.tabs.indexOf(table)) == "On order (38)"
