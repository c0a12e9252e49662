"""Every report in the catalogue built from a small plant, on SQLite and PostgreSQL, with its figures
checked; bad parameters get clear messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from desktop.db import Database
from desktop.errors import UserError
from desktop.models.enums import MoveKind
from desktop.services.actor import Actor
from desktop.services.insight import report_data as rd
from desktop.services.stock.issue import issue_short
from desktop.services.stock.moves import MoveRequest, post_move
from tests.factories import make_part, make_tree, receive


@pytest.fixture
def plant(db: Database, admin: Actor) -> dict[str, int]:
    tree = make_tree(db, admin)
    bolt = make_part(db, admin, "BOLT-1", unit_cost=Decimal(2), min_qty=Decimal(20), max_qty=Decimal(50))
    gear = make_part(db, admin, "GEAR-1", unit_cost=Decimal(100))
    receive(db, admin, bolt.id, tree["A-01-01"].id, "30")
    receive(db, admin, gear.id, tree["A-01-02"].id, "4")
    post_move(db, admin, MoveRequest(MoveKind.ISSUE, bolt.id, Decimal(15), tree["A-01-01"].id))
    issue_short(db, admin, gear.id, tree["A-01-02"].id, Decimal(6), reference="WO-1")
    return {"bolt": bolt.id, "gear": gear.id}


def _build(db: Database, admin: Actor, key: str, **kw: object) -> rd.ReportTable:
    return rd.build(db, admin, key, rd.ReportParams(**kw))  # type: ignore[arg-type]


def test_every_report_builds(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    for spec in rd.CATALOGUE:
        table = _build(db, admin, spec.key)
        assert table.title and all(len(r) == len(table.headers) for r in table.rows), spec.key


def test_stock_figures(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    valuation = _build(db, admin, "valuation")
    assert [r[0] for r in valuation.rows] == ["BOLT-1"]  # the gears all went out
    assert valuation.totals is not None and valuation.totals[5] == Decimal("30.00")
    by_location = _build(db, admin, "by-location", location_code="r01")
    assert [(r[0], r[1], r[4]) for r in by_location.rows] == [("A-01-01", "BOLT-1", 15)]
    with pytest.raises(UserError, match="No location with code NOPE"):
        _build(db, admin, "by-location", location_code="NOPE")
    low = _build(db, admin, "below-minimum")
    assert [(r[1], r[4], r[8]) for r in low.rows] == [("BOLT-1", 15, 35)]  # fill up to the maximum of 50
    shorts = _build(db, admin, "short-issues")
    assert [(r[1], r[4], r[5], r[6], r[8]) for r in shorts.rows] == [("GEAR-1", 6, 4, 2, "WO-1")]
    out = _build(db, admin, "out-of-stock")
    assert [r[0] for r in out.rows] == ["GEAR-1"]
    abc = _build(db, admin, "abc")
    assert [(r[1], r[3], r[6]) for r in abc.rows] == [("GEAR-1", 400, "A"), ("BOLT-1", 30, "B")]


def test_movement_history_range_and_filters(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    today = datetime.now(UTC).date()
    every = _build(db, admin, "history", start=today - timedelta(days=1), end=today)
    assert len(every.rows) == 4 and [r[2] for r in every.rows] == ["RECEIPT", "RECEIPT", "ISSUE", "ISSUE"]
    bolts = _build(db, admin, "history", start=today, end=today, part_number="bolt-1")
    assert [r[3] for r in bolts.rows] == ["BOLT-1", "BOLT-1"]
    old = _build(db, admin, "history", start=today - timedelta(days=30), end=today - timedelta(days=2))
    assert old.rows == []
    with pytest.raises(UserError, match="end date is before"):
        _build(db, admin, "history", start=today, end=today - timedelta(days=1))
    with pytest.raises(UserError, match="No part with number NOPE"):
        _build(db, admin, "history", start=today, end=today, part_number="NOPE")


def test_a_too_long_history_asks_for_a_shorter_range(
    db: Database, admin: Actor, plant: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rd, "HISTORY_LIMIT", 3)
    today = datetime.now(UTC).date()
    with pytest.raises(UserError, match="4 moves in that range: at most 3"):
        _build(db, admin, "history", start=today, end=today)


def test_unknown_report_is_refused(db: Database, admin: Actor) -> None:
    with pytest.raises(UserError, match="no report 'nope'"):
        _build(db, admin, "nope")
