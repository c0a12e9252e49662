"""Engine and unit-of-work for SQLite and PostgreSQL, SQLite backups, and opening a database (schema
revisions and upgrades: desktop.schema).

Services never open sessions themselves: they hand a function to `Database.read` / `Database.write`,
which run it in one transaction, retry PostgreSQL lock conflicts, and turn database trouble
(locked file, read-only file, full disk, lost server) into a `DatabaseUnavailable` with a clear message.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from desktop import paths
from desktop.errors import Conflict, DatabaseUnavailable, OutcomeUnknown, UserError
from desktop.netpath import network_filesystem

if TYPE_CHECKING:  # the ORM is imported where a session is first opened: `storeroom labels bins` reads
    # plain rows (read_rows)
    from sqlalchemy.orm import Session, sessionmaker

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

    def __init__(
        self, url: str, *, echo: bool = False, busy_timeout_s: float = 5.0, idle_timeout_s: float = 20.0
    ) -> None:
        """`busy_timeout_s`: how long a write waits for a row or file another PC holds before it is
        refused as busy (SQLite's busy timeout; PostgreSQL's lock_timeout). `idle_timeout_s`: on
        PostgreSQL, a transaction left open that long without a statement (a frozen or killed client)
        is ended by the server, so it cannot keep a bin locked."""
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
                connect_args={
                    "connect_timeout": 5,
                    "application_name": "storeroom",
                    "options": _session_options(parsed, busy_timeout_s, idle_timeout_s),
                },
            )
        self._sessions: sessionmaker[Session] | None = None

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
        if self._sessions is None:
            from sqlalchemy.orm import sessionmaker

            self._sessions = sessionmaker(self.engine, expire_on_commit=False)
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

    def read_rows(self, fn: Callable[[Connection], T]) -> T:
        """`read` on a Core connection instead of a Session: for a short command that reads plain rows
        and should not import the ORM and map models for it (sqlalchemy.orm is about a tenth of a
        second of `storeroom labels`). One read transaction, the same error translation."""
        try:
            with self.engine.connect() as conn, conn.begin():
                return fn(conn)
        except DBAPIError as exc:
            raise translate_db_error(exc) from exc

    def write(self, fn: Callable[[Session], T]) -> T:
        """Run `fn` in one transaction and commit; nothing is kept if anything fails."""
        for attempt in range(1, _WRITE_ATTEMPTS + 1):
            committing = False
            try:
                with self._session(write=True) as session:
                    result = fn(session)
                    committing = True
                    session.commit()
                    return result
            except DBAPIError as exc:
                if _sqlstate(exc) in _RETRY_SQLSTATES and attempt < _WRITE_ATTEMPTS:
                    time.sleep(random.uniform(0.005, 0.03) * attempt)
                    continue
                if committing and _connection_lost(exc) and _sqlstate(exc) != _IDLE_TIMEOUT:
                    # The server may have committed before the reply was lost: "nothing was saved"
                    # could make a keeper post the move twice.
                    raise OutcomeUnknown(
                        "The connection to the database server was lost while saving, so the outcome is "
                        "unknown; check history or retry with the same key (a move retried with its key "
                        "is never posted twice)."
                    ) from exc
                raise translate_db_error(exc) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def dispose(self) -> None:
        self.engine.dispose()


def _session_options(url: URL, lock_s: float, idle_s: float) -> str:
    """Server settings for every PostgreSQL session; `?options=-c ...` in the URL comes after and wins."""
    ours = (
        f"-c lock_timeout={round(lock_s * 1000)} "
        f"-c idle_in_transaction_session_timeout={round(idle_s * 1000)}"
    )
    given = url.query.get("options")
    return f"{ours} {given}" if isinstance(given, str) else ours


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


# PostgreSQL SQLSTATEs with their own message
_LOCK_TIMEOUT = "55P03"  # lock_not_available: lock_timeout ran out
_IDLE_TIMEOUT = "25P03"  # idle_in_transaction_session_timeout: the server ended a transaction left open


def _connect_refused(message: str) -> UserError | None:
    """Why the server would not let us in, for the failures of a first connection that are not the
    network's: a wrong password or user, a database that does not exist, a PC the server refuses."""
    text = message.lower()
    if "failed to resolve host" in text:
        return DatabaseUnavailable(
            f"The database server's name is unknown on this network ({message}). "
            "Check the server address in the connection settings.",
            retryable=False,
        )
    if "fatal:" not in text and "connection failed" not in text:
        return None
    first_line = message.splitlines()[0] if message else message
    detail = first_line.partition("FATAL:")[2].strip() or first_line.removeprefix("connection failed: ")
    if (
        "password authentication failed" in text
        or "no password supplied" in text
        or ("role" in text and "does not exist" in text)
    ):
        return DatabaseUnavailable(
            "The database server refused the sign-in: wrong user name or password "
            f"({detail}). Check the connection settings.",
            retryable=False,
        )
    if "database" in text and "does not exist" in text:
        return DatabaseUnavailable(
            f"The database server has no such database ({detail}). Check the database name in the "
            "connection settings, or ask your administrator to create it (see the README).",
            retryable=False,
        )
    if "pg_hba.conf" in text:
        return DatabaseUnavailable(
            f"The database server does not accept connections from this PC ({detail}). "
            "Ask your administrator to allow it (pg_hba.conf).",
            retryable=False,
        )
    if "connection failed" in text or "could not connect" in text:
        return DatabaseUnavailable(
            "The database server cannot be reached: it is not running, or the network or the server "
            f"address is wrong ({detail}). Check the connection settings and the network, then try again.",
            retryable=True,
        )
    return None


