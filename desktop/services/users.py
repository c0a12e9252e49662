"""User accounts: sign-in by name + PIN/password or by badge, and administration by admins.

A new database has no accounts; the first one made is the administrator (the app asks for it at first
start; scripts on a fresh database act as the operating-system login until an account has a PIN).
"""

from __future__ import annotations

import getpass
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from desktop.codes import is_safe
from desktop.db import Database
from desktop.errors import Conflict, NotFound, PermissionDenied, UserError
from desktop.models import User
from desktop.models.enums import Role
from desktop.services.actor import Actor, Permission
from desktop.services.audit import record
from desktop.services.common import clean_text
from desktop.services.secrets import MIN_LENGTH, hash_secret, verify_secret

BADGE_PREFIX = "U-"
_WRONG = "Wrong user name or PIN."  # the same for an unknown name: no hint which part was wrong


@dataclass(frozen=True)
class UserDTO:
    id: int
    user_name: str
    display_name: str
    role: Role
    active: bool
    has_secret: bool
    badge_code: str | None


def _actor(user: User) -> Actor:
    return Actor(user.id, user.user_name, user.display_name, Role(user.role))


def _dto(user: User) -> UserDTO:
    return UserDTO(
        user.id,
        user.user_name,
        user.display_name,
        Role(user.role),
        user.active,
        bool(user.secret_hash),
        user.badge_code,
    )


def normalize_name(user_name: str) -> str:
    name = user_name.strip().lower()
    if not name or len(name) > 40 or any(ch.isspace() or not ch.isprintable() for ch in name):
        raise UserError("A user name is 1 to 40 characters without spaces.", field="user_name")
    return name


def _check_secret(secret: str) -> str:
    if len(secret) < MIN_LENGTH:
        raise UserError(f"A PIN or password has at least {MIN_LENGTH} characters.", field="secret")
    return hash_secret(secret)


def normalize_badge(code: str | None) -> str | None:
    if code is None or not code.strip():
        return None
    badge = code.strip().upper()
    if not badge.startswith(BADGE_PREFIX):
        badge = BADGE_PREFIX + badge
    if not is_safe(badge) or len(badge) > 40:
        raise UserError("A badge code uses only A-Z, 0-9 and '-'.", field="badge_code")
    return badge


def new_badge_code() -> str:
    return BADGE_PREFIX + secrets.token_hex(5).upper()


# --- bootstrap ------------------------------------------------------------------------------------------


def needs_first_admin(db: Database) -> bool:
    """True until some account can sign in (has a PIN): the app then asks for the administrator."""
    return db.read(lambda s: s.scalar(select(User.id).where(User.secret_hash.is_not(None)).limit(1)) is None)


def create_first_admin(db: Database, user_name: str, display_name: str, secret: str) -> Actor:
    name = normalize_name(user_name)
    hashed = _check_secret(secret)
    display = clean_text(display_name, field="display_name", label="Name", max_len=80) or name

    def op(s: Session) -> Actor:
        if s.scalar(select(User.id).where(User.secret_hash.is_not(None)).limit(1)) is not None:
            raise Conflict("An administrator already exists: sign in instead.")
        user = s.scalar(select(User).where(User.user_name == name)) or User(user_name=name)
        user.display_name, user.role, user.secret_hash, user.active = display, Role.ADMIN.value, hashed, True
        s.add(user)
        s.flush()
        record(s, user.id, "user.create_admin", "app_user", user.id, f"first administrator {name}")
        return _actor(user)

    return db.write(op)


def ensure_user(db: Database, user_name: str | None = None, *, role: Role | None = None) -> Actor:
    """The actor for `user_name` (default: the OS login), created on first use, without a PIN.

    For scripts on a fresh database, the demo generator and tests. The first user becomes ADMIN."""
    name = normalize_name(user_name or os_user())

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


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "user"


# --- signing in -----------------------------------------------------------------------------------------


def script_actor(db: Database, user_name: str | None, secret: str | None) -> Actor:
    """Who a script (CLI, kiosk start-up, benchmark) acts as.

    With a PIN: that account, checked. Without one, only while no account has a PIN yet (a fresh or
    script-built database, where whoever holds the file is trusted, as at first start): the OS login."""
    if secret:
        if not user_name:
            raise UserError("Give --user together with the PIN.")
        return authenticate(db, user_name, secret)
    if needs_first_admin(db):
        return ensure_user(db, user_name)
    raise PermissionDenied(
        "This database has accounts with PINs: give --user NAME and put the PIN in the "
        "STOREROOM_PIN environment variable."
    )


