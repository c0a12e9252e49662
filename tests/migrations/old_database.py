"""What a migration test upgrades from: a fresh database at an older revision, on SQLite or PostgreSQL,
holding a few rows written in that revision's own SQL (the models may no longer match it)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text

from desktop import schema
from desktop.db import Database
from tests.conftest import create_pg_database, drop_pg_database

BOTH = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
USER_ADA = (
    "INSERT INTO app_user (id, user_name, display_name, role, active) VALUES (1, 'ada', 'Ada', 'ADMIN', true)"
)
LOCATION = (
    "INSERT INTO location (id, code, name, level, type, path, walk_order, allow_negative, active) VALUES "
)
BIN_A01 = LOCATION + "(1, 'A-01', 'Bin', 'BIN', 'STOREROOM', '/A-01/', 0, false, true)"
PART_OIL = (
    "INSERT INTO part (id, part_number, number_key, description, category, unit, unit_cost, active) "
    "VALUES (1, 'OIL-1', 'OIL-1', 'Oil', 'MRO', 'EA', 2, true)"
)


@contextmanager
def database_at(
    kind: str, tmp_path: Path, pg_name: str, revision: str, rows: Sequence[str]
) -> Iterator[Database]:
    """A database (`kind` "sqlite" or "postgresql") at `revision` with `rows` inserted; dropped after."""
    database = (
        Database(str(tmp_path / "old.sqlite3")) if kind == "sqlite" else Database(create_pg_database(pg_name))
    )
    schema.upgrade(database, revision, backup=False)
    with database.engine.begin() as conn:
        for sql in rows:
            conn.execute(text(sql))
    try:
        yield database
    finally:
        url = database.url
        database.dispose()
        if kind == "postgresql":
            drop_pg_database(url)
