"""The Trace page at a keeper's PC, scanner and keyboard only: a lot label scanned into the page shows
every move of the lot and where it is now; a work order typed, or a machine tag scanned, shows the lots
that went there; a bin label scanned in the wrong place gets a clear message and changes nothing; the
trace is saved as a PDF that reads back."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from desktop.db import Database
from desktop.models.enums import MoveKind
from desktop.reports.table_report import ReportTable
from desktop.services import lots, mro
from desktop.services.actor import Actor
from desktop.services.catalogue import locations
from desktop.services.catalogue.suppliers import create_supplier
from desktop.services.lots import LotReceipt, TrackingInput
from desktop.services.stock import issue as stock_issue
from desktop.services.stock.moves import MoveRequest
from desktop.services.topics import Topic
from desktop.ui.context import AppContext
from desktop.ui.lots.trace_page import TracePage
from desktop.ui.main_window import MainWindow
from tests.factories import make_part, make_tree
from tests.reports.helpers import open_pdf
from tests.ui.keys import focus, scan, type_text

LONGEST = "H" * 36 + "-471"  # a lot number at its maximum, 40 characters


@pytest.fixture
def traced_lot(sqlite_db: Database, actor: Actor) -> lots.LotDTO:
    tree = make_tree(sqlite_db, actor)
    grease = make_part(sqlite_db, actor, "GREASE-EP2", description="Grease EP2 400 g")
    lots.set_tracking(sqlite_db, actor, grease.id, TrackingInput("LOT", 365))
    supplier = create_supplier(sqlite_db, actor, "Lubes & Co")
    bin_id = tree["A-01-01"].id
    lot = lots.receive(
        sqlite_db,
        actor,
        LotReceipt(
            grease.id, bin_id, Decimal(10), LONGEST, date.today() + timedelta(90), supplier_id=supplier.id
        ),
    ).lots[0]
    stock_issue.issue(
        sqlite_db, actor, MoveRequest(MoveKind.ISSUE, grease.id, Decimal(2), bin_id, reference="WO-7001")
    )
    press = mro.create_asset(sqlite_db, actor, mro.AssetInput("PRESS-01", "Press 1"))
    mro.issue_to_asset(sqlite_db, actor, grease.id, bin_id, Decimal(1), work_order="WO-8", asset_id=press.id)
    return lot


def _page(qtbot: QtBot, window: MainWindow) -> TracePage:
    window.go_to("Trace")
    page = window.pages["Trace"]
    assert isinstance(page, TracePage)
    qtbot.waitUntil(lambda: page.code_edit.hasFocus())  # the cursor waits in the field for a scan
    return page


def _column(table: ReportTable, header: str) -> list[object]:
    at = table.headers.index(header)
    return [row[at] for row in table.rows]


def test_a_scanned_lot_label_shows_every_move_and_where_the_lot_is(
    qtbot: QtBot, window: MainWindow, traced_lot: lots.LotDTO, tmp_path: Path
) -> None:
    page = _page(qtbot, window)
    with qtbot.waitSignal(page.traced) as shown:
        scan(qtbot, traced_lot.code)
    table = shown.args[0]
    assert _column(table, "Kind") == ["RECEIPT", "ISSUE", "ISSUE"]
    assert _column(table, "Qty") == [10, 2, 1]
    assert _column(table, "Reference") == ["", "WO-7001", "WO-8"]
    assert _column(table, "Asset") == ["", "", "PRESS-01"]
    assert set(_column(table, "Lot")) == {LONGEST}
    assert "from Lubes & Co" in table.subtitle and "now 7 EA (A-01-01 7)" in table.subtitle
    assert page.report.view.model().rowCount() == 3 and page.banner.kind == "ok"
    assert (
        page.code_edit.hasFocus() and page.code_edit.selectedText() == traced_lot.code
    )  # next scan replaces
    # saved for the quality file: the PDF reads back with the lot and the work orders
    page.report.save_to(tmp_path / "trace.pdf")
    with open_pdf((tmp_path / "trace.pdf").read_bytes()) as doc:
        text = "\n".join(p.extract_text() for p in doc.pages)
    assert f"Trace of lot {LONGEST}" in text and "WO-7001" in text and "PRESS-01" in text


def test_the_reverse_a_work_order_typed_and_a_machine_tag_scanned(
    qtbot: QtBot, window: MainWindow, traced_lot: lots.LotDTO
) -> None:
    page = _page(qtbot, window)
    focus(qtbot, page.by)
    QTest.keyClick(page.by, Qt.Key.Key_Down)  # Work order / reference, by the keyboard
    assert page.code_edit.hasFocus()
    with qtbot.waitSignal(page.traced) as shown:
        type_text(qtbot, "wo-7001", enter=True)
    table = shown.args[0]
    assert _column(table, "Reference") == ["WO-7001"] and _column(table, "Lot") == [LONGEST]
    assert "1 move(s) of 1 lot(s) under wo-7001" in table.subtitle
    with qtbot.waitSignal(page.traced) as shown:
        scan(qtbot, "A-PRESS-01")  # a machine's label switches the page to machines by itself
    assert page.by.currentText() == "Machine (asset)"
    assert _column(shown.args[0], "Reference") == ["WO-8"]


def test_a_wrong_scan_gets_a_clear_message_and_keeps_the_trace(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, traced_lot: lots.LotDTO
) -> None:
    page = _page(qtbot, window)
    with qtbot.waitSignal(page.traced):
        scan(qtbot, traced_lot.code)
    scan(qtbot, "L-A-01-01")  # a bin label into the lot field: no lot has that number
    assert page.banner.kind == "error" and "Unknown lot L-A-01-01" in page.banner.text()
    assert page.code_edit.hasFocus() and page.code_edit.selectedText() == "L-A-01-01"
    assert page.report.view.model().rowCount() == 3  # the trace on screen stays
    focus(qtbot, page.report.view)  # the cursor in the table: a part label is refused there too
    scan(qtbot, "P-GREASE-EP2")
    assert page.banner.kind == "error" and "not a lot label or machine tag" in page.banner.text()
    assert window.stack.currentWidget() is page  # not taken away to the part's page
    with qtbot.waitSignal(page.traced) as shown:  # and a lot label scanned there is traced
        scan(qtbot, traced_lot.code)
    assert len(shown.args[0].rows) == 3
    # a move posted elsewhere: the trace on screen is read again
    lot = lots.trace(ctx.db, traced_lot.code).lot
    bin_id = locations.get_location_id(ctx.db, "A-01-01")
    with qtbot.waitSignal(page.traced) as shown:
        stock_issue.issue(ctx.db, ctx.actor, MoveRequest(MoveKind.ISSUE, lot.part_id, Decimal(1), bin_id))
        ctx.events.changed(Topic.STOCK)
    assert len(shown.args[0].rows) == 4
