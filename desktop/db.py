"""Engine and unit-of-work for SQLite and PostgreSQL, and schema upgrades at start-up.

Services never open sessions themselves: they hand a function to `Database.read` / `Database.write`,
which run it in one transaction, retry PostgreSQL lock conflicts, and turn database trouble
(locked file, read-only file, full disk, lost server) into a `DatabaseUnavailable` with a clear message.
"""

from __future__ import annotations

import logging
import random
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine, create_engine, event, inspect, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from desktop import paths
from desktop.errors import Conflict, DatabaseUnavailable, UserError
from desktop.netpath import network_filesystem

if TYPE_CHECKING:  # alembic is imported where a migration runs: it is a third of a command's start-up
    from alembic.config import Config

log = logging.getLogger("storeroom.db")
T = TypeVar("T")

# PostgreSQL SQLSTATEs worth a silent retry: serialization failure, deadlock detected.
_RETRY_SQLSTATES = {"40001", "40P01"}
_WRITE_ATTEMPTS = 6


def normalize_url(url: str) -> str:
    """Accept plain `postgresql://` URLs and bare file paths; use psycopg 3 for PostgreSQL."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def describe_url(url: str) -> str:
    """The URL as shown in the status bar: never the password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite {parsed.database}"
    return f"PostgreSQL {parsed.username or ''}@{parsed.host or 'localhost'}/{parsed.database}"


