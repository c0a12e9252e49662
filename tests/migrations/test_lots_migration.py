"""Migration 0021_lots on a database that already has stock: every move and balance stays as it was, with
no lot, every part untracked; the KPIs' daily sums and their triggers survive the way up and the way
down (on SQLite the way down rebuilds the ledger table, which drops triggers unless they are put back)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop import schema
from desktop.db import Database
from desktop.services.admin.users import ensure_user
from desktop.services.insight import kpi_days
from desktop.services.stock import balance_check
from desktop.services.stock import moves as stock
from tests.factories import receive
from tests.migrations.old_database import BIN_A01, BOTH, PART_OIL, USER_ADA, database_at

BEFORE = "0020_po_external"


@pytest.fixture(params=BOTH)
def old_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database at the revision before lots, holding a part with 5 received into a bin."""
    rows = (
        USER_ADA,
        BIN_A01,
        PART_OIL,
        "INSERT INTO stock_move (part_id, to_location_id, qty, kind, unit_cost, user_id) "
        "VALUES (1, 1, 5, 'RECEIPT', 2, 1)",
        "INSERT INTO stock_balance (part_id, location_id, qty) VALUES (1, 1, 5)",
    )
    with database_at(request.param, tmp_path, "storeroom_lots_mig", BEFORE, rows) as database:
        yield database


def _kpi(database: Database) -> list[tuple[object, ...]]:
    with database.engine.connect() as conn:
        rows = conn.execute(text("SELECT day, sum(value_change), sum(consumed) FROM kpi_day GROUP BY day"))
        return [tuple(r) for r in rows]


def test_existing_stock_migrates_to_no_lot_and_back(old_db: Database) -> None:
    sums = _kpi(old_db)
    assert sums and sums[0][1] == 5 * 2 * 10**8  # the receipt's value, kept by the 0018 trigger
    schema.upgrade(old_db, backup=False)
    with old_db.engine.connect() as conn:
        assert conn.execute(text("SELECT lot_id, qty FROM stock_move")).one() == (None, Decimal(5))
        assert conn.execute(text("SELECT tracking, shelf_life_days FROM part")).one() == ("NONE", None)
        assert conn.execute(text("SELECT count(*) FROM lot_balance")).scalar() == 0
    admin = ensure_user(old_db, "ada")
    assert balance_check.check_balances(old_db, admin) == [] and _kpi(old_db) == sums
    receive(old_db, admin, 1, 1, "1")  # the untracked part works as before, its sums kept by the trigger
    assert stock.balance(old_db, 1, 1) == 6 and kpi_days.check(old_db, admin) == []
    schema.downgrade(old_db, BEFORE)
    with old_db.engine.begin() as conn:
        assert conn.execute(text("SELECT sum(qty) FROM stock_move")).scalar() == 6
        conn.execute(
            text(
                "INSERT INTO stock_move (part_id, from_location_id, qty, kind, unit_cost, user_id) "
                "VALUES (1, 1, 1, 'ISSUE', 2, 1)"
            )
        )
    after = _kpi(old_db)  # the trigger still adds a move's part of its day after the way down
    assert sum(int(str(r[2])) for r in after) == 1 * 2 * 10**8
