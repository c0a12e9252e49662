"""The schema's revision and its upgrades: which migration the database is at, which one this Storeroom
brings (read from the migration files without loading alembic where it can), and `upgrade` /
`downgrade`, which copy a SQLite file first and leave PostgreSQL to its owner (desktop.pg_upgrade).

Kept apart from `desktop.db` (the engine and the unit of work), which imports this module only where a
database is opened and brought to head (`open_database`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from desktop import paths
from desktop.db import backup_sqlite, translate_db_error
from desktop.errors import UserError

if TYPE_CHECKING:  # alembic is imported where a migration runs: it is a third of a command's start-up
    from alembic.config import Config

    from desktop.db import Database


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()  # no ini file: no fileConfig(), which would silence the app's loggers
    cfg.set_main_option("script_location", str(paths.migrations_dir()))
    cfg.set_main_option("path_separator", "os")
    return cfg


_REVISION = re.compile(r"^revision(?:\s*:\s*str)?\s*=\s*[\"']([^\"']+)[\"']", re.MULTILINE)
_DOWN_REVISION = re.compile(r"^down_revision(?:\s*:[^=]*)?\s*=\s*[\"']([^\"']+)[\"']", re.MULTILINE)


def _head_from_files() -> str | None:
    """The head of a single chain of migrations, read from the files' `revision` / `down_revision`
    lines without loading alembic; None for anything else (alembic then decides)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (paths.migrations_dir() / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        found = _REVISION.search(text)
        if found is None:
            return None
        revisions.add(found.group(1))
        parents.update(_DOWN_REVISION.findall(text))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 and len(parents) == len(revisions) - 1 else None


def head_revision() -> str:
    head = _head_from_files()
    if head is None:
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        versions = list(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())
        if len(versions) <= 1:
            return versions[0] if versions else None
        from alembic.runtime.migration import MigrationContext

        return MigrationContext.configure(conn).get_current_revision()  # branches: alembic says


def needs_upgrade(db: Database) -> bool:
    try:
        return current_revision(db) != head_revision()
    except DBAPIError as exc:
        raise translate_db_error(exc) from exc


def known_revision(revision: str) -> bool:
    """True if this version of Storeroom has the migration `revision` (False: a newer one made it)."""
    from alembic.script import ScriptDirectory

    try:
        ScriptDirectory.from_config(alembic_config()).get_revision(revision)
    except Exception:  # alembic raises several types for unknown revisions
        return False
    return True


UPGRADED_BY = "schema.upgraded_by"  # app_setting: the Storeroom that last upgraded the schema


def app_version() -> str:
    try:
        return f"Storeroom {metadata.version('storeroom')}"
    except metadata.PackageNotFoundError:
        return "Storeroom (development copy)"


def _upgraded_by(db: Database) -> str | None:
    """Who last upgraded the schema, if that Storeroom wrote it down (read on its own connection)."""
    try:
        with db.engine.connect() as conn:
            found = conn.execute(
                text("SELECT value FROM app_setting WHERE key = :k"), {"k": UPGRADED_BY}
            ).scalar()
    except DBAPIError:  # an old schema without app_setting
        return None
    return str(found) if found else None


def refuse_newer_schema(db: Database, current: str | None) -> None:
    """A schema this version has no migration for was made by a newer Storeroom: say so and stop,
    before any backup or migration is tried."""
    if current is None or current == head_revision() or known_revision(current):
        return
    by = _upgraded_by(db)
    raise UserError(
        f"This database was upgraded by a newer Storeroom ({by + ', ' if by else ''}schema revision "
        f"{current}). Install that version (or a newer one) on this PC to use it; nothing was changed."
    )


def upgrade(
    db: Database, revision: str = "head", *, backup: bool = True, automatic: bool = False
) -> Path | None:
    """Bring the schema to `revision`. Returns the backup's path (a copy of the SQLite file, or a
    pg_dump file), or None.

    A schema from a newer Storeroom is refused first. SQLite files are copied, then migrated. On
    PostgreSQL only the schema owner upgrades, after pg_dump (skipped with `backup=False`), and never
    `automatic`ally at a client's start: a client then gets a clear message (desktop.pg_upgrade)."""
    try:
        current = current_revision(db)
    except DBAPIError as exc:
        raise translate_db_error(exc) from exc
    refuse_newer_schema(db, current)
    if revision == "head" and current == head_revision():
        return None
    from alembic import command

    if not db.is_sqlite:
        from desktop import pg_upgrade

        made = pg_upgrade.upgrade_shared(
            db,
            current,
            lambda: _run_migration(db, lambda cfg: command.upgrade(cfg, revision)),
            dump=backup,
            automatic=automatic,
        )
    else:
        made = None
        if backup and db.sqlite_path is not None and db.sqlite_path.exists() and current:
            made = backup_sqlite(db, reason=f"before-upgrade-{current}")
        _run_migration(db, lambda cfg: command.upgrade(cfg, revision))
    if revision == "head":
        _note_upgraded_by(db)
    return made


def _note_upgraded_by(db: Database) -> None:
    try:
        with db.engine.begin() as conn:
            stored = {"k": UPGRADED_BY, "v": app_version()}
            if conn.execute(text("UPDATE app_setting SET value = :v WHERE key = :k"), stored).rowcount == 0:
                conn.execute(text("INSERT INTO app_setting (key, value) VALUES (:k, :v)"), stored)
    except DBAPIError as exc:
        raise translate_db_error(exc) from exc


def downgrade(db: Database, revision: str) -> None:
    from alembic import command

    _run_migration(db, lambda cfg: command.downgrade(cfg, revision))


def _run_migration(db: Database, action: Callable[[Config], None]) -> None:
    cfg = alembic_config()
    try:
        with db.engine.connect() as conn:
            if db.is_sqlite:
                # Batch migrations recreate tables; with foreign keys on, SQLite's DROP TABLE would
                # null or delete child rows. Must be set outside a transaction.
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
            try:
                with conn.begin():
                    cfg.attributes["connection"] = conn
                    action(cfg)
                    if db.is_sqlite:
                        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                        if broken:
                            raise RuntimeError(f"migration broke foreign keys: {broken[:5]}")
            finally:
                if db.is_sqlite:
                    conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]
    except DBAPIError as exc:
        raise translate_db_error(exc) from exc
