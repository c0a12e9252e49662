"""A keeper receives kanban cards at the scan station with the scanner alone: a tracked part's card asks
for its lot below the scan box (an `LT-` lot label, the supplier's GS1-128 label, or the lot typed), a
wrong lot label or an unknown card is refused with a clear message and posts nothing, and an untracked
card is received as before without any question."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from desktop.db import Database
from desktop.models import StockMove
from desktop.services import lots
from desktop.services.actor import Actor
from desktop.services.catalogue.suppliers import PartSupplierInput
from desktop.services.kanban import loops as kb
from desktop.services.kanban import scanning
from desktop.services.kanban.loops import CardStatus, LoopInput, LoopKind, StationMode
from desktop.services.lots import LotReceipt, TrackingInput
from desktop.services.stock import balance_check
from desktop.services.stock import moves as stock
from desktop.ui.context import AppContext
from desktop.ui.kanban.kanban_station import ScanStation
from desktop.ui.main_window import MainWindow
from tests.factories import make_part, make_tree
from tests.ui.keys import focused, press, scan, type_text

LONGEST = "Q" * 38 + "-7"  # a lot number at its maximum, 40 characters


@pytest.fixture
def plant(sqlite_db: Database, actor: Actor) -> dict[str, int]:
    """GREASE-EP2 tracked by lot with two cards, an untracked SCREW-M6 with one, all ordered; OIL-ISO220,
    tracked by lot, has a lot C-17 in the storeroom (a label of another part's lot)."""
    tree = make_tree(sqlite_db, actor)
    grease = make_part(sqlite_db, actor, "GREASE-EP2", suppliers=(PartSupplierInput("Lubes & Co"),))
    lots.set_tracking(sqlite_db, actor, grease.id, TrackingInput("LOT", 365))
    screw = make_part(sqlite_db, actor, "SCREW-M6", suppliers=(PartSupplierInput("Fastenal"),))
    oil = make_part(sqlite_db, actor, "OIL-ISO220")
    lots.set_tracking(sqlite_db, actor, oil.id, TrackingInput("LOT"))
    foreign = lots.receive(sqlite_db, actor, LotReceipt(oil.id, tree["A-01-01"].id, Decimal(1), "C-17"))
    out = {"grease": grease.id, "screw": screw.id, "line": tree["A-01-02"].id, "oil_lot": foreign.lots[0].id}
    for name, count in (("grease", 2), ("screw", 1)):
        loop = kb.create_loop(
            sqlite_db, actor, LoopInput(out[name], LoopKind.PURCHASE, out["line"], Decimal(12), count)
        )
        for n, card in enumerate(kb.cards(sqlite_db, loop.id)):
            scanning.scan(sqlite_db, actor, card.code, StationMode.LINE)
            scanning.mark(sqlite_db, actor, [card.id], CardStatus.ORDERED)
            out[f"{name}_card{n + 1}"] = card.id
    return out


def _moves(db: Database) -> int:
    return db.read(lambda s: s.scalar(select(func.count()).select_from(StockMove)) or 0)


def _lots(db: Database, part_id: int, bin_id: int) -> dict[str, Decimal]:
    return {x.lot.lot_number: x.qty for x in lots.propose(db, part_id, bin_id)}


def _station(qtbot: QtBot, window: MainWindow) -> ScanStation:
    window.go_to("Kanban")
    station = window.pages["Kanban"].station  # type: ignore[attr-defined]
    assert isinstance(station, ScanStation)
    station.receiving.setChecked(True)
    station.scan_box.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is station.scan_box, timeout=2000)
    return station


def test_a_tracked_card_asks_for_its_lot_at_the_station(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, plant: dict[str, int]
) -> None:
    station = _station(qtbot, window)
    card1, card2 = kb.card_code(plant["grease_card1"]), kb.card_code(plant["grease_card2"])
    assert not station.lot_box.isVisible()

    scan(qtbot, card1)  # the card of a tracked part: the lot is asked, nothing posted yet
    assert station.lot_box.isVisible() and focused() is station.lot_edit
    assert station.banner.kind == "warn" and "GREASE-EP2 is tracked by lot" in station.banner.text()
    assert f"Card {card1} waits for its lot" in station.banner.text()
    assert _moves(ctx.db) == 1  # only the oil's receipt

    # the label of another part's lot: refused, nothing posted, the lot asked again
    scan(qtbot, f"LT-{plant['oil_lot']}")
    assert station.banner.kind == "error"
    assert f"LT-{plant['oil_lot']} is lot C-17 of OIL-ISO220, not of GREASE-EP2" in station.banner.text()
    assert "Nothing was received" in station.banner.text()
    assert focused() is station.lot_edit and station.waiting == card1 and _moves(ctx.db) == 1

    # the supplier's GS1-128 label: lot and expiry from it, the card full
    scan(qtbot, "(01)04012345678901(17)270331(10)HEAT-4711")
    assert station.banner.kind == "ok", station.banner.text()
    assert "lot HEAT-4711" in station.banner.text() and "full" in station.banner.text()
    assert not station.lot_box.isVisible() and focused() is station.scan_box
    assert lots.trace(ctx.db, "HEAT-4711").lot.expires_on == date(2027, 3, 31)

    # the second card: the lot typed by hand, at its longest, with the expiry typed too
    scan(qtbot, card2)
    assert focused() is station.lot_edit
    type_text(qtbot, LONGEST)
    press(qtbot, Qt.Key.Key_Tab)
    assert focused() is station.expiry_edit
    type_text(qtbot, "2028-01-31", enter=True)
    assert station.banner.kind == "ok", station.banner.text()
    assert _lots(ctx.db, plant["grease"], plant["line"]) == {"HEAT-4711": 12, LONGEST: 12}
    assert lots.trace(ctx.db, LONGEST).lot.expires_on == date(2028, 1, 31)
    assert balance_check.check_balances(ctx.db, ctx.actor) == []


def test_an_unknown_card_or_a_dropped_lot_posts_nothing(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, plant: dict[str, int]
) -> None:
    station = _station(qtbot, window)
    before = _moves(ctx.db)
    scan(qtbot, "K-999999")
    assert station.banner.kind == "error" and "Unknown kanban card K-999999" in station.banner.text()
    assert not station.lot_box.isVisible() and focused() is station.scan_box

    scan(qtbot, kb.card_code(plant["grease_card1"]))
    assert station.lot_box.isVisible()
    scan(qtbot, "L-A-01-01")  # a bin label while the lot is asked: refused, the question stays
    assert station.banner.kind == "error" and "L-A-01-01 is not a lot label" in station.banner.text()
    assert focused() is station.lot_edit
    press(qtbot, Qt.Key.Key_Escape)  # the keeper gives up: nothing received
    assert not station.lot_box.isVisible() and focused() is station.scan_box
    assert station.banner.kind == "warn" and "the card was not received" in station.banner.text()
    assert _moves(ctx.db) == before
    assert {c.status for c in kb.cards(ctx.db) if c.id == plant["grease_card1"]} == {"ORDERED"}


def test_an_untracked_card_is_received_without_a_question(
    qtbot: QtBot, window: MainWindow, ctx: AppContext, plant: dict[str, int]
) -> None:
    station = _station(qtbot, window)
    scan(qtbot, kb.card_code(plant["screw_card1"]))
    assert station.banner.kind == "ok" and "Receipt 12 EA of SCREW-M6 to A-01-02" in station.banner.text()
    assert not station.lot_box.isVisible() and focused() is station.scan_box
    assert stock.balance(ctx.db, plant["screw"], plant["line"]) == 12
