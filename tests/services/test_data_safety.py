"""Bad days: a locked file, a read-only file, a full disk, a dropped server connection.
Each gives a clear message and leaves nothing half-written."""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import pytest
from sqlalchemy import select, text, update

from desktop.db import Database
from desktop.errors import DatabaseUnavailable
from desktop.models import Part, StockBalance
from desktop.models.enums import MoveKind
from desktop.services.admin.users import ensure_user
from desktop.services.catalogue.parts import PartInput, create_part
from desktop.services.stock import moves as stock
from desktop.services.stock.moves import MoveRequest, post_move
from tests.factories import make_part, make_tree, receive


def test_locked_sqlite_file_says_busy_and_saves_nothing(sqlite_db: Database) -> None:
    admin = ensure_user(sqlite_db, "admin")
    tree = make_tree(sqlite_db, admin)
    part = make_part(sqlite_db, admin)
    impatient = Database(str(sqlite_db.sqlite_path), busy_timeout_s=0.2)
    other = sqlite3.connect(sqlite_db.sqlite_path)
    other.execute("BEGIN EXCLUSIVE")  # another program holds the write lock
    try:
        with pytest.raises(DatabaseUnavailable, match="busy") as err:
            receive(impatient, admin, part.id, tree["A-01-01"].id, "5")
        assert err.value.retryable
    finally:
        other.rollback()
        other.close()
    assert stock.balance(sqlite_db, part.id, tree["A-01-01"].id) == 0
    receive(impatient, admin, part.id, tree["A-01-01"].id, "5")  # once released, the same call works
    impatient.dispose()


def test_read_only_sqlite_file_is_explained(sqlite_db: Database) -> None:
    admin = ensure_user(sqlite_db, "admin")
    ro = Database(f"sqlite:///file:{sqlite_db.sqlite_path}?mode=ro&uri=true")
    assert ro.read(lambda s: s.scalar(text("SELECT count(*) FROM app_user"))) == 1  # reading still works
    with pytest.raises(DatabaseUnavailable, match="read-only"):
        create_part(ro, admin, PartInput("RO-1", "Read only"))
    ro.dispose()


def test_full_disk_loses_nothing(sqlite_db: Database) -> None:
    admin = ensure_user(sqlite_db, "admin")
    tree = make_tree(sqlite_db, admin)
    part = make_part(sqlite_db, admin)

    def fill_up(s):  # type: ignore[no-untyped-def]
        # SQLITE_FULL, as from a full disk: cap the file at its current size, then write a lot.
        pages = s.execute(text("PRAGMA page_count")).scalar_one()
        s.execute(text(f"PRAGMA max_page_count = {pages}"))
        s.execute(update(StockBalance).values(qty=Decimal(1)))
        for n in range(2000):
            s.add(
                Part(
                    part_number=f"FILL-{n}",
                    number_key=f"FILL-{n}",
                    description="x" * 190,
                    category="RAW",
                    unit="EA",
                    unit_cost=Decimal(0),
                    active=True,
                )
            )
        s.flush()

    receive(sqlite_db, admin, part.id, tree["A-01-01"].id, "3")
    with pytest.raises(DatabaseUnavailable, match="disk is full"):
        sqlite_db.write(fill_up)
    assert stock.balance(sqlite_db, part.id, tree["A-01-01"].id) == 3
    assert sqlite_db.read(lambda s: s.scalar(select(Part.id).where(Part.number_key == "FILL-0"))) is None


@pytest.mark.postgres
def test_dropped_postgres_connection_mid_transaction_writes_nothing(pg_db: Database) -> None:
    admin = ensure_user(pg_db, "admin")
    tree = make_tree(pg_db, admin)
    part = make_part(pg_db, admin)
    receive(pg_db, admin, part.id, tree["A-01-01"].id, "10")
    killer = Database(pg_db.url)

    def half_then_drop(s):  # type: ignore[no-untyped-def]
        s.execute(update(StockBalance).values(qty=Decimal(0)))  # first half of a change...
        pid = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with killer.engine.connect() as conn:  # ...then the network cable is pulled
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        s.execute(text("SELECT 1"))

    with pytest.raises(DatabaseUnavailable, match="connection to the database server was lost"):
        pg_db.write(half_then_drop)
    killer.dispose()
    assert stock.balance(pg_db, part.id, tree["A-01-01"].id) == 10  # the pool reconnects; nothing half-done
    assert (
        post_move(
            pg_db,
            admin,
            MoveRequest(MoveKind.ISSUE, part.id, Decimal(1), from_location_id=tree["A-01-01"].id),
        ).part_on_hand
        == 9
    )


def test_a_missing_table_is_not_reported_as_a_lost_connection(db: Database) -> None:
    """Found by looking at the app: a database missing a module's tables said 'connection lost'."""
    with pytest.raises(DatabaseUnavailable, match="does not have the tables") as err:
        db.read(lambda s: s.execute(text("SELECT id FROM kanban_loop_that_is_missing")).all())
    assert not err.value.retryable
