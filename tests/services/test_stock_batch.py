"""Posting a batch of moves on SQLite and PostgreSQL: same rules as one move, all or nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from desktop.db import Database
from desktop.errors import InsufficientStock, NotFound, PermissionDenied, UserError
from desktop.models.enums import MoveKind, Role
from desktop.services.actor import Actor
from desktop.services.admin.users import ensure_user
from desktop.services.stock import balance_check
from desktop.services.stock import batch as stock_batch
from desktop.services.stock import history as stock_history
from desktop.services.stock import moves as stock
from desktop.services.stock.batch import post_many
from desktop.services.stock.moves import MoveRequest
from tests.factories import make_part, make_tree, receive


@pytest.fixture
def plant(db: Database, admin: Actor) -> dict[str, int]:
    tree = make_tree(db, admin)
    return {
        "p": make_part(db, admin).id,
        "q": make_part(db, admin, "CABLE-3G15", description="Control cable", unit="M").id,
        **{code: loc.id for code, loc in tree.items()},
    }


def _issue(part: int, loc: int, qty: str, **kw: object) -> MoveRequest:
    return MoveRequest(MoveKind.ISSUE, part, Decimal(qty), from_location_id=loc, **kw)  # type: ignore[arg-type]


def _receipt(part: int, loc: int, qty: str, **kw: object) -> MoveRequest:
    return MoveRequest(MoveKind.RECEIPT, part, Decimal(qty), to_location_id=loc, **kw)  # type: ignore[arg-type]


def test_batch_posts_every_move_and_balances_match_the_ledger(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    p, q, a, b = plant["p"], plant["q"], plant["A-01-01"], plant["A-01-02"]
    batch = [
        _receipt(p, a, "10", reference="PO-1"),
        _issue(p, a, "4"),  # takes stock the same batch received: checked in order
        MoveRequest(MoveKind.TRANSFER, p, Decimal(6), from_location_id=a, to_location_id=b),
        _receipt(q, b, "2.5", reference="PO-2"),
        MoveRequest(MoveKind.ADJUSTMENT, q, Decimal("0.5"), from_location_id=b, reason="damaged"),
    ]
    result = post_many(db, admin, batch)
    assert len(result.move_ids) == 5 and result.duplicates == 0
    assert list(result.move_ids) == sorted(result.move_ids)  # ids come back in request order
    assert stock.balance(db, p, a) == 0
    assert stock.balance(db, p, b) == 6
    assert stock.balance(db, q, b) == 2
    assert balance_check.check_balances(db, admin) == []
    history = stock_history.history(db, part_id=p)
    assert [m.kind for m in history] == ["TRANSFER", "ISSUE", "RECEIPT"]
    assert history[-1].reference == "PO-1" and history[-1].user_name == "admin"


def test_one_refused_move_leaves_nothing_written_and_names_its_position(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    p, a = plant["p"], plant["A-01-01"]
    receive(db, admin, p, a, "3")
    batch = [_receipt(p, a, "1"), _issue(p, a, "2"), _issue(p, a, "3")]  # 3 + 1 - 2 = 2 left for the third
    with pytest.raises(InsufficientStock) as err:
        post_many(db, admin, batch)
    assert str(err.value) == "Move 3 of 3: only 2 EA of 6205-2RS left in A-01-01: cannot take 3."
    assert err.value.available == 2
    assert stock.balance(db, p, a) == 3
    assert len(stock_history.history(db, part_id=p)) == 1


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (MoveRequest(MoveKind.ISSUE, 0, Decimal(1), from_location_id=None), "goes either|from"),
        (MoveRequest(MoveKind.RECEIPT, -1, Decimal(1), to_location_id=-1), "Part #-1 does not exist"),
        (MoveRequest(MoveKind.RECEIPT, 0, Decimal(0), to_location_id=0), "more than zero"),
        (MoveRequest(MoveKind.RECEIPT, 0, Decimal("1.5"), to_location_id=0), "whole"),
        (MoveRequest(MoveKind.SCRAP, 0, Decimal(1), from_location_id=0), "Reason"),
        (MoveRequest(MoveKind.ISSUE, 0, Decimal(1), from_location_id=-5), "Location #-5 does not exist"),
    ],
)
def test_the_single_move_rules_apply_to_each_move_of_a_batch(
    db: Database, admin: Actor, plant: dict[str, int], bad: MoveRequest, message: str
) -> None:
    p, a = plant["p"], plant["A-01-01"]
    fill = {"part_id": p if bad.part_id == 0 else bad.part_id}
    if bad.from_location_id == 0:
        fill["from_location_id"] = a
    if bad.to_location_id == 0:
        fill["to_location_id"] = a
    bad = MoveRequest(**{**bad.__dict__, **fill})
    with pytest.raises(UserError, match=message) as err:
        post_many(db, admin, [_receipt(p, a, "5"), bad])
    assert str(err.value).startswith("Move 2 of 2: ")
    assert stock_history.history(db, part_id=p) == []


def test_quarantine_stock_cannot_be_issued_in_a_batch(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    p, qbin = plant["p"], plant["Q-01"]
    with pytest.raises(UserError, match="quarantine"):
        post_many(db, admin, [_receipt(p, qbin, "2"), _issue(p, qbin, "1")])
    assert stock_history.history(db, part_id=p) == []


def test_posting_keys_make_a_resent_batch_post_nothing_twice(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    p, a = plant["p"], plant["A-01-01"]
    batch = [_receipt(p, a, "5", posting_key="scanner-7:1"), _issue(p, a, "2", posting_key="scanner-7:2")]
    first = post_many(db, admin, batch)
    again = post_many(db, admin, [*batch, _issue(p, a, "1", posting_key="scanner-7:3")])
    assert len(first.move_ids) == 2 and first.duplicates == 0
    assert len(again.move_ids) == 1 and again.duplicates == 2
    assert stock.balance(db, p, a) == 2
    # the same key twice inside one batch posts once too
    twice = post_many(db, admin, [_receipt(p, a, "1", posting_key="k"), _receipt(p, a, "1", posting_key="k")])
    assert len(twice.move_ids) == 1 and twice.duplicates == 1
    assert balance_check.check_balances(db, admin) == []


def test_a_viewer_cannot_post_a_batch_and_an_empty_batch_writes_nothing(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    viewer = ensure_user(db, "vic", role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        post_many(db, viewer, [_receipt(plant["p"], plant["A-01-01"], "1")])
    assert post_many(db, admin, []).move_ids == ()


def test_a_batch_larger_than_one_query_chunk(
    db: Database, admin: Actor, plant: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stock_batch, "_CHUNK", 2)  # parts, bins and balances are read two keys at a time
    p, a, b = plant["p"], plant["A-01-01"], plant["A-01-02"]
    receive(db, admin, p, a, "1")
    parts = [make_part(db, admin, f"BULK-{n:03}", description="bulk").id for n in range(3)]
    batch = [_receipt(parts[n % 3], a if n % 2 else b, "1") for n in range(1200)]
    batch += [_issue(parts[n % 3], a if n % 2 else b, "1") for n in range(1200)]
    with pytest.raises(NotFound):
        post_many(db, admin, [*batch, _issue(-7, a, "1")])
    assert post_many(db, admin, batch).duplicates == 0
    assert len(stock_history.history(db, location_id=b, limit=5000)) == 1200
    assert stock.balance(db, p, a) == 1
    assert all(stock.balance(db, x, y) == 0 for x in parts for y in (a, b))
    assert balance_check.check_balances(db, admin) == []
