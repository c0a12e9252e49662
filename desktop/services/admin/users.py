"""User accounts: sign-in by name + PIN/password or by badge, and administration by admins.

A new database has no accounts; the first one made is the administrator (the app asks for it at first
start; scripts on a fresh database act as the operating-system login until an account has a PIN).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from desktop.codes import is_safe
from desktop.db import Database
from desktop.errors import Conflict, DatabaseUnavailable, NotFound, PermissionDenied, UserError
from desktop.models import User
from desktop.models.enums import Role
from desktop.services.actor import Actor, Permission
from desktop.services.admin import sign_in_guard as guard
from desktop.services.admin.access_settings import read_access
from desktop.services.admin.audit import record

# the script's actor without the ORM (storeroom's commands); re-exported, as the app calls them from here
from desktop.services.admin.script_access import normalize_name as normalize_name
from desktop.services.admin.script_access import os_user as os_user
from desktop.services.admin.script_access import script_actor as script_actor
from desktop.services.admin.secrets import MIN_LENGTH, hash_secret, verify_secret
from desktop.services.admin.server_roles import as_owner, owner_of_schema
from desktop.services.common import clean_text

T = TypeVar("T")
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

    first = (
        "Create the first administrator with that login: start Storeroom once with "
        "'storeroom --db postgresql://OWNER@SERVER/DATABASE gui'."
    )
    return _write_accounts(db, op, None, then=first)


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


def authenticate(db: Database, user_name: str, secret: str, *, pc: str | None = None) -> Actor:
    """Sign in by name and PIN, from `pc` (default: this computer's name), under the lock-out rules."""
    name = user_name.strip().lower()[:80]
    keys = {guard.USER: name, guard.PC: pc or guard.this_pc()}
    if not secret:
        raise UserError("Type your PIN or password.", field="secret")  # no try: nothing is counted

    def op(s: Session) -> Actor:
        guard.hold(s, keys)
        now = guard.db_now(s)
        stop = guard.blocked(s, keys, now)
        if stop is not None:
            raise _Refused(stop.message())
        user = s.scalar(select(User).where(User.user_name == name))
        if user is None or not verify_secret(secret, user.secret_hash):
            who = user.id if user else None
            record(s, who, "user.sign_in_failed", "app_user", who, f"failed sign-in as '{name[:40]}'")
            raise _Refused(_WRONG + _failed(s, keys, now, who))
        if not user.active:
            raise _Refused(f"{user.display_name}'s account is disabled. Ask an administrator.")
        for scope, key in keys.items():
            guard.clear(s, scope, key)
        record(s, user.id, "user.sign_in", "app_user", user.id, f"{name} signed in")
        return _actor(user)

    return _commit_refusal(db, op)


def _failed(s: Session, keys: dict[str, str], now: datetime, user_id: int | None) -> str:
    """Count a failed sign-in against each guard; returns what happens next, to add to the message."""
    settings = read_access(s)
    limits = {guard.USER: settings.pin_failures, guard.PC: settings.pc_failures}
    for scope, key in keys.items():
        locked = guard.note_failure(s, scope, key, limits[scope], now)
        if locked is not None:
            lock = guard.Blocked(scope, key, locked, 0)
            what = f"account '{key}'" if scope == guard.USER else f"PC {key}"
            record(
                s,
                user_id,
                f"{scope}.locked",
                "sign_in_guard",
                user_id,
                f"{what} locked after {locked} failures",
            )
            return f" {lock.message()}"
    wait = guard.blocked(s, keys, now)
    return "" if wait is None else f" Wait {wait.wait_s} s before the next try."


def authenticate_badge(db: Database, code: str, *, pc: str | None = None) -> Actor:
    badge = code.strip().upper()
    where = {guard.PC: pc or guard.this_pc()}

    def op(s: Session) -> Actor:
        guard.hold(s, where)
        now = guard.db_now(s)
        stop = guard.blocked(s, where, now)
        if stop is not None:
            raise _Refused(stop.message())
        user = s.scalar(select(User).where(User.badge_code == badge)) if badge else None
        if user is None:
            record(s, None, "user.sign_in_failed", "app_user", None, f"unknown badge {badge[:40]}")
            then = _failed(s, where, now, None)
            raise _Refused(f"Badge {badge[:40]} is not registered. Ask an administrator.{then}")
        stop = guard.blocked(s, {guard.USER: user.user_name}, now)
        if stop is not None and stop.wait_s == 0:  # a locked account stays locked for its badge too
            raise _Refused(stop.message())
        if not user.active:
            raise _Refused(f"{user.display_name}'s account is disabled. Ask an administrator.")
        guard.clear(s, guard.PC, where[guard.PC])
        record(s, user.id, "user.sign_in", "app_user", user.id, f"{user.user_name} signed in by badge")
        return _actor(user)

    return _commit_refusal(db, op)


class OwnerRequired(PermissionDenied):
    """On a shared server accounts are written with the schema owner's login (see server_roles)."""

    def __init__(self, owner: str, then: str | None = None) -> None:
        super().__init__(
            f"On this shared server only the database owner's login ({owner}) may change accounts "
            "(so nobody can make themselves an administrator with the clients' login). "
            + (then or f"Enter the password of {owner} to save.")
        )
        self.owner = owner


def _write_accounts(
    db: Database, op: Callable[[Session], T], owner_password: str | None, *, then: str | None = None
) -> T:
    if owner_password is not None and not db.is_sqlite:
        with as_owner(db, owner_password) as owner_db:
            return owner_db.write(op)
    try:
        return db.write(op)
    except DatabaseUnavailable as exc:
        cause = exc.__cause__
        if isinstance(cause, DBAPIError) and getattr(cause.orig, "sqlstate", None) == "42501":
            raise OwnerRequired(owner_of_schema(db), then) from exc
        raise


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
    owner_password: str | None = None,
) -> UserDTO:
    """Create (user_id None) or change an account. An empty `secret` keeps the current one.

    On PostgreSQL the runtime role may not write accounts: OwnerRequired asks for the schema owner's
    password, and the change is made again with `owner_password` over the owner's login."""
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

    return _write_accounts(db, op, owner_password)


# --- lock-outs ------------------------------------------------------------------------------------------


def locked_out(db: Database, actor: Actor) -> list[guard.Lock]:
    """Accounts and PCs locked by wrong PINs, oldest first."""
    actor.require(Permission.ADMIN)
    return db.read(guard.locks)


def unlock(db: Database, actor: Actor, *, user_name: str | None = None, pc: str | None = None) -> None:
    """Forget an account's (or a PC's) wrong PINs, so it may sign in again; audited."""
    actor.require(Permission.ADMIN)
    if (user_name is None) == (pc is None):
        raise UserError("Unlock either an account or a PC.")
    scope, key = (
        (guard.USER, user_name.strip().lower()) if user_name is not None else (guard.PC, str(pc).strip())
    )
    what = f"account '{key}'" if scope == guard.USER else f"PC {key}"

    def op(s: Session) -> None:
        if not guard.clear(s, scope, key):
            raise NotFound(f"The {what} has no wrong PINs on record: nothing to unlock.")
        target = s.scalar(select(User.id).where(User.user_name == key)) if scope == guard.USER else None
        record(
            s, actor.user_id, f"{scope}.unlock", "sign_in_guard", target, f"{actor.user_name} unlocked {what}"
        )

    db.write(op)