def authenticate(db: Database, user_name: str, secret: str) -> Actor:
    name = user_name.strip().lower()

    def op(s: Session) -> Actor:
        user = s.scalar(select(User).where(User.user_name == name))
        if user is None or not verify_secret(secret, user.secret_hash):
            record(
                s,
                user.id if user else None,
                "user.sign_in_failed",
                "app_user",
                user.id if user else None,
                f"failed sign-in as '{name[:40]}'",
            )
            raise _Refused(_WRONG)
        if not user.active:
            raise _Refused(f"{user.display_name}'s account is disabled. Ask an administrator.")
        record(s, user.id, "user.sign_in", "app_user", user.id, f"{name} signed in")
        return _actor(user)

    return _commit_refusal(db, op)


def authenticate_badge(db: Database, code: str) -> Actor:
    badge = code.strip().upper()

    def op(s: Session) -> Actor:
        user = s.scalar(select(User).where(User.badge_code == badge)) if badge else None
        if user is None:
            record(s, None, "user.sign_in_failed", "app_user", None, f"unknown badge {badge[:40]}")
            raise _Refused(f"Badge {badge} is not registered. Ask an administrator.")
        if not user.active:
            raise _Refused(f"{user.display_name}'s account is disabled. Ask an administrator.")
        record(s, user.id, "user.sign_in", "app_user", user.id, f"{user.user_name} signed in by badge")
        return _actor(user)

    return _commit_refusal(db, op)


class _Refused(UserError):
    """A refusal whose audit line must still be saved."""


def _commit_refusal(db: Database, op: Callable[[Session], Actor]) -> Actor:
    """Run a sign-in; a refusal still commits its audit line, then is raised as a plain UserError."""
    refusal: list[_Refused] = []

    def wrapped(s: Session) -> Actor | None:
        try:
            return op(s)
        except _Refused as exc:
            refusal.append(exc)
            return None

    actor = db.write(wrapped)
    if refusal:
        raise PermissionDenied(refusal[0].message)
    assert actor is not None
    return actor


def sign_out(db: Database, actor: Actor, *, idle: bool = False) -> None:
    db.write(
        lambda s: record(
            s,
            actor.user_id,
            "user.sign_out",
            "app_user",
            actor.user_id,
            f"{actor.user_name} signed out" + (" (idle)" if idle else ""),
        )
    )


# --- administration -------------------------------------------------------------------------------------


def list_users(db: Database, actor: Actor) -> list[UserDTO]:
    actor.require(Permission.ADMIN)
    return db.read(lambda s: [_dto(u) for u in s.scalars(select(User).order_by(User.user_name))])


def save_user(
    db: Database,
    actor: Actor,
    *,
    user_id: int | None,
    user_name: str,
    display_name: str,
    role: Role,
    secret: str | None = None,
    badge_code: str | None = None,
    active: bool = True,
) -> UserDTO:
    """Create (user_id None) or change an account. An empty `secret` keeps the current one."""
    actor.require(Permission.ADMIN)
    name = normalize_name(user_name)
    display = clean_text(display_name, field="display_name", label="Name", max_len=80) or name
    hashed = _check_secret(secret) if secret else None
    badge = normalize_badge(badge_code)

    def op(s: Session) -> UserDTO:
        user = User(user_name=name) if user_id is None else s.get(User, user_id)
        if user is None:
            raise NotFound(f"User #{user_id} no longer exists.")
        if user_id is None and hashed is None:
            raise UserError("Give the new user a PIN or password.", field="secret")
        if user.id == actor.user_id and (role is not Role.ADMIN or not active):
            raise PermissionDenied("You cannot remove your own administrator rights or disable yourself.")
        clash = s.scalar(select(User.id).where(User.user_name == name))
        if clash is not None and clash != user.id:
            raise Conflict(f"User name {name} is taken.", field="user_name")
        if badge is not None:
            owner = s.scalar(select(User.user_name).where(User.badge_code == badge, User.id != user.id))
            if owner is not None:
                raise Conflict(f"Badge {badge} already belongs to {owner}.", field="badge_code")
        before = _dto(user) if user.id is not None else None
        user.user_name, user.display_name, user.role, user.active = name, display, role.value, active
        user.badge_code = badge
        if hashed is not None:
            user.secret_hash = hashed
        s.add(user)
        try:
            s.flush()
        except IntegrityError as exc:
            raise Conflict(f"User name {name} is taken.", field="user_name") from exc
        changes = (
            []
            if before is None
            else [
                f"{label} {old} -> {new}"
                for label, old, new in (
                    ("role", before.role.value, role.value),
                    ("active", before.active, active),
                    ("badge", before.badge_code, badge),
                )
                if old != new
            ]
        )
        if hashed is not None and before is not None:
            changes.append("PIN changed")
        summary = (
            f"created {name} as {role.value}"
            if before is None
            else f"{name}: " + (", ".join(changes) or "edited")
        )
        record(
            s, actor.user_id, "user.create" if before is None else "user.update", "app_user", user.id, summary
        )
        return _dto(user)

    return db.write(op)
