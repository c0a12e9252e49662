"""Kanban receipts of a tracked part, on both databases: the receiving scan takes the container's lot (its
number, its `LT-` label or the supplier's GS1-128 label) and posts into that lot; without a lot, with the
label of another part's lot, or with an unknown label it is refused and posts nothing, the card staying as
it was. An untracked card works as before."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from desktop.db import Database
from desktop.errors import NotFound, UserError
from desktop.models import StockMove
from desktop.services import lots
from desktop.services.actor import Actor
from desktop.services.catalogue.suppliers import PartSupplierInput
from desktop.services.kanban import loops as kb
from desktop.services.kanban import scanning
from desktop.services.kanban.loops import CardStatus, LoopInput, LoopKind, StationMode
from desktop.services.lots import LotReceipt, TrackingInput
from desktop.services.stock import balance_check
from tests.factories import make_part, make_tree

LONGEST = "K" * 38 + "-9"  # a lot number at its maximum, 40 characters


@pytest.fixture
def plant(db: Database, admin: Actor) -> dict[str, int]:
    """GREASE-EP2 tracked by lot (shelf life 365 days) and an untracked SCREW-M6, each with a purchase
    loop of one card into A-01-02; the cards emptied and ordered, ready to be received."""
    tree = make_tree(db, admin)
    grease = make_part(db, admin, "GREASE-EP2", suppliers=(PartSupplierInput("Lubes & Co"),))
    lots.set_tracking(db, admin, grease.id, TrackingInput("LOT", 365))
    screw = make_part(db, admin, "SCREW-M6", suppliers=(PartSupplierInput("Fastenal"),))
    out = {"grease": grease.id, "screw": screw.id, "line": tree["A-01-02"].id, "stores": tree["A-01-01"].id}
    for name in ("grease", "screw"):
        loop = kb.create_loop(db, admin, LoopInput(out[name], LoopKind.PURCHASE, out["line"], Decimal(12), 1))
        card = kb.cards(db, loop.id)[0]
        scanning.scan(db, admin, card.code, StationMode.LINE)
        scanning.mark(db, admin, [card.id], CardStatus.ORDERED)
        out[f"{name}_card"] = card.id
    return out


def _moves(db: Database) -> int:
    return db.read(lambda s: s.scalar(select(func.count()).select_from(StockMove)) or 0)


def _lots(db: Database, part_id: int, bin_id: int) -> dict[str, Decimal]:
    return {x.lot.lot_number: x.qty for x in lots.propose(db, part_id, bin_id)}


def _status(db: Database, card_id: int) -> str:
    return next(c.status for c in kb.cards(db) if c.id == card_id)


def test_a_tracked_card_is_received_with_its_lot(db: Database, keeper: Actor, plant: dict[str, int]) -> None:
    code = kb.card_code(plant["grease_card"])
    with pytest.raises(UserError, match="GREASE-EP2 is tracked by lot: scan or type the lot") as asked:
        scanning.scan(db, keeper, code, StationMode.RECEIVING)
    assert asked.value.field == "lot"  # the station asks for the lot on this
    assert _moves(db) == 0 and _status(db, plant["grease_card"]) == "ORDERED"
    got = scanning.scan(db, keeper, code, StationMode.RECEIVING, lot=LONGEST)
    assert got.after == "FULL" and f"lot {LONGEST}" in got.message
    assert _lots(db, plant["grease"], plant["line"]) == {LONGEST: 12}
    lot = lots.trace(db, LONGEST).lot
    assert lot.expires_on == date.today() + timedelta(365) and lot.supplier_name == "Lubes & Co"
    assert balance_check.check_balances(db, keeper) == []


@pytest.mark.parametrize("label", ["gs1", "lt-code"])
def test_a_label_scanned_for_the_lot(db: Database, keeper: Actor, plant: dict[str, int], label: str) -> None:
    code = kb.card_code(plant["grease_card"])
    if label == "gs1":
        text, expect = "(01)04012345678901(17)270331(10)HEAT-4711", date(2027, 3, 31)
    else:  # the label of a lot received before (by hand, into the storeroom)
        made = lots.receive(
            db,
            keeper,
            LotReceipt(plant["grease"], plant["stores"], Decimal(1), "HEAT-4711", date(2027, 3, 31)),
        )
        text, expect = made.lots[0].code, date(2027, 3, 31)
    scanning.scan(db, keeper, code, StationMode.RECEIVING, lot=text)
    assert _lots(db, plant["grease"], plant["line"]) == {"HEAT-4711": 12}
    assert lots.trace(db, "HEAT-4711").lot.expires_on == expect


def test_a_wrong_lot_label_posts_nothing(
    db: Database, admin: Actor, keeper: Actor, plant: dict[str, int]
) -> None:
    other = make_part(db, admin, "OIL-ISO220")
    lots.set_tracking(db, admin, other.id, TrackingInput("LOT"))
    foreign = lots.receive(db, keeper, LotReceipt(other.id, plant["stores"], Decimal(1), "C-17")).lots[0]
    before = _moves(db)
    code = kb.card_code(plant["grease_card"])
    with pytest.raises(UserError, match=rf"{foreign.code} is lot C-17 of OIL-ISO220, not of GREASE-EP2"):
        scanning.scan(db, keeper, code, StationMode.RECEIVING, lot=foreign.code)
    with pytest.raises(NotFound, match="Unknown lot label LT-999999"):
        scanning.scan(db, keeper, code, StationMode.RECEIVING, lot="LT-999999")
    with pytest.raises(UserError, match=r"Lot is too long \(41 characters, at most 40\)"):
        scanning.scan(db, keeper, code, StationMode.RECEIVING, lot=LONGEST + "X")
    with pytest.raises(UserError, match="SCREW-M6 is not tracked by lot: receive it without a lot"):
        scanning.scan(db, keeper, kb.card_code(plant["screw_card"]), StationMode.RECEIVING, lot="A-1")
    with pytest.raises(UserError, match="A line scan takes no lot"):
        scanning.scan(db, keeper, code, StationMode.LINE, lot="A-1")
    assert _moves(db) == before
    assert (_status(db, plant["grease_card"]), _status(db, plant["screw_card"])) == ("ORDERED", "ORDERED")


def test_an_untracked_card_works_as_before(db: Database, keeper: Actor, plant: dict[str, int]) -> None:
    got = scanning.scan(db, keeper, kb.card_code(plant["screw_card"]), StationMode.RECEIVING)
    assert got.after == "FULL" and "Receipt 12 EA of SCREW-M6 to A-01-02" in got.message
    assert "lot" not in got.message


def test_a_transfer_card_names_the_lot_it_takes(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    loop = kb.create_loop(
        db,
        admin,
        LoopInput(
            plant["grease"],
            LoopKind.TRANSFER,
            plant["line"],
            Decimal(2),
            1,
            supply_location_id=plant["stores"],
        ),
    )
    card = kb.cards(db, loop.id)[0]
    scanning.scan(db, admin, card.code, StationMode.LINE)
    lots.receive(db, admin, LotReceipt(plant["grease"], plant["stores"], Decimal(5), "B-2"))
    with pytest.raises(UserError, match="tracked by lot: scan or type the lot"):
        scanning.scan(db, admin, card.code, StationMode.RECEIVING)
    with pytest.raises(NotFound, match="Unknown lot B-3 of GREASE-EP2"):
        scanning.scan(db, admin, card.code, StationMode.RECEIVING, lot="B-3")
    scanning.scan(db, admin, card.code, StationMode.RECEIVING, lot="b-2")
    assert _lots(db, plant["grease"], plant["line"]) == {"B-2": 2}
    assert _lots(db, plant["grease"], plant["stores"]) == {"B-2": 3}
