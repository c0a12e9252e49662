"""Replenishment formulas on worked examples with known answers, and suggestions from the ledger."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import StockMove
from desktop.models.enums import MoveKind
from desktop.services.actor import Actor
from desktop.services.catalogue.suppliers import PartSupplierInput
from desktop.services.insight import replenishment as r
from desktop.services.stock.moves import MoveRequest, post_move
from tests.factories import make_part, make_tree, place_at, receive


def test_formulas_on_worked_examples() -> None:
    assert r.moving_average([10, 20, 0, 30]) == 15
    # the level starts at the first observation: 10, then 15, then 22.5
    assert r.smoothed([10, 20], 0.5) == 15
    assert r.smoothed([10, 20, 30], 0.5) == 22.5
    assert r.smoothed([], 0.5) == 0
    assert r.std_dev([2, 4, 4, 4, 5, 5, 7, 9]) == pytest.approx(2.13809, abs=1e-5)  # sample deviation
    assert r.z_value(0.95) == pytest.approx(1.64485, abs=1e-5)
    assert r.z_value(0.99) == pytest.approx(2.32635, abs=1e-5)
    # z 1.645, sigma 3 a day, lead time 4 days: 1.645 * 3 * 2 = 9.87
    assert r.safety_stock(1.645, 3, 4) == pytest.approx(9.87)
    assert r.reorder_point(10, 4, 9.87) == pytest.approx(49.87)
    # 3,650 a year, 50 per order, 2.50 to hold one for a year: sqrt(2 * 3650 * 50 / 2.5) = sqrt(146000)
    assert r.eoq(3650, 50, 2.5) == pytest.approx(382.0995, abs=1e-4)
    assert r.eoq(0, 50, 2.5) == 0
    assert r.round_up(Decimal("193.2"), Decimal(5), True) == 195
    assert r.round_up(Decimal("12.01"), None, True) == 13
    assert r.round_up(Decimal("2.341"), None, False) == Decimal("2.35")


def test_policy_is_checked() -> None:
    with pytest.raises(UserError, match="service level"):
        r.Policy(service_level=1.2).check()
    with pytest.raises(UserError, match="window"):
        r.Policy(window_days=2).check()


def test_suggestions_from_the_ledger(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    bin_id = tree["A-01-01"].id
    low = make_part(
        db,
        admin,
        "LOW-1",
        unit_cost=Decimal(2),
        min_qty=Decimal(10),
        max_qty=Decimal(40),
        suppliers=(PartSupplierInput("Acme", "AC-1", Decimal(2), Decimal(5), 7),),
    )
    fine = make_part(db, admin, "FINE-1", min_qty=Decimal(1))
    idle = make_part(db, admin, "IDLE-1")
    stocked = receive(db, admin, low.id, bin_id, "50")
    issued = post_move(db, admin, MoveRequest(MoveKind.ISSUE, low.id, Decimal(46), from_location_id=bin_id))
    yesterday = datetime.now(UTC).astimezone() - timedelta(days=1)
    # stocked 120 days ago (the plant has run longer than the window); today's running day is no day of
    # demand
    place_at(db, StockMove, {stocked.move.id: yesterday - timedelta(days=119), issued.move.id: yesterday})
    receive(db, admin, fine.id, bin_id, "30")
    receive(db, admin, idle.id, bin_id, "3")
    got = r.suggestions(db, admin, r.Policy(window_days=90))
    assert [s.part_number for s in got] == ["LOW-1"]
    s = got[0]
    demand = 46 / 90
    annual, holding = demand * 365, 2 * 0.25
    economic = math.sqrt(2 * annual * 50 / holding)  # 193.2
    assert s.on_hand == 4 and s.lead_days == 7 and s.supplier == "Acme" and s.reason == "below minimum"
    assert float(s.daily_demand) == pytest.approx(demand, abs=1e-4)
    assert float(s.eoq) == pytest.approx(economic, abs=1e-3)
    # a maximum is the order-up-to level: 40 - 4 = 36, rounded up to the pack of 5 (EOQ 193 would be excess)
    assert s.order_qty == 40
    assert s.value == 80
    grouped = r.by_supplier(got)
    assert list(grouped) == ["Acme"]
    assert r.export_rows(got)[0][:3] == ["Acme", "AC-1", "LOW-1"]


def test_a_position_exactly_at_its_minimum_in_fractions_is_listed(db: Database, admin: Actor) -> None:
    """The position is compared in SQL to leave the parts above their point in the database; SQLite sums
    0.1 + 0.2 as 0.30000000000000004, so a part exactly at its minimum must not be lost to that."""
    tree = make_tree(db, admin)
    oil = make_part(db, admin, "OIL-1", unit="L", min_qty=Decimal("0.3"))
    above = make_part(db, admin, "OIL-2", unit="L", min_qty=Decimal("0.3"))
    receive(db, admin, oil.id, tree["A-01-01"].id, "0.1")
    receive(db, admin, oil.id, tree["A-01-02"].id, "0.2")
    receive(db, admin, above.id, tree["A-01-01"].id, "0.3001")
    got = r.suggestions(db, admin, r.Policy(window_days=90))
    assert [(s.part_number, s.on_hand, s.reason) for s in got] == [("OIL-1", Decimal("0.3"), "below minimum")]
