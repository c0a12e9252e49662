"""Migration 0022_count_lots on a database that already has a count: its lines keep no lot; afterwards a
(part, bin) takes one line without a lot and one line per lot, never two of either; the way down keeps
the old lines and refuses while lot lines exist (it could not hold them)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from desktop import schema
from desktop.db import Database
from tests.migrations.old_database import BIN_A01, BOTH, PART_OIL, USER_ADA, database_at

BEFORE = "0021_lots"
LINE = (
    "INSERT INTO count_line (session_id, part_id, location_id, lot_id, book_qty, status, added) "
    "VALUES (1, 1, 1, {lot}, 5, 'OPEN', false)"
)


@pytest.fixture(params=BOTH)
def old_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A database at 0021 with a count session of one line, and two lots of its part."""
    rows = (
        USER_ADA,
        BIN_A01,
        PART_OIL,
        "INSERT INTO lot (id, part_id, lot_number, lot_key) VALUES (1, 1, 'A', 'A'), (2, 1, 'B', 'B')",
        "INSERT INTO count_session (id, name, status, blind, snapshot_move_id, started_by_id) "
        "VALUES (1, 'Old count', 'OPEN', true, 0, 1)",
        "INSERT INTO count_line (session_id, part_id, location_id, book_qty, status, added) "
        "VALUES (1, 1, 1, 5, 'OPEN', false)",
    )
    with database_at(request.param, tmp_path, "storeroom_count_lots_mig", BEFORE, rows) as database:
        yield database


def _refused(database: Database, sql: str) -> bool:
    try:
        with database.engine.begin() as conn:
            conn.execute(text(sql))
    except IntegrityError:
        return True
    return False


def test_count_lines_take_a_lot_and_the_way_down_keeps_the_old_lines(old_db: Database) -> None:
    schema.upgrade(old_db, backup=False)
    with old_db.engine.connect() as conn:
        assert conn.execute(text("SELECT lot_id, book_qty FROM count_line")).one() == (None, 5)
    assert _refused(old_db, LINE.format(lot="NULL"))  # a second line without a lot for that (part, bin)
    assert not _refused(old_db, LINE.format(lot=1))
    assert not _refused(old_db, LINE.format(lot=2))
    assert _refused(old_db, LINE.format(lot=1))  # a second line for lot A
    assert _refused(old_db, LINE.format(lot=99))  # no such lot
    with pytest.raises(RuntimeError, match="count lines per lot exist"):
        schema.downgrade(old_db, BEFORE)
    with old_db.engine.begin() as conn:
        conn.execute(text("DELETE FROM count_line WHERE lot_id IS NOT NULL"))
    schema.downgrade(old_db, BEFORE)
    assert schema.current_revision(old_db) == BEFORE
    with old_db.engine.connect() as conn:
        assert conn.execute(text("SELECT session_id, book_qty FROM count_line")).one() == (1, 5)
    insert_old = (
        "INSERT INTO count_line (session_id, part_id, location_id, book_qty, status, added) "
        "VALUES (1, 1, 1, 5, 'OPEN', false)"
    )
    assert _refused(old_db, insert_old)  # the old rule is back: one line per (session, part, bin)