class Database:
    """One database: engine, sessions, and the read/write runners services use."""

    def __init__(self, url: str, *, echo: bool = False, busy_timeout_s: float = 5.0) -> None:
        self.url = normalize_url(url)
        parsed: URL = make_url(self.url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        self.sqlite_path: Path | None = None
        if self.is_sqlite and parsed.database and parsed.database != ":memory:":
            # `file:...?mode=ro&uri=true` URLs (read-only opening) name the file after "file:".
            self.sqlite_path = Path(parsed.database.removeprefix("file:"))
        if self.is_sqlite:
            if self.sqlite_path is not None:
                self._check_sqlite_folder(self.sqlite_path)
            self.engine: Engine = create_engine(
                self.url, echo=echo, connect_args={"check_same_thread": False, "timeout": busy_timeout_s}
            )
            event.listen(self.engine, "connect", _sqlite_on_connect)
            event.listen(self.engine, "begin", _sqlite_on_begin)
        else:
            self.engine = create_engine(
                self.url,
                echo=echo,
                pool_pre_ping=True,
                connect_args={"connect_timeout": 5, "application_name": "storeroom"},
            )
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def description(self) -> str:
        return describe_url(self.url)

    @staticmethod
    def _check_sqlite_folder(path: Path) -> None:
        folder = path.parent
        if not folder.exists():
            raise UserError(f"The folder {folder} does not exist.")
        kind = network_filesystem(folder)
        if kind is not None:
            raise UserError(
                f"{path} is on a network share ({kind}). SQLite cannot lock a file safely over the network, "
                "and two PCs writing to it can corrupt it. Keep the file on this PC, or let several PCs "
                "share a PostgreSQL server (see the README)."
            )

    @contextmanager
    def _session(self, *, write: bool) -> Iterator[Session]:
        with self._sessions() as session:
            if self.is_sqlite:
                # BEGIN IMMEDIATE for writers: take the write lock first, so two writers queue on the
                # busy timeout instead of one failing when it upgrades its read lock.
                session.connection(execution_options={"sqlite_write": write})
            yield session

    def read(self, fn: Callable[[Session], T]) -> T:
        try:
            with self._session(write=False) as session:
                return fn(session)
        except DBAPIError as exc:
            raise translate_db_error(exc) from exc

    def write(self, fn: Callable[[Session], T]) -> T:
        """Run `fn` in one transaction and commit; nothing is kept if anything fails."""
        for attempt in range(1, _WRITE_ATTEMPTS + 1):
            try:
                with self._session(write=True) as session:
                    result = fn(session)
                    session.commit()
                    return result
            except DBAPIError as exc:
                if _sqlstate(exc) in _RETRY_SQLSTATES and attempt < _WRITE_ATTEMPTS:
                    time.sleep(random.uniform(0.005, 0.03) * attempt)
                    continue
                raise translate_db_error(exc) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
    # We emit BEGIN ourselves (see _sqlite_on_begin); pysqlite's own transaction handling is off.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA journal_mode = WAL")
    except sqlite3.OperationalError:
        log.warning("could not switch to WAL (read-only file?); continuing in the current journal mode")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.execute("PRAGMA foreign_keys = ON")
    cur.close()


def _sqlite_on_begin(conn: Any) -> None:
    mode = "IMMEDIATE" if conn.get_execution_options().get("sqlite_write") else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


def _sqlstate(exc: DBAPIError) -> str | None:
    return getattr(exc.orig, "sqlstate", None)


def translate_db_error(exc: DBAPIError) -> UserError:
    """A message a storeroom keeper can act on, for the failures a database can have."""
    text = str(exc.orig).lower()
    if isinstance(exc, IntegrityError):
        return Conflict(
            "The change clashes with data saved at the same moment by someone else. "
            "Nothing was saved; look again and retry."
        )
    if "locked" in text or "busy" in text:
        return DatabaseUnavailable(
            "The database is busy: another program is writing to it. "
            "Nothing was saved; try again in a moment.",
            retryable=True,
        )
    if "readonly" in text or "read-only" in text:
        return DatabaseUnavailable(
            "The database file is read-only, so nothing can be saved. "
            "Ask your administrator to check the file's permissions.",
            retryable=False,
        )
    if "disk is full" in text or "no space" in text or "disk i/o" in text:
        return DatabaseUnavailable(
            "The disk is full (or failing): nothing was saved. Free some space and try again.", retryable=True
        )
    if "unable to open" in text:
        return DatabaseUnavailable(
            "The database file cannot be opened. Check that the folder exists and that you may write to it.",
            retryable=False,
        )
    if (
        "no such table" in text
        or "no such column" in text
        or ("does not exist" in text and "relation" in text)
    ):
        return DatabaseUnavailable(
            "The database does not have the tables this version of Storeroom needs. "
            "Nothing was saved; ask your administrator (restore a backup, or upgrade "
            "with 'storeroom upgrade').",
            retryable=False,
        )
    server_side = type(exc.orig).__module__.startswith("psycopg")
    if exc.connection_invalidated or (isinstance(exc, OperationalError) and server_side):
        return DatabaseUnavailable(
            "The connection to the database server was lost. Nothing was saved; "
            "check the network and try again.",
            retryable=True,
        )
    return DatabaseUnavailable(f"The database reported an error: {exc.orig}", retryable=False)


# --- schema -----------------------------------------------------------------------------------------


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


def upgrade(db: Database, revision: str = "head", *, backup: bool = True) -> Path | None:
    """Bring the schema to `revision`; SQLite files are copied first. Returns the backup's path."""
    if not needs_upgrade(db) and revision == "head":
        return None
    backup_path = None
    if backup and db.sqlite_path is not None and db.sqlite_path.exists() and current_revision(db):
        backup_path = backup_sqlite(db, reason=f"before-upgrade-{current_revision(db)}")
    from alembic import command

    _run_migration(db, lambda cfg: command.upgrade(cfg, revision))
    return backup_path


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


def backup_sqlite(db: Database, *, target: Path | None = None, reason: str = "manual") -> Path:
    """Consistent copy of a live SQLite database through SQLite's online backup API."""
    if db.sqlite_path is None:
        raise UserError(
            "Backups from the app are for SQLite files; back up PostgreSQL with pg_dump (see the README)."
        )
    if target is None:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        target = paths.backups_dir() / f"{db.sqlite_path.stem}-{stamp}-{reason}.sqlite3"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".partial")
    try:
        with closing(sqlite3.connect(db.sqlite_path)) as src, closing(sqlite3.connect(tmp)) as dst:
            src.backup(dst)
        tmp.replace(target)
    except (sqlite3.Error, OSError) as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"The backup to {target} failed: {exc}") from exc
    log.info("backed up %s to %s", db.sqlite_path, target)
    return target


def open_database(url: str) -> Database:
    """Open (creating a new SQLite file if needed) and bring the schema to head, backing up first."""
    database = Database(url)
    try:
        upgrade(database)
    except BaseException:
        database.dispose()
        raise
    return database
