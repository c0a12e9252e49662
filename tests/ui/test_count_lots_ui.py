"""A keeper counts a bin holding a tracked part, scanner and keyboard only: each lot is its own line, a
lot label scanned anywhere on the Count tab picks the part and the lot and selects that line, a lot number
(40 characters) read from a supplier's label lands in Lot, a wrong lot label is refused with a clear
message and counts nothing, a lot found on the shelf is added when the keeper goes on, and approval posts
per lot."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktop.db import Database
from desktop.models import CountLine, LotBalance, StockMove
from desktop.services import lots
from desktop.services.actor import Actor
from desktop.services.lots import LotReceipt, TrackingInput
from desktop.services.stock import balance_check
from desktop.services.stock import moves as stock
from desktop.ui.context import AppContext
from desktop.ui.main_window import MainWindow
from tests.factories import make_part, make_tree, receive
from tests.ui.keys import focused, scan, type_in, type_text

LONGEST = "B" * 38 + "-9"  # a lot number at its maximum, 40 characters


@pytest.fixture
def plant(sqlite_db: Database, actor: Actor) -> dict[str, Any]:
    """Bin A-01-01: grease by lot, H-1 x5 and a 40-character lot x3, and 4 untracked bearings."""
    tree = make_tree(sqlite_db, actor)
    grease = make_part(sqlite_db, actor, "GREASE-EP2", description="Grease EP2 400 g")
    lots.set_tracking(sqlite_db, actor, grease.id, TrackingInput("LOT", 365))
    bearing = make_part(sqlite_db, actor)
    bin1 = tree["A-01-01"].id
    h1 = lots.receive(sqlite_db, actor, LotReceipt(grease.id, bin1, Decimal(5), "H-1")).lots[0]
    lots.receive(sqlite_db, actor, LotReceipt(grease.id, bin1, Decimal(3), LONGEST))
    receive(sqlite_db, actor, bearing.id, bin1, "4")
    return {"grease": grease.id, "bin": bin1, "h1": h1}


def _count(db: Database, model: type[StockMove] | type[CountLine]) -> int:
    return db.read(lambda s: s.scalar(select(func.count()).select_from(model)) or 0)


def _lot_stock(db: Database, part_id: int) -> dict[str, Decimal]:
    return {x.lot.lot_number: x.qty for x in lots.lots_of_part(db, part_id) if x.qty}


def _column(page: Any, title: str) -> list[str]:
    col = [page.lines.horizontalHeaderItem(c).text() for c in range(page.lines.columnCount())].index(title)
    return [page.lines.item(r, col).text() for r in range(page.lines.rowCount())]


def _at(widget: object) -> bool:
    """The keyboard's focus is in `widget` (a helper, so the check does not narrow the page's type)."""
    return focused() is widget


def _selected_lot(page: Any) -> str:
    rows = page.lines.selectionModel().selectedRows()
    return page.lines.item(rows[0].row(), 2).text() if rows else ""


def test_count_a_bin_per_lot_by_scanning(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, plant: dict[str, Any]
) -> None:
    window.go_to("Cycle counts")
    page: Any = window.pages["Cycle counts"]
    type_in(qtbot, page.where, "A-01-01", enter=True)
    expires = plant["h1"].expires_on.isoformat()
    assert _column(page, "Lot") == ["", f"{LONGEST} (expires {expires})", f"H-1 (expires {expires})"]
    assert _column(page, "Part") == ["6205-2RS", "GREASE-EP2", "GREASE-EP2"]
    assert set(_column(page, "Book")) == {""}  # blind: the book stays hidden per lot too
    assert _at(page.bin_edit)
    scan(qtbot, "L-A-01-01")
    scan(qtbot, "P-6205-2RS")  # untracked: no Lot asked, straight to the quantity
    assert not page.lot_edit.isVisible() and _at(page.qty_edit)
    type_text(qtbot, "4", enter=True)
    assert page.banner.kind == "ok" and "6205-2RS in A-01-01: 4 EA counted" in page.banner.text()

    # a lot label scanned in Part: the part, its lot and its line at once, the cursor in Quantity
    assert _at(page.part_edit)
    scan(qtbot, plant["h1"].code)
    assert page.part_edit.text() == "GREASE-EP2" and page.lot_edit.text() == "H-1"
    assert page.lot_edit.isVisible() and _at(page.qty_edit)
    assert _selected_lot(page).startswith("H-1")
    type_text(qtbot, "5", enter=True)
    assert "GREASE-EP2 lot H-1 in A-01-01: 5 EA counted" in page.banner.text()

    # a wrong lot label: a clear message, nothing counted, nothing posted
    lines, moves = _count(ctx.db, CountLine), _count(ctx.db, StockMove)
    scan(qtbot, "LT-99999999")
    assert page.banner.kind == "error"
    assert "LT-99999999 is not a lot label on record: nothing was counted" in page.banner.text()
    assert _at(page.part_edit) and page.part_edit.text() == ""
    # typed in Lot: an LT- code of no lot of this part is refused there too, the cursor kept in Lot
    scan(qtbot, "P-GREASE-EP2")
    assert _at(page.lot_edit)
    type_text(qtbot, "LT-424242", enter=True)
    assert page.banner.kind == "error" and "LT-424242 is not the label of a lot of GREASE-EP2" in (
        page.banner.text()
    )
    assert _at(page.lot_edit) and page.lot_edit.selectedText() == "LT-424242"
    assert (_count(ctx.db, CountLine), _count(ctx.db, StockMove)) == (lines, moves)

    # the supplier's label read into Lot: a lot number at its maximum length
    scan(qtbot, LONGEST)
    assert page.lot_edit.text() == LONGEST and _at(page.qty_edit)
    assert _selected_lot(page).startswith(LONGEST)
    type_text(qtbot, "3", enter=True)
    assert f"GREASE-EP2 lot {LONGEST} in A-01-01: 3 EA counted" in page.banner.text()

    # a lot found on the shelf that the book does not know: said so, then added as the keeper goes on
    scan(qtbot, "P-GREASE-EP2")
    type_text(qtbot, "NEW-1", enter=True)
    assert page.banner.kind == "warn" and "Lot NEW-1 of GREASE-EP2 is not on record" in page.banner.text()
    assert _at(page.qty_edit)
    type_text(qtbot, "2", enter=True)
    assert page.banner.kind == "warn" and "GREASE-EP2 lot NEW-1 in A-01-01: out of tolerance" in (
        page.banner.text()
    )
    today = date.today().isoformat()  # a found lot of a part with a shelf life expires on the count's day
    assert _column(page, "Lot")[1:] == [
        f"{LONGEST} (expires {expires})",
        f"H-1 (expires {expires})",
        f"NEW-1 (expires {today})",
    ]
    assert _count(ctx.db, StockMove) == moves  # counting posts nothing
    scan(qtbot, "P-GREASE-EP2")  # the recount (the only counter here may do it)
    type_text(qtbot, "new-1", enter=True)
    assert page.banner.kind != "warn" and page.lot_edit.text() == "NEW-1"  # now on record
    type_text(qtbot, "2", enter=True)

    page.approve_button.click()
    dialog = page.approve_dialog
    assert [dialog.table.item(r, 2).text().split(" ")[0] for r in range(4)] == ["", LONGEST, "H-1", "NEW-1"]
    dialog.approve_button.click()
    assert "1 count adjustment" in page.banner.text()
    assert _lot_stock(ctx.db, plant["grease"]) == {"H-1": 5, LONGEST: 3, "NEW-1": 2}
    assert stock.balance(ctx.db, plant["grease"], plant["bin"]) == 10
    assert ctx.db.read(
        lambda s: s.scalar(select(func.sum(LotBalance.qty)).where(LotBalance.part_id == plant["grease"]))
    ) == Decimal(10)
    assert balance_check.check_balances(ctx.db, ctx.actor) == []
