"""Cycle counting on worked examples: ABC, blind entry, roll-forward, tolerance, recount, approval, IRA."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from desktop.db import Database
from desktop.errors import Conflict, PermissionDenied, UserError
from desktop.models import Part
from desktop.models.enums import MoveKind, Role
from desktop.services.actor import Actor
from desktop.services.admin.users import ensure_user
from desktop.services.catalogue import parts
from desktop.services.counts import approval as count_approval
from desktop.services.counts import ira as count_ira
from desktop.services.counts import sessions as counts
from desktop.services.stock import balance_check
from desktop.services.stock import moves as stock
from desktop.services.stock.moves import MoveRequest, post_move
from tests.factories import make_part, make_tree, receive


def test_abc_on_a_known_data_set() -> None:
    values = [
        (1, Decimal(500)),
        (2, Decimal(300)),
        (3, Decimal(100)),
        (4, Decimal(60)),
        (5, Decimal(40)),
        (6, Decimal(0)),
    ]
    got = counts.abc_classes(values)  # total 1000: 50 %, 80 %, 90 %, 96 %, 100 %
    assert {k: v[0] for k, v in got.items()} == {1: "A", 2: "A", 3: "B", 4: "B", 5: "C", 6: "C"}
    assert got[2][1] == Decimal("80.00") and got[4][1] == Decimal("96.00")


def test_tolerance_maths() -> None:
    assert counts.in_tolerance("A", Decimal(100), Decimal(100), Decimal(1))
    assert not counts.in_tolerance("A", Decimal(100), Decimal(99), Decimal(1))  # A: 0 %
    assert counts.in_tolerance("B", Decimal(100), Decimal(98), Decimal(1))  # B: 2 %
    assert not counts.in_tolerance("B", Decimal(100), Decimal(97), Decimal(1))
    assert counts.in_tolerance("C", Decimal(100), Decimal(95), Decimal(1))  # C: 5 %
    assert not counts.in_tolerance("C", Decimal(100), Decimal(95), Decimal(20))  # 5 x 20 = 100 > 50 limit
    assert not counts.in_tolerance("C", Decimal(0), Decimal(1), Decimal(1))  # found where none expected


def test_classify_from_the_ledger(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    big = make_part(db, admin, "BIG", unit_cost=Decimal(100))
    small = make_part(db, admin, "SMALL", unit_cost=Decimal(1))
    for p in (big, small):
        receive(db, admin, p.id, tree["A-01-01"].id, "10")
        post_move(
            db, admin, MoveRequest(MoveKind.ISSUE, p.id, Decimal(5), from_location_id=tree["A-01-01"].id)
        )
    rows = counts.classify(db, admin)
    assert [(r.part_number, r.usage_value, r.computed) for r in rows] == [
        ("BIG", 500, "A"),
        ("SMALL", 5, "C"),
    ]
    assert parts.get_part(db, big.id).part_number == "BIG"
    assert _stored_classes(db) == {"BIG": "A", "SMALL": "C"}
    # SMALL now outsells BIG: both classes move on the next run, and an unused part gets C written
    make_part(db, admin, "IDLE", unit_cost=Decimal(9))
    receive(db, admin, small.id, tree["A-01-01"].id, "10000")
    post_move(
        db, admin, MoveRequest(MoveKind.ISSUE, small.id, Decimal(10000), from_location_id=tree["A-01-01"].id)
    )
    rows = counts.classify(db, admin)
    assert [(r.part_number, r.stored, r.computed) for r in rows] == [
        ("SMALL", "C", "A"),
        ("BIG", "A", "C"),
        ("IDLE", None, "C"),
    ]
    assert _stored_classes(db) == {"BIG": "C", "SMALL": "A", "IDLE": "C"}


def _stored_classes(db: Database) -> dict[str, str | None]:
    return db.read(lambda s: dict(s.execute(select(Part.part_number, Part.abc_class)).tuples().all()))


def test_blind_count_roll_forward_recount_and_approval(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    a, b = tree["A-01-01"].id, tree["A-01-02"].id
    bolt = make_part(db, admin, "BOLT", unit_cost=Decimal(1))  # class C (never classified)
    nut = make_part(db, admin, "NUT", unit_cost=Decimal(1))
    washer = make_part(db, admin, "WASHER", unit_cost=Decimal(1))
    receive(db, admin, bolt.id, a, "100")
    receive(db, admin, nut.id, a, "50")
    receive(db, admin, washer.id, b, "7")
    sid = counts.start_session(db, admin, "Rack 1", [tree["R01"].id])
    blind = counts.session(db, sid)
    assert [(x.location_code, x.part_number, x.book_qty) for x in blind.lines] == [
        ("A-01-01", "BOLT", None),
        ("A-01-01", "NUT", None),
        ("A-01-02", "WASHER", None),
    ]  # book hidden
    # a keeper issues 10 bolts while the count runs: rolled forward, no false variance
    post_move(db, admin, MoveRequest(MoveKind.ISSUE, bolt.id, Decimal(10), from_location_id=a))
    counter = ensure_user(db, "kim", role=Role.KEEPER)
    line = counts.enter_count(db, counter, sid, "L-A-01-01", "P-BOLT", Decimal(90))
    assert (line.variance, line.status) == (0, "COUNTED")
    line = counts.enter_count(db, counter, sid, "A-01-01", "NUT", Decimal(40))  # 20 % off: recount
    assert (line.variance, line.status) == (-10, "RECOUNT")
    found = counts.enter_count(db, counter, sid, "A-01-02", "BOLT", Decimal(3))  # not on the book there
    assert found.added and found.status == "RECOUNT"
    with pytest.raises(Conflict, match="wait for a recount"):
        count_approval.approve(db, admin, sid)
    other = ensure_user(db, "lee", role=Role.KEEPER)
    recount = counts.enter_count(db, other, sid, "A-01-01", "NUT", Decimal(41))
    assert (recount.first_count_qty, recount.counted_qty, recount.status) == (40, 41, "COUNTED")  # both kept
    counts.enter_count(db, other, sid, "A-01-02", "BOLT", Decimal(3))
    with pytest.raises(PermissionDenied):
        count_approval.approve(db, counter, sid)  # keepers count, supervisors approve
    with pytest.raises(UserError, match="reason"):
        count_approval.approve(db, admin, sid, reject={found.id: " "})
    posted = count_approval.approve(db, admin, sid, reject={found.id: "bolts belong to the next bin; moved"})
    assert posted == 2  # NUT -9, and WASHER never counted = 0 (-7); BOLT in A-01-02 rejected
    assert stock.balance(db, nut.id, a) == 41 and stock.balance(db, washer.id, b) == 0
    assert stock.balance(db, bolt.id, a) == 90 and stock.balance(db, bolt.id, b) == 0
    assert balance_check.check_balances(db, admin) == []
    with pytest.raises(Conflict, match="closed"):
        counts.enter_count(db, counter, sid, "A-01-01", "NUT", Decimal(1))
    ira = count_ira.ira(db)
    assert ira["C"].counted == 3 and ira["C"].within == 1 and ira["C"].ira_pct == Decimal("33.3")
    assert ira["C"].adjustment_value == Decimal(16)  # 9 nuts + 7 washers at 1.00