def _connection_lost(exc: DBAPIError) -> bool:
    server_side = type(exc.orig).__module__.startswith("psycopg")
    return exc.connection_invalidated or (isinstance(exc, OperationalError) and server_side)


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
    if _sqlstate(exc) == _LOCK_TIMEOUT:
        return DatabaseUnavailable(
            "Another PC is changing the same stock and has not finished (it may have frozen). "
            "Nothing was saved; try again in a moment.",
            retryable=True,
        )
    if _sqlstate(exc) == _IDLE_TIMEOUT:
        return DatabaseUnavailable(
            "This PC kept a change open too long without finishing it, so the server cancelled it. "
            "Nothing was saved; try again.",
            retryable=True,
        )
    refused = _connect_refused(str(exc.orig))
    if refused is not None:
        return refused
    if _connection_lost(exc):
        return DatabaseUnavailable(
            "The connection to the database server was lost. Nothing was saved; "
            "check the network and try again.",
            retryable=True,
        )
    return DatabaseUnavailable(f"The database reported an error: {exc.orig}", retryable=False)


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
    clean_stale_partials(target.parent)
    try:
        for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):  # this very copy, killed earlier
            leftover.unlink(missing_ok=True)
        with closing(sqlite3.connect(db.sqlite_path)) as src, closing(sqlite3.connect(tmp)) as dst:
            src.backup(dst)
        tmp.replace(target)
    except (sqlite3.Error, OSError) as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"The backup to {target} failed: {exc}") from exc
    log.info("backed up %s to %s", db.sqlite_path, target)
    return target


STALE_PARTIAL_S = 15 * 60  # a backup being written touches its file every moment; one idle this long died


def clean_stale_partials(folder: Path, *, older_than_s: float = STALE_PARTIAL_S) -> list[Path]:
    """Delete the half-written copies (`*.sqlite3.partial` and their journals) that a backup killed
    mid-way left in `folder`; a copy another backup is still writing is younger and stays."""
    removed = []
    now = time.time()
    for path in (*folder.glob("*.sqlite3.partial"), *folder.glob("*.sqlite3.partial-journal")):
        try:
            if now - path.stat().st_mtime > older_than_s:
                path.unlink()
                removed.append(path)
        except OSError as exc:  # gone already, or held open by another program: try next time
            log.warning("could not remove the stale backup file %s: %s", path, exc)
    if removed:
        log.info("removed %d half-written backup file(s) left by an interrupted backup", len(removed))
    return removed


def open_database(url: str) -> Database:
    """Open (creating a new SQLite file if needed) and bring the schema to head, backing up first.

    On PostgreSQL an existing schema is never upgraded here: that is the schema owner's job."""
    from desktop.schema import upgrade

    database = Database(url)
    try:
        upgrade(database, automatic=True)
    except BaseException:
        database.dispose()
        raise
    return database


def try_database(url: str) -> str:
    """Open `url` as `open_database` does and close it again: its description, for a choice of
    database that is tested before it is saved."""
    database = open_database(url)
    try:
        return database.description
    finally:
        database.dispose()
