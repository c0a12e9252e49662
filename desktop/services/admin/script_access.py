"""Who a script acts as (the `storeroom` commands, the kiosk's start-up, benchmarks), read as plain rows.

The usual case, a known account on a database without PINs, is two small reads on a Core connection
(`Database.read_rows`): a short command such as `storeroom labels bins` then imports neither the ORM
nor the sign-in services. Signing in with a PIN, and the first use of a login, go to
`admin.users` (authenticate, ensure_user) as before.
"""

from __future__ import annotations

import getpass

from sqlalchemy import Connection, Row, column, select, table

from desktop.db import Database
from desktop.errors import PermissionDenied, UserError
from desktop.models.enums import Role
from desktop.services.actor import Actor

_user = table(
    "app_user",
    column("id"),
    column("user_name"),
    column("display_name"),
    column("role"),
    column("secret_hash"),
)


def normalize_name(user_name: str) -> str:
    name = user_name.strip().lower()
    if not name or len(name) > 40 or any(ch.isspace() or not ch.isprintable() for ch in name):
        raise UserError("A user name is 1 to 40 characters without spaces.", field="user_name")
    return name


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "user"


def script_actor(db: Database, user_name: str | None, secret: str | None) -> Actor:
    """Who a script (CLI, kiosk start-up, benchmark) acts as.

    With a PIN: that account, checked. Without one, only while no account has a PIN yet (a fresh or
    script-built database, where whoever holds the file is trusted, as at first start): the OS login,
    made on first use (the first account becomes ADMIN)."""
    if secret:
        if not user_name:
            raise UserError("Give --user together with the PIN.")
        from desktop.services.admin.users import authenticate

        return authenticate(db, user_name, secret)

    def op(conn: Connection) -> Row[tuple[int, str, str, str]] | None:
        if conn.scalar(select(_user.c.id).where(_user.c.secret_hash.is_not(None)).limit(1)) is not None:
            raise PermissionDenied(
                "This database has accounts with PINs: give --user NAME and put the PIN in the "
                "STOREROOM_PIN environment variable."
            )
        name = normalize_name(user_name or os_user())
        found: Row[tuple[int, str, str, str]] | None = conn.execute(
            select(_user.c.id, _user.c.user_name, _user.c.display_name, _user.c.role).where(
                _user.c.user_name == name
            )
        ).first()
        return found

    row = db.read_rows(op)
    if row is not None:
        return Actor(row.id, row.user_name, row.display_name, Role(row.role))
    from desktop.services.admin.users import ensure_user

    return ensure_user(db, user_name)
