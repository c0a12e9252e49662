"""PostgreSQL roles: the schema owner migrates; the clients log in as a runtime role that may only
append to the ledger and the audit trail, only read the accounts, and change no schema.

Decision on accounts: the runtime role has SELECT alone on app_user (no INSERT, no UPDATE), so whoever
holds its password cannot promote themselves to ADMIN nor add an account. Account changes (new user,
role, PIN, badge, disabling) are made with the schema owner's login, which the app asks an
administrator for when they save (desktop.services.admin.users). Sign-in failures and lock-outs live in their
own table (sign_in_guard), which the runtime role does write.

A count's snapshot needs a SHARE lock on the ledger, which LOCK TABLE grants only with UPDATE or
DELETE rights: the runtime role takes it through the owner's SECURITY DEFINER function
storeroom_lock_ledger() (migration 0012), its only EXECUTE grant.

Every other table gets SELECT, INSERT, UPDATE, DELETE: balances, cards, reservations, counts, parts and
settings are updated in place by the app. Sequences: USAGE and SELECT (for ids).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, insert, make_url, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from desktop.db import Database, translate_db_error
from desktop.errors import PermissionDenied, UserError
from desktop.models import RuntimeRole

_DML = ("SELECT", "INSERT", "UPDATE", "DELETE")
# Tables whose rows the runtime role may not change once written, or not write at all.
POLICY: dict[str, tuple[str, ...]] = {
    "stock_move": ("SELECT", "INSERT"),  # the ledger: corrections are reversing moves
    "audit_event": ("SELECT", "INSERT"),  # the hash-chained audit trail
    "card_event": ("SELECT", "INSERT"),  # a kanban card's log
    "serial_event": ("SELECT", "INSERT"),  # a repairable spare's log
    "asset_move": ("SELECT", "INSERT"),  # which issue went to which asset
    "purchase_receipt": ("SELECT", "INSERT"),  # which receipt was against which order line
    "lot": ("SELECT", "INSERT", "UPDATE"),  # a lot the ledger names is never deleted (a release updates it)
    "app_user": ("SELECT",),  # accounts: changed with the owner's login only
    "runtime_role": ("SELECT",),
    "alembic_version": ("SELECT",),
}
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def privileges(table: str) -> tuple[str, ...]:
    return POLICY.get(table, _DML)


def check_role_name(name: str) -> str:
    if not _NAME.match(name):
        raise UserError(
            f"'{name}' is not a usable role name: lower-case letters, digits and _, at most 63, "
            "not starting with a digit."
        )
    return name


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def grant(conn: Connection, role: str) -> None:
    """Give `role` exactly the runtime rights on every table of the schema (revoking anything else)."""
    q = _quote(conn, check_role_name(role))
    database = _quote(conn, str(conn.execute(text("SELECT current_database()")).scalar()))
    conn.execute(text(f"GRANT CONNECT ON DATABASE {database} TO {q}"))
    conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {q}"))
    conn.execute(text(f"REVOKE CREATE ON SCHEMA public FROM {q}"))
    conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {q}"))
    tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars()
    for table in tables:
        conn.execute(text(f"GRANT {', '.join(privileges(table))} ON {_quote(conn, table)} TO {q}"))
    conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {q}"))
    conn.execute(text(f"GRANT EXECUTE ON FUNCTION {LOCK_LEDGER}() TO {q}"))


LOCK_LEDGER = "storeroom_lock_ledger"  # SECURITY DEFINER: a count's SHARE lock on the ledger (0012)


def lock_ledger_share(s: Session) -> None:
    """Hold new moves back until this transaction ends (PostgreSQL), also under the runtime role."""
    s.execute(text(f"SELECT {LOCK_LEDGER}()"))


def regrant(db: Database) -> None:
    """After a migration: the recorded runtime roles get the rights on new tables too."""
    if db.is_sqlite:
        return
    with db.engine.begin() as conn:
        if conn.execute(text("SELECT to_regclass('runtime_role')")).scalar() is None:
            return  # a schema older than the roles
        for role in conn.execute(select(RuntimeRole.role_name)).scalars().all():
            grant(conn, role)


def setup_runtime_role(db: Database, role: str, password: str | None) -> bool:
    """Create (if missing) and grant the runtime role; run as the schema owner. True if created."""
    from desktop.pg_upgrade import require_owner

    if db.is_sqlite:
        raise UserError("Roles are for a shared PostgreSQL server; a SQLite file has none.")
    check_role_name(role)
    try:
        with db.engine.begin() as conn:
            require_owner(conn, task="set up roles", command=f"server setup-roles --runtime-role {role}")
            found = conn.execute(
                text("SELECT rolname = current_user OR rolsuper FROM pg_roles WHERE rolname = :r"),
                {"r": role},
            ).first()
            if found is not None and found[0]:
                raise UserError(f"{role} is the owner or a superuser: give the clients a role of their own.")
            if found is None:
                if not password:
                    raise UserError(f"Give the new role {role} a password (STOREROOM_RUNTIME_PASSWORD).")
                _create_role(conn, role, password)
            elif password:
                _role_sql(conn, "ALTER ROLE {} PASSWORD {}", role, password)
            if (
                conn.execute(select(RuntimeRole.role_name).where(RuntimeRole.role_name == role)).first()
                is None
            ):
                conn.execute(insert(RuntimeRole).values(role_name=role))
            grant(conn, role)
    except DBAPIError as exc:
        raise translate_db_error(exc) from exc
    return found is None


def _role_sql(conn: Connection, template: str, role: str, password: str) -> None:
    """A role statement with the password as a quoted literal (utility statements take no parameters),
    sent straight to the driver so no character of the password is read as a placeholder."""
    from psycopg import sql

    statement = sql.SQL(template).format(sql.Identifier(role), sql.Literal(password))
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(statement)
    finally:
        cursor.close()


def _create_role(conn: Connection, role: str, password: str) -> None:
    try:
        _role_sql(conn, "CREATE ROLE {} LOGIN PASSWORD {}", role, password)
    except Exception as exc:  # psycopg's own error: this runs below SQLAlchemy
        if getattr(exc, "sqlstate", None) == "42501":
            raise PermissionDenied(
                f"This login may not create roles. Ask the server's administrator to run "
                f"CREATE ROLE {role} LOGIN PASSWORD '...'; then run this command again."
            ) from exc
        raise


def owner_of_schema(db: Database) -> str:
    with db.engine.connect() as conn:
        return str(
            conn.execute(
                text("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = to_regclass('app_user')")
            ).scalar()
        )


@contextmanager
def as_owner(db: Database, password: str) -> Iterator[Database]:
    """The same server and database, logged in as the schema owner, for one administrative change."""
    url = make_url(db.url).set(username=owner_of_schema(db), password=password)
    owner = Database(url.render_as_string(hide_password=False))
    try:
        yield owner
    finally:
        owner.dispose()
