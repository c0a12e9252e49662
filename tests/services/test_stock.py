"""The stock ledger on SQLite and PostgreSQL: moves, balances, refusals, reversals, history."""

from __future__ import annotations

from decimal import Decimal

import pytest

from desktop.db import Database
from desktop.errors import Conflict, InsufficientStock, NotFound, PermissionDenied, UserError
from desktop.models.enums import MoveKind, Role
from desktop.services.actor import Actor
from desktop.services.admin.users import ensure_user
from desktop.services.stock import balance_check
from desktop.services.stock import history as stock_history
from desktop.services.stock import moves as stock
from desktop.services.stock.moves import MoveRequest, post_move
from tests.factories import make_part, make_tree, receive


@pytest.fixture
def plant(db: Database, admin: Actor) -> dict[str, int]:
    tree = make_tree(db, admin)
    part = make_part(db, admin)
    return {"part": part.id, **{code: loc.id for code, loc in tree.items()}}


def test_receive_issue_transfer_keep_balances_and_ledger_equal(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    p, a, b = plant["part"], plant["A-01-01"], plant["A-01-02"]
    r = receive(db, admin, p, a, "10")
    assert r.part_on_hand == 10 and r.move.to_code == "A-01-01" and r.move.user_name == "admin"
    post_move(db, admin, MoveRequest(MoveKind.ISSUE, p, Decimal(3), from_location_id=a, reference="WO-1"))
    post_move(db, admin, MoveRequest(MoveKind.TRANSFER, p, Decimal(2), from_location_id=a, to_location_id=b))
    post_move(db, admin, MoveRequest(MoveKind.RETURN, p, Decimal(1), to_location_id=b, reason="unused"))
    assert stock.balance(db, p, a) == 5
    assert stock.balance(db, p, b) == 3
    assert balance_check.check_balances(db, admin) == []
    kinds = [m.kind for m in stock_history.history(db, part_id=p)]
    assert kinds == ["RETURN", "TRANSFER", "ISSUE", "RECEIPT"]
    assert [m.kind for m in stock_history.history(db, location_id=b)] == ["RETURN", "TRANSFER"]


def test_issue_more_than_on_hand_is_refused_and_nothing_changes(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    p, a = plant["part"], plant["A-01-01"]
    receive(db, admin, p, a, "2")
    with pytest.raises(InsufficientStock) as err:
        post_move(db, admin, MoveRequest(MoveKind.ISSUE, p, Decimal(3), from_location_id=a))
    assert "Only 2 EA of 6205-2RS left in A-01-01" in str(err.value)
    assert err.value.available == 2
    assert stock.balance(db, p, a) == 2
    assert len(stock_history.history(db, part_id=p)) == 1


def test_issue_from_empty_bin_says_zero_left(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    with pytest.raises(InsufficientStock, match="Only 0 EA"):
        post_move(
            db,
            admin,
            MoveRequest(MoveKind.ISSUE, plant["part"], Decimal(1), from_location_id=plant["A-01-02"]),
        )


def test_whole_number_units_refuse_fractions(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    with pytest.raises(UserError, match="whole numbers"):
        receive(db, admin, plant["part"], plant["A-01-01"], "1.5")
    cable = make_part(db, admin, "CABLE-3G1.5", description="Cable 3G1.5", unit="M")
    assert receive(db, admin, cable.id, plant["A-01-01"], "12.75").part_on_hand == Decimal("12.75")


def test_move_shapes_are_checked(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    p, a = plant["part"], plant["A-01-01"]
    with pytest.raises(UserError, match="comes from"):
        post_move(db, admin, MoveRequest(MoveKind.ISSUE, p, Decimal(1)))
    with pytest.raises(UserError, match="two different"):
        post_move(
            db, admin, MoveRequest(MoveKind.TRANSFER, p, Decimal(1), from_location_id=a, to_location_id=a)
        )
    with pytest.raises(UserError, match="either into or out"):
        post_move(db, admin, MoveRequest(MoveKind.ADJUSTMENT, p, Decimal(1), reason="x"))
    with pytest.raises(UserError, match="Reason"):
        post_move(db, admin, MoveRequest(MoveKind.ADJUSTMENT, p, Decimal(1), to_location_id=a))


def test_quarantine_stock_cannot_be_issued_but_can_be_released(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    p, q, a = plant["part"], plant["Q-01"], plant["A-01-01"]
    receive(db, admin, p, q, "4")
    with pytest.raises(UserError, match="quarantine"):
        post_move(db, admin, MoveRequest(MoveKind.ISSUE, p, Decimal(1), from_location_id=q))
    post_move(db, admin, MoveRequest(MoveKind.TRANSFER, p, Decimal(4), from_location_id=q, to_location_id=a))
    assert stock.balance(db, p, a) == 4


def test_reversal_restores_balance_and_cannot_repeat(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    p, a = plant["part"], plant["A-01-01"]
    r = receive(db, admin, p, a, "5")
    back = stock_history.reverse_move(db, admin, r.move.id, "typed 5 instead of 50")
    assert back.move.kind == "RECEIPT" and back.move.from_code == "A-01-01" and back.move.to_code is None
    assert back.move.reverses_move_id == r.move.id
    assert stock.balance(db, p, a) == 0
    with pytest.raises(Conflict, match="already been reversed"):
        stock_history.reverse_move(db, admin, r.move.id, "again")
    with pytest.raises(Conflict, match="itself a correction"):
        stock_history.reverse_move(db, admin, back.move.id, "undo the undo")
    original = next(m for m in stock_history.history(db, part_id=p) if m.id == r.move.id)
    assert original.reversed_by_id == back.move.id


def test_reversal_refused_when_stock_already_used(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    p, a = plant["part"], plant["A-01-01"]
    r = receive(db, admin, p, a, "5")
    post_move(db, admin, MoveRequest(MoveKind.ISSUE, p, Decimal(4), from_location_id=a))
    with pytest.raises(InsufficientStock):
        stock_history.reverse_move(db, admin, r.move.id, "wrong part")
    assert stock.balance(db, p, a) == 1


def test_posting_key_makes_a_retry_harmless(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    req = MoveRequest(
        MoveKind.RECEIPT, plant["part"], Decimal(7), to_location_id=plant["A-01-01"], posting_key="pc1-0001"
    )
    first = post_move(db, admin, req)
    again = post_move(db, admin, req)
    assert again.duplicate and again.move.id == first.move.id
    assert stock.balance(db, plant["part"], plant["A-01-01"]) == 7


def test_below_minimum_is_reported_on_the_posting_that_crosses_it(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    part = make_part(db, admin, "FILTER-10", description="Oil filter", min_qty=Decimal(4))
    a = plant["A-01-01"]
    assert not receive(db, admin, part.id, a, "5").below_min
    r = post_move(db, admin, MoveRequest(MoveKind.ISSUE, part.id, Decimal(2), from_location_id=a))
    assert r.below_min and r.part_on_hand == 3


def test_adjustment_down_and_negative_location(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    p, a = plant["part"], plant["A-01-01"]
    receive(db, admin, p, a, "3")
    post_move(
        db, admin, MoveRequest(MoveKind.ADJUSTMENT, p, Decimal(1), from_location_id=a, reason="damaged")
    )
    assert stock.balance(db, p, a) == 2


def test_keeper_cannot_edit_parts_viewer_cannot_move(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    keeper = ensure_user(db, "kim", role=Role.KEEPER)
    viewer = ensure_user(db, "vic", role=Role.VIEWER)
    receive(db, keeper, plant["part"], plant["A-01-01"], "1")
    with pytest.raises(PermissionDenied):
        make_part(db, keeper, "NEW-1")
    with pytest.raises(PermissionDenied):
        receive(db, viewer, plant["part"], plant["A-01-01"], "1")


def test_check_balances_finds_and_repairs_drift(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    from sqlalchemy import update

    from desktop.models import StockBalance

    p, a = plant["part"], plant["A-01-01"]
    receive(db, admin, p, a, "9")
    db.write(lambda s: s.execute(update(StockBalance).values(qty=Decimal(8))))
    drift = balance_check.check_balances(db, admin)
    assert [(d.balance, d.ledger) for d in drift] == [(Decimal(8), Decimal(9))]
    balance_check.check_balances(db, admin, repair=True)
    assert balance_check.check_balances(db, admin) == []
    assert stock.balance(db, p, a) == 9


def test_decimal_quantities_add_up_exactly(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    """Found by the benchmark: SQLite keeps NUMERIC as doubles, and 0.7 + 0.1 is not 0.8 there."""
    from tests.factories import make_part

    cable = make_part(db, admin, "CABLE-1", description="Cable", unit="M")
    a = plant["A-01-01"]
    receive(db, admin, cable.id, a, "0.7")
    receive(db, admin, cable.id, a, "0.1")
    post_move(db, admin, MoveRequest(MoveKind.ISSUE, cable.id, Decimal("0.8"), from_location_id=a))
    assert stock.balance(db, cable.id, a) == 0
    for _ in range(10):
        receive(db, admin, cable.id, a, "0.1")
    post_move(db, admin, MoveRequest(MoveKind.ISSUE, cable.id, Decimal(1), from_location_id=a))
    assert stock.balance(db, cable.id, a) == 0
    with pytest.raises(InsufficientStock, match="Only 0 M"):
        post_move(db, admin, MoveRequest(MoveKind.ISSUE, cable.id, Decimal("0.0001"), from_location_id=a))
    assert balance_check.check_balances(db, admin) == []


def test_missing_part_or_location_is_named_and_nothing_is_posted(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    p, a, b = plant["part"], plant["A-01-01"], plant["A-01-02"]
    receive(db, admin, p, a, "5")
    cases = [
        (MoveRequest(MoveKind.ISSUE, 999_999, Decimal(1), from_location_id=a), "part", "Part #999999"),
        (MoveRequest(MoveKind.ISSUE, p, Decimal(1), from_location_id=999_998), "from_location", "#999998"),
        (
            MoveRequest(MoveKind.TRANSFER, p, Decimal(1), from_location_id=a, to_location_id=999_997),
            "to_location",
            "#999997",
        ),
        (
            MoveRequest(MoveKind.TRANSFER, p, Decimal(1), from_location_id=999_996, to_location_id=b),
            "from_location",
            "#999996",
        ),
    ]
    for req, field, text in cases:
        with pytest.raises(NotFound, match=text) as err:
            post_move(db, admin, req)
        assert err.value.field == field
    assert stock.balance(db, p, a) == 5 and stock.balance(db, p, b) == 0
    assert len(stock_history.history(db, part_id=p)) == 1
