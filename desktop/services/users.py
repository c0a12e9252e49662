"""User records. Sign-in, PINs and badges come with the users-and-roles work; until then the
person at the PC acts as their operating-system account, and the first account is the admin."""

from __future__ import annotations

import getpass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.models import User
from desktop.models.enums import Role
from desktop.services.actor import Actor


def _actor(user: User) -> Actor:
    return Actor(user.id, user.user_name, user.display_name, Role(user.role))


def ensure_user(db: Database, user_name: str | None = None, *, role: Role | None = None) -> Actor:
    """The actor for `user_name` (default: the OS login), created on first use.

    The first user of an empty database becomes ADMIN; later ones start as KEEPER."""
    name = (user_name or _os_user()).strip().lower()[:40] or "user"

    def op(s: Session) -> Actor:
        user = s.scalar(select(User).where(User.user_name == name))
        if user is None:
            first = (s.scalar(select(func.count()).select_from(User)) or 0) == 0
            user = User(
                user_name=name,
                display_name=name,
                role=(role or (Role.ADMIN if first else Role.KEEPER)).value,
                active=True,
            )
            s.add(user)
            s.flush()
        return _actor(user)

    return db.write(op)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "user"
