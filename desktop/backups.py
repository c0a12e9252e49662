"""SQLite backups on a schedule (kept for two weeks) and restore from a backup file.

A restore first checks the file (SQLite integrity check, a schema this version knows), keeps a copy
of the current database, then copies the backup in through SQLite's backup API, so a half-done restore
cannot leave a broken file behind.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop import paths
from desktop.db import Database, backup_sqlite
from desktop.errors import UserError
from desktop.models import User
from desktop.schema import known_revision, upgrade
from desktop.services.actor import Actor, Permission
from desktop.services.admin.audit import record

SCHEDULED = "scheduled"
KEEP = 14


def _scheduled(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"*-{SCHEDULED}.sqlite3"), key=lambda p: p.stat().st_mtime, reverse=True)


def backup_if_due(db: Database, *, max_age_hours: float = 24.0, keep: int = KEEP) -> Path | None:
    """Back up when the newest scheduled backup is older than `max_age_hours`; prune to `keep`."""
    if db.sqlite_path is None:
        return None
    folder = paths.backups_dir()
    existing = _scheduled(folder)
    if existing and time.time() - existing[0].stat().st_mtime < max_age_hours * 3600:
        return None
    made = backup_sqlite(db, reason=SCHEDULED)
    for old in _scheduled(folder)[keep:]:
        old.unlink(missing_ok=True)
    return made


def check_backup(source: Path) -> str:
    """The schema revision of a usable backup file; a clear UserError otherwise."""
    if not source.is_file():
        raise UserError(f"{source} does not exist.")
    try:
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as conn:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                raise UserError(f"{source.name} is damaged ({verdict}); pick another backup.")
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise UserError(f"{source.name} is not a Storeroom database ({exc}).") from exc
    if row is None:
        raise UserError(f"{source.name} has no schema version: not a Storeroom database.")
    revision = str(row[0])
    if not known_revision(revision):
        raise UserError(
            f"{source.name} was made by a newer Storeroom (schema {revision}); update this PC first."
        )
    return revision


def restore_sqlite(db: Database, source: Path, actor: Actor) -> Path:
    """Replace the live database with `source` (administrators only); returns the safety copy of what
    was there before. The restore is audited in the restored database, where the trail goes on."""
    actor.require(Permission.ADMIN)
    if db.sqlite_path is None:
        raise UserError("Restore is for SQLite files; a PostgreSQL server is restored with pg_restore.")
    if source.resolve() == db.sqlite_path.resolve():
        raise UserError("That is the database in use, not a backup.")
    check_backup(source)
    safety = backup_sqlite(db, reason="before-restore")
    db.dispose()  # our pooled connections would keep reading the old pages
    try:
        with (
            closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
            closing(sqlite3.connect(db.sqlite_path, timeout=10)) as live,
        ):
            src.backup(live)
    except sqlite3.Error as exc:
        raise UserError(
            f"The restore failed ({exc}); the database is unchanged. A copy of it is in {safety}."
        ) from exc
    upgrade(db, backup=False)  # an older backup is brought to this version's schema
    db.write(lambda s: _audit_restore(s, actor, source, safety))
    return safety


def _audit_restore(s: Session, actor: Actor, source: Path, safety: Path) -> None:
    # The restored file has its own accounts: name the administrator, and link the row if they exist.
    user_id = s.scalar(select(User.id).where(User.user_name == actor.user_name))
    record(
        s,
        user_id,
        "database.restore",
        "database",
        None,
        f"{actor.user_name} restored the database from {source.name}; "
        f"the previous one is kept as {safety.name}",
    )
