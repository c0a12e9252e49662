"""The audit trail is a hash chain: `audit verify` proves it whole, names the first row someone edited
or deleted, and concurrent writers on PostgreSQL never fork it."""

from __future__ import annotations

import threading
from functools import partial
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from desktop import schema
from desktop.db import Database
from desktop.models import AuditEvent
from desktop.models.enums import Role
from desktop.services.actor import Actor
from desktop.services.admin import audit, users
from desktop.services.admin.audit import record
from desktop.services.admin.audit_chain import GENESIS
from tests.factories import make_part, make_tree


def _history(db: Database, admin: Actor) -> list[int]:
    """Audited work of several kinds; returns the audit row ids in order."""
    make_tree(db, admin)
    make_part(db, admin, "BRG-1")
    users.save_user(
        db, admin, user_id=None, user_name="kim", display_name="Kim", role=Role.KEEPER, secret="1111"
    )
    users.authenticate(db, "kim", "1111", pc="PC-1")
    return db.read(lambda s: list(s.scalars(select(AuditEvent.id).order_by(AuditEvent.id))))


def test_verify_proves_the_chain_and_names_the_first_edited_or_deleted_row(
    db: Database, admin: Actor
) -> None:
    ids = _history(db, admin)
    assert len(ids) >= 8
    report = audit.verify(db, admin)
    assert report.intact and report.rows == len(ids)
    first = db.read(lambda s: s.scalar(select(AuditEvent.prev_hash).where(AuditEvent.id == ids[0])))
    assert first == GENESIS

    victim = ids[4]
    with db.engine.begin() as conn:  # someone with the owner's password edits a line
        before = conn.execute(text("SELECT summary FROM audit_event WHERE id = :i"), {"i": victim}).scalar()
        conn.execute(text("UPDATE audit_event SET summary = 'nothing happened' WHERE id = :i"), {"i": victim})
    report = audit.verify(db, admin)
    assert report.first_break is not None and report.first_break.row_id == victim
    assert "content was changed" in report.first_break.problem

    with db.engine.begin() as conn:  # put it back: whole again
        conn.execute(text("UPDATE audit_event SET summary = :s WHERE id = :i"), {"s": before, "i": victim})
    assert audit.verify(db, admin).intact

    with db.engine.begin() as conn:  # ... and deletes one
        conn.execute(text("DELETE FROM audit_event WHERE id = :i"), {"i": victim})
    report = audit.verify(db, admin)
    assert report.first_break is not None and report.first_break.row_id == ids[5]
    assert "deleted" in report.first_break.problem

    with db.engine.begin() as conn:  # deleting the first rows is seen too
        conn.execute(text("DELETE FROM audit_event WHERE id < :i"), {"i": ids[5]})
    report = audit.verify(db, admin)
    assert report.first_break is not None and report.first_break.row_id == ids[5]


def test_a_rolled_back_change_leaves_no_audit_line_and_no_gap(db: Database, admin: Actor) -> None:
    _history(db, admin)
    count = db.read(lambda s: s.scalar(select(func.count()).select_from(AuditEvent)))

    def failing(s: Session) -> None:
        record(s, admin.user_id, "test.fail", "test", None, "never saved")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        db.write(failing)
    assert db.read(lambda s: s.scalar(select(func.count()).select_from(AuditEvent))) == count
    users.authenticate(db, "kim", "1111", pc="PC-1")
    assert audit.verify(db, admin).intact


def test_viewers_may_not_verify(db: Database, admin: Actor) -> None:
    viewer = users.ensure_user(db, "val", role=Role.VIEWER)
    with pytest.raises(users.PermissionDenied):
        audit.verify(db, viewer)


@pytest.mark.postgres
def test_eight_concurrent_writers_never_fork_the_chain_on_postgresql(pg_db: Database) -> None:
    admin = users.ensure_user(pg_db, "admin", role=Role.ADMIN)
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def writer(n: int) -> None:
        def two_lines(s: Session, i: int) -> None:
            record(s, admin.user_id, "test.write", "test", i, f"writer {n} line {i}")
            record(s, admin.user_id, "test.write", "test", i, f"writer {n} line {i} (2)")

        start.wait()
        try:
            for i in range(25):
                pg_db.write(partial(two_lines, i=i))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = audit.verify(pg_db, admin)
    assert report.intact and report.rows == 8 * 25 * 2
    with pg_db.engine.connect() as conn:
        distinct = conn.execute(text("SELECT count(DISTINCT prev_hash) FROM audit_event")).scalar()
    assert distinct == 400


def test_the_migration_chains_the_rows_already_there(tmp_path: Path) -> None:
    database = Database(str(tmp_path / "old.sqlite3"))
    schema.upgrade(database, "0011_count_detail", backup=False)
    with database.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO app_user (user_name, display_name, role, active) "
                "VALUES ('old', 'Old', 'ADMIN', 1)"
            )
        )
        for n in range(5):
            conn.execute(
                text(
                    "INSERT INTO audit_event (user_id, action, entity, entity_id, summary) "
                    "VALUES (1, 'part.create', 'part', :n, :s)"
                ),
                {"n": n, "s": f"créé pièce {n} — Ø12"},
            )
    schema.upgrade(database, backup=False)
    admin = users.ensure_user(database, "old")
    report = audit.verify(database, admin)
    assert report.intact and report.rows == 5
    cfg = schema.alembic_config()
    with database.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0011_count_detail")
    database.dispose()
