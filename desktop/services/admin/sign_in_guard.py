"""Wrong-PIN back-off and lock-out, per account name and per PC.

A few wrong PINs are free (typing slips); after that each further try must wait 2, 4, 8 ... s (at most
5 min), and at the limit (access settings: 5 for an account, 20 for a PC) the account or the PC is
locked until an administrator unlocks it. A try during the wait is refused without checking the PIN,
so it cannot be used to guess. Names that match no account are counted too: the messages never tell
whether an account exists. Times are the database server's, so every PC counts alike.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from desktop.models import SignInGuard
from desktop.services.common import as_utc, upsert_insert

USER, PC = "user", "pc"
FREE = {USER: 2, PC: 5}  # failures in a row before the waits start
MAX_WAIT_S = 300


@dataclass(frozen=True)
class Blocked:
    """Why a sign-in is refused before its PIN is looked at."""

    scope: str
    key: str
    failures: int
    wait_s: int  # 0 when locked

    def message(self) -> str:
        where = f"The account '{self.key}'" if self.scope == USER else f"Sign-in on this PC ({self.key})"
        if self.wait_s:
            return f"Too many wrong PINs: wait {self.wait_s} s before trying again."
        if self.scope == USER:
            return (
                f"{where} is locked after {self.failures} wrong PINs; an administrator can unlock it "
                "(Users > Unlock, or 'storeroom users unlock NAME')."
            )
        return (
            f"{where} is locked after {self.failures} failed sign-ins; an administrator can unlock it "
            f"from another PC (Users > Unlock) or with 'storeroom users unlock --pc {self.key}'."
        )


def this_pc() -> str:
    return (socket.gethostname() or "unknown")[:80]


def db_now(s: Session) -> datetime:
    """The server's clock now (not the transaction's start, which may be before a wait for the lock)."""
    clock = func.clock_timestamp() if s.get_bind().dialect.name == "postgresql" else func.now()
    return as_utc(s.execute(select(clock)).scalar_one())


def wait_seconds(scope: str, failures: int) -> int:
    over = failures - FREE[scope]
    return 0 if over <= 0 else min(2**over, MAX_WAIT_S)


def hold(s: Session, keys: dict[str, str]) -> None:
    """Lock the guard rows of one try (making them if new), in a fixed order: concurrent tries on the
    same account or PC then take turns, so a burst of parallel guesses waits like a series would."""
    conn = s.connection()
    for scope, key in sorted(keys.items()):
        conn.execute(_touch(conn.dialect.name), {"scope": scope, "key": key, "failures": 0})


def blocked(s: Session, keys: dict[str, str], now: datetime) -> Blocked | None:
    """The first lock or unfinished wait among the guards of `keys` (scope -> key), if any."""
    for scope, key in keys.items():
        row = s.get(SignInGuard, (scope, key), populate_existing=True)
        if row is None or row.failures == 0:
            continue
        if row.locked_at is not None:
            return Blocked(scope, key, row.failures, 0)
        wait = wait_seconds(scope, row.failures)
        if wait and row.last_failure_at is not None:
            left = as_utc(row.last_failure_at) + timedelta(seconds=wait) - now
            if left.total_seconds() > 0:
                return Blocked(scope, key, row.failures, max(1, int(left.total_seconds() + 0.999)))
    return None


def _insert(dialect: str) -> Any:
    return upsert_insert(dialect)(SignInGuard)


@cache
def _upsert(dialect: str) -> Any:
    stmt = _insert(dialect)
    return stmt.on_conflict_do_update(
        index_elements=[SignInGuard.scope, SignInGuard.key],
        set_={"failures": SignInGuard.failures + 1, "last_failure_at": stmt.excluded.last_failure_at},
    ).returning(SignInGuard.failures, SignInGuard.locked_at)


@cache
def _touch(dialect: str) -> Any:
    stmt = _insert(dialect)
    # DO UPDATE (not DO NOTHING): it takes the row lock on PostgreSQL
    return stmt.on_conflict_do_update(
        index_elements=[SignInGuard.scope, SignInGuard.key], set_={"failures": SignInGuard.failures}
    )


def note_failure(s: Session, scope: str, key: str, limit: int, now: datetime) -> int | None:
    """Count one failure (atomically: concurrent tries each count); returns the count if this one
    locked the guard, else None."""
    conn = s.connection()
    values = {"scope": scope, "key": key, "failures": 1, "last_failure_at": now}
    failures, locked_at = conn.execute(_upsert(conn.dialect.name), values).one()
    if failures >= limit and locked_at is None:
        s.execute(
            update(SignInGuard)
            .where(SignInGuard.scope == scope, SignInGuard.key == key)
            .values(locked_at=now)
            .execution_options(synchronize_session=False)
        )
        return int(failures)
    return None


def clear(s: Session, scope: str, key: str) -> bool:
    """Forget the failures of one guard (a good sign-in, or an administrator's unlock)."""
    done = s.execute(
        delete(SignInGuard)
        .where(SignInGuard.scope == scope, SignInGuard.key == key)
        .execution_options(synchronize_session=False)
    )
    return bool(done.rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Lock:
    scope: str
    key: str
    failures: int
    locked_at: datetime


def locks(s: Session) -> list[Lock]:
    rows = s.scalars(
        select(SignInGuard).where(SignInGuard.locked_at.is_not(None)).order_by(SignInGuard.locked_at)
    )
    return [Lock(r.scope, r.key, r.failures, as_utc(r.locked_at)) for r in rows if r.locked_at]
