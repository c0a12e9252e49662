"""The audit trail as a hash chain: each audit_event row carries the hash of the row before it and
its own hash over (that hash + its content), so an edited, deleted or inserted-between row breaks the
chain at a row `storeroom audit verify` can name.

Appends are serialised: on PostgreSQL by a transaction-level advisory lock taken just before the
rows are written (at commit, so it is held only for the INSERT and the commit), on SQLite by the
write lock every writer already holds. A unique index on prev_hash makes a fork impossible even if
some writer skipped the lock.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, insert, select, text
from sqlalchemy.orm import Session

from desktop.models import AuditEvent
from desktop.services.common import as_utc, connection_of

GENESIS = "0" * 64  # the prev_hash of the first row
_APPEND_LOCK = 7_368_041_001  # pg_advisory_xact_lock key: one audit appender at a time


@dataclass(frozen=True)
class Entry:
    """An audit line waiting for its place in the chain (added at commit)."""

    user_id: int | None
    action: str
    entity: str
    entity_id: int | None
    summary: str


def row_hash(
    prev_hash: str,
    at: datetime,
    user_id: int | None,
    action: str,
    entity: str,
    entity_id: int | None,
    summary: str,
) -> str:
    """SHA-256 over the previous hash and the row's content, in one unambiguous JSON encoding."""
    stamp = as_utc(at).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    content = json.dumps(
        [prev_hash, stamp, user_id, action, entity, entity_id, summary],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(content.encode()).hexdigest()


def last_hash(conn: Connection) -> str:
    found = conn.execute(select(AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1)).scalar()
    return found or GENESIS


def append(s: Session | Connection, entries: Sequence[Entry]) -> None:
    """Write `entries` at the end of the chain, inside the caller's transaction."""
    conn = connection_of(s)
    if conn.dialect.name == "postgresql":
        # Held to the end of the transaction: the next appender reads this row's hash only once it is
        # committed, so the chain cannot fork under concurrent writers.
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _APPEND_LOCK})
    prev = last_hash(conn)
    at = conn.execute(select(func.now())).scalar_one()  # server time, as every stamp in the app
    rows = []
    for e in entries:
        summary = e.summary[:400]
        digest = row_hash(prev, at, e.user_id, e.action, e.entity, e.entity_id, summary)
        rows.append(
            {
                "at": at,
                "user_id": e.user_id,
                "action": e.action,
                "entity": e.entity,
                "entity_id": e.entity_id,
                "summary": summary,
                "prev_hash": prev,
                "row_hash": digest,
            }
        )
        prev = digest
    for row in rows:  # one by one: ids follow the chain's order
        conn.execute(insert(AuditEvent), row)


@dataclass(frozen=True)
class Break:
    row_id: int
    problem: str


@dataclass(frozen=True)
class ChainReport:
    rows: int
    first_break: Break | None
    last_hash: str = GENESIS  # the head of an intact chain: noted down, it also shows rows cut off the end

    @property
    def intact(self) -> bool:
        return self.first_break is None


def _rows(conn: Connection) -> Iterator[AuditEvent]:
    stmt = select(
        AuditEvent.id,
        AuditEvent.at,
        AuditEvent.user_id,
        AuditEvent.action,
        AuditEvent.entity,
        AuditEvent.entity_id,
        AuditEvent.summary,
        AuditEvent.prev_hash,
        AuditEvent.row_hash,
    ).order_by(AuditEvent.id)
    yield from conn.execution_options(yield_per=2000).execute(stmt)  # type: ignore[misc]


def verify_chain(conn: Connection) -> ChainReport:
    """Walk the chain in id order; the first row whose content or link does not match is reported."""
    prev = GENESIS
    count = 0
    for row in _rows(conn):
        count += 1
        if row.prev_hash != prev:
            problem = (
                "the chain does not start here: rows before it were deleted"
                if prev == GENESIS
                else "the row before it was deleted, changed or inserted afterwards"
            )
            return ChainReport(count, Break(row.id, problem))
        expected = row_hash(
            row.prev_hash, row.at, row.user_id, row.action, row.entity, row.entity_id, row.summary
        )
        if expected != row.row_hash:
            return ChainReport(count, Break(row.id, "its content was changed after it was written"))
        prev = row.row_hash
    return ChainReport(count, None, prev)
