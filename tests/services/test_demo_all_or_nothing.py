"""`storeroom demo` loads a whole plant or nothing, at any size."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import Location, Part, StockMove, Supplier
from desktop.services import demo
from desktop.services.actor import Actor
from desktop.services.stock import balance_check


def _counts(db: Database) -> tuple[int, ...]:
    return db.read(
        lambda s: tuple(
            s.scalar(select(func.count()).select_from(t)) or 0 for t in (Part, Location, Supplier, StockMove)
        )
    )


@pytest.mark.parametrize("parts", [1, 50])
def test_small_demo_plants_load(db: Database, admin: Actor, parts: int) -> None:
    assert demo.load_demo(db, admin, parts=parts) == parts  # 50 used to fail reserving a spare with no stock
    assert _counts(db)[0] == parts
    assert balance_check.check_balances(db, admin) == []


def test_a_demo_failing_half_way_leaves_nothing_and_can_be_run_again(
    db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kw: object) -> None:
        raise UserError("the kanban loops failed")

    monkeypatch.setattr(demo, "load_demo_loops", broken)  # the last step: parts, stock and assets are in
    with pytest.raises(UserError, match="the kanban loops failed"):
        demo.load_demo(db, admin, parts=24)
    assert _counts(db) == (0, 0, 0, 0)
    monkeypatch.undo()
    assert demo.load_demo(db, admin, parts=24) == 24
    assert balance_check.check_balances(db, admin) == []
