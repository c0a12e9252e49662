"""Migration 0023_move_part_kind_index on a database that already has moves: the per-part index of the
ledger is rebuilt with the kind from the moves there (so the KPIs' probes of a part's recent moves read
the index alone), and the way down restores the old index with every move kept."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from desktop import schema
from desktop.db import Database
from tests.migrations.old_database import BIN_A01, BOTH, PART_OIL, USER_ADA, database_at

BEFORE = "0022_count_lots"
PROBE = (
    "SELECT 1 FROM stock_move WHERE part_id = 1 AND at >= '2026-01-01' "
    "AND kind IN ('ISSUE', 'SCRAP', 'RECEIPT') LIMIT 1"
)


@pytest.fixture(params=BOTH)
def old_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database at 0022 with a part received and moved within the store."""
    rows = (
        USER_ADA,
        BIN_A01 + ", (2, 'A-02', 'Bin', 'BIN', 'STOREROOM', '/A-02/', 1, false, true)",
        PART_OIL,
        "INSERT INTO stock_move (id, part_id, to_location_id, qty, kind, user_id) "
        "VALUES (1, 1, 1, 5, 'RECEIPT', 1)",
        "INSERT INTO stock_move (id, part_id, from_location_id, to_location_id, qty, kind, user_id) "
        "VALUES (2, 1, 1, 2, 2, 'TRANSFER', 1)",
    )
    with database_at(request.param, tmp_path, "storeroom_part_kind_mig", BEFORE, rows) as database:
        yield database


def _indexes(database: Database) -> dict[str, list[str | None]]:
    return {
        str(ix["name"]): list(ix["column_names"])
        for ix in inspect(database.engine).get_indexes("stock_move")
        if str(ix["name"]).startswith("ix_stock_move_part_")
    }


def _moves(database: Database) -> list[tuple[int, str]]:
    with database.engine.connect() as conn:
        return [(r[0], r[1]) for r in conn.execute(text("SELECT id, kind FROM stock_move ORDER BY id"))]


def test_the_part_index_takes_the_kind_and_the_way_down_restores_it(old_db: Database) -> None:
    assert _indexes(old_db) == {"ix_stock_move_part_at": ["part_id", "at"]}
    schema.upgrade(old_db, backup=False)
    assert _indexes(old_db) == {"ix_stock_move_part_at_kind": ["part_id", "at", "kind"]}
    assert _moves(old_db) == [(1, "RECEIPT"), (2, "TRANSFER")]
    if old_db.engine.dialect.name == "sqlite":  # the probe reads the index alone
        with old_db.engine.connect() as conn:
            plan = " ".join(str(r[-1]) for r in conn.execute(text("EXPLAIN QUERY PLAN " + PROBE)))
        assert "COVERING INDEX ix_stock_move_part_at_kind" in plan
    schema.downgrade(old_db, BEFORE)
    assert _indexes(old_db) == {"ix_stock_move_part_at": ["part_id", "at"]}
    assert _moves(old_db) == [(1, "RECEIPT"), (2, "TRANSFER")]
