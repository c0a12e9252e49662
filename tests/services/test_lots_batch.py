"""Batch posts of tracked parts, on both databases: each line names its lot and moves that lot's stock
with the bin's, in the order given; a line without its lot, an expired or another part's lot, or a line
taking more of a lot than it holds refuses the whole batch, which posts nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from desktop.db import Database
from desktop.errors import Conflict, InsufficientStock, UserError
from desktop.models import StockMove
from desktop.models.enums import MoveKind
from desktop.services import lots
from desktop.services.actor import Actor
from desktop.services.lots import LotReceipt, TrackingInput
from desktop.services.stock import balance_check
from desktop.services.stock import moves as stock
from desktop.services.stock.batch import post_many
from desktop.services.stock.moves import MoveRequest
from tests.factories import make_part, make_tree

LONGEST = "B" * 39 + "1"  # a lot number at its maximum, 40 characters


@pytest.fixture
def plant(db: Database, admin: Actor) -> dict[str, int]:
    tree = make_tree(db, admin)
    grease = make_part(db, admin, "GREASE-EP2")
    lots.set_tracking(db, admin, grease.id, TrackingInput("LOT"))
    oil = make_part(db, admin, "OIL-ISO220")
    lots.set_tracking(db, admin, oil.id, TrackingInput("LOT"))
    bearing = make_part(db, admin)
    bin1, bin2 = tree["A-01-01"].id, tree["A-01-02"].id
    made = {
        name: lots.receive(db, admin, LotReceipt(part, bin1, Decimal(qty), number, expiry)).lots[0].id
        for name, part, qty, number, expiry in (
            ("long", grease.id, 5, LONGEST, None),
            ("old", grease.id, 2, "OLD", date.today() - timedelta(1)),
            ("oil", oil.id, 1, "C-17", None),
        )
    }
    return {"grease": grease.id, "bearing": bearing.id, "bin1": bin1, "bin2": bin2, **made}


def _moves(db: Database) -> int:
    return db.read(lambda s: s.scalar(select(func.count()).select_from(StockMove)) or 0)


def _lots(db: Database, part_id: int) -> dict[tuple[str, str], Decimal]:
    return {(x.location_code, x.lot.lot_number): x.qty for x in lots.lots_of_part(db, part_id)}


def _req(
    kind: MoveKind, part: int, qty: str, src: int | None, dst: int | None, lot: int | None
) -> MoveRequest:
    return MoveRequest(kind, part, Decimal(qty), src, dst, lot_id=lot)


def test_a_batch_moves_each_lines_lot(db: Database, keeper: Actor, plant: dict[str, int]) -> None:
    g, b1, b2 = plant["grease"], plant["bin1"], plant["bin2"]
    done = post_many(
        db,
        keeper,
        [
            _req(MoveKind.TRANSFER, g, "4", b1, b2, plant["long"]),
            _req(MoveKind.ISSUE, g, "3", b2, None, plant["long"]),  # out of what the line before brought
            _req(MoveKind.TRANSFER, g, "2", b1, b2, plant["old"]),  # an expired lot may move (not be issued)
            _req(MoveKind.RECEIPT, plant["bearing"], "7", None, b1, None),  # an untracked part as before
        ],
    )
    assert len(done.move_ids) == 4
    assert _lots(db, g) == {("A-01-01", LONGEST): 1, ("A-01-02", LONGEST): 1, ("A-01-02", "OLD"): 2}
    assert (stock.balance(db, g, b1), stock.balance(db, g, b2)) == (1, 3)
    numbers = db.read(
        lambda s: [m.lot_id for m in s.scalars(select(StockMove).where(StockMove.id.in_(done.move_ids)))]
    )
    assert sorted(x or 0 for x in numbers) == sorted([plant["long"], plant["long"], plant["old"], 0])
    assert balance_check.check_balances(db, keeper) == []


def test_a_wrong_lot_line_refuses_the_whole_batch(db: Database, keeper: Actor, plant: dict[str, int]) -> None:
    g, b1, b2 = plant["grease"], plant["bin1"], plant["bin2"]
    first = _req(MoveKind.TRANSFER, g, "1", b1, b2, plant["long"])
    before, held = _moves(db), _lots(db, g)
    for bad, error, message in (
        (
            _req(MoveKind.ISSUE, g, "1", b1, None, None),
            UserError,
            "Move 2 of 2: GREASE-EP2 is tracked by lot: a batch line of it names its lot.",
        ),
        (
            _req(MoveKind.ISSUE, g, "1", b1, None, plant["old"]),
            Conflict,
            "Move 2 of 2: Lot OLD of GREASE-EP2 expired on",
        ),
        (
            _req(MoveKind.TRANSFER, g, "1", b1, b2, plant["oil"]),
            UserError,
            "Move 2 of 2: That lot is not one of GREASE-EP2's",
        ),
        (
            _req(MoveKind.ISSUE, g, "5", b1, None, plant["long"]),  # 6 in the bin, 4 of them in this lot now
            InsufficientStock,
            f"Move 2 of 2: Only 4 EA of GREASE-EP2 lot {LONGEST} left in A-01-01: cannot take 5",
        ),
        (
            _req(MoveKind.RECEIPT, plant["bearing"], "1", None, b1, plant["long"]),
            UserError,
            "is not tracked by lot",
        ),
    ):
        with pytest.raises(error) as refused:
            post_many(db, keeper, [first, bad])
        assert message in refused.value.message
        assert _moves(db) == before and _lots(db, g) == held  # not even the first line
