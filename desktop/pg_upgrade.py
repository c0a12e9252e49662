"""Upgrading a shared PostgreSQL schema: only its owner does it, after a pg_dump, one at a time.

Clients log in as a runtime role without DDL rights (desktop.services.admin.server_roles), so the first
updated client can no longer migrate the plant's database on its own. A client that finds the schema
older than it needs says so ("needs an upgrade by an administrator"), or, while the owner's upgrade
runs (it holds an advisory lock), "is being upgraded".
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, make_url, text
from sqlalchemy.exc import DBAPIError

from desktop import paths
from desktop.db import Database, translate_db_error
from desktop.errors import DatabaseUnavailable, PermissionDenied, UserError
from desktop.schema import head_revision

log = logging.getLogger("storeroom.upgrade")
MIGRATION_LOCK = 7_368_041_002  # pg_advisory_lock key held while a schema upgrade runs


def upgrade_shared(
    db: Database, current: str | None, migrate: Callable[[], None], *, dump: bool, automatic: bool
) -> Path | None:
    """Run `migrate` under the migration lock, as the owner, after pg_dump; returns the dump's path."""
    try:
        with db.engine.connect() as conn:
            if not conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": MIGRATION_LOCK}).scalar():
                raise DatabaseUnavailable(
                    "The database is being upgraded by an administrator right now. "
                    "Wait a few minutes, then start Storeroom again.",
                    retryable=True,
                )
            try:
                return _upgrade_locked(db, conn, current, migrate, dump=dump, automatic=automatic)
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK})
                conn.commit()
    except DBAPIError as exc:
        raise translate_db_error(exc) from exc


def _upgrade_locked(
    db: Database,
    conn: Connection,
    current: str | None,
    migrate: Callable[[], None],
    *,
    dump: bool,
    automatic: bool,
) -> Path | None:
    made = None
    if current is not None:  # an empty database is simply created: there is nothing to lose
        if automatic:
            raise DatabaseUnavailable(
                f"The database needs an upgrade by an administrator (schema {current}; this Storeroom "
                f"needs {head_revision()}). Ask them to run 'storeroom upgrade' as the schema owner "
                "(it saves a pg_dump copy first), then start Storeroom again.",
                retryable=False,
            )
        require_owner(conn)
        if dump:
            made = pg_dump(db, reason=f"before-upgrade-{current}")
    conn.commit()  # the lock is per session: end this read transaction, keep the lock
    migrate()
    from desktop.services.admin.server_roles import regrant

    regrant(db)
    return made


def require_owner(conn: Connection, *, task: str = "upgrade this database", command: str = "upgrade") -> None:
    """Only the role that owns the schema (or a member of it) may change it."""
    owner, allowed, me = conn.execute(
        text(
            "SELECT pg_get_userbyid(relowner), pg_has_role(current_user, relowner, 'USAGE'), current_user "
            "FROM pg_class WHERE oid = to_regclass('alembic_version')"
        )
    ).one()
    if not allowed:
        raise PermissionDenied(
            f"Only the schema owner ({owner}) can {task}; you are connected as {me}. "
            f"Run 'storeroom --db postgresql://{owner}@SERVER/DATABASE {command}'."
        )


def pg_dump(db: Database, *, reason: str) -> Path:
    """A custom-format pg_dump of the whole database into the backups folder."""
    exe = shutil.which("pg_dump")
    if exe is None:
        raise UserError(
            "pg_dump (the PostgreSQL client tools) is not installed on this PC, so the database was not "
            "backed up and nothing was upgraded. Install the tools (Debian/Ubuntu: postgresql-client; "
            "Windows: the PostgreSQL installer's Command Line Tools), or back the server up yourself and "
            "run 'storeroom upgrade --skip-dump'."
        )
    url = make_url(db.url)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = paths.backups_dir() / f"{url.database}-{stamp}-{reason}.dump"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".dump.partial")
    command = [exe, "--format=custom", f"--file={tmp}", "--no-password", f"--dbname={url.database}"]
    command += [f"--host={url.host or 'localhost'}", f"--port={url.port or 5432}"]
    if url.username:
        command.append(f"--username={url.username}")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)  # not on the command line, where `ps` would show it
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=6 * 3600, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        tmp.unlink(missing_ok=True)
        raise UserError(f"pg_dump could not run ({exc}); nothing was upgraded.") from exc
    if done.returncode != 0:
        tmp.unlink(missing_ok=True)
        detail = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise UserError(f"pg_dump failed, so nothing was upgraded: {detail}")
    tmp.replace(target)
    log.info("pg_dump of %s written to %s", url.database, target)
    return target
