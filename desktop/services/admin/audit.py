"""The audit trail: master-data and account changes (audit_event) plus the stock ledger, as one view."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from desktop.db import Database
from desktop.models import AuditEvent, Location, Part, StockMove, User
from desktop.quantities import format_qty
from desktop.services.actor import Actor, Permission
from desktop.services.admin.audit_chain import ChainReport, Entry, append, verify_chain
from desktop.services.common import as_utc
from desktop.services.io.tabular import write_csv

_PENDING = "storeroom.audit_pending"


def record(
    s: Session, user_id: int | None, action: str, entity: str, entity_id: int | None, summary: str
) -> None:
    """Add an audit line to the caller's transaction (so it exists exactly when the change does).

    The line joins the hash chain when the transaction commits: the chain's lock is then held only for
    the append and the commit, not for the rest of a long import or approval."""
    s.info.setdefault(_PENDING, []).append(Entry(user_id, action, entity, entity_id, summary))


@sa_event.listens_for(Session, "before_commit")
def _append_pending(s: Session) -> None:
    if s.in_nested_transaction():  # a savepoint: the lines go in with the outer transaction
        return
    entries = s.info.pop(_PENDING, None)
    if entries:
        s.flush()  # a user created in this transaction exists before a line names it
        append(s, entries)


@sa_event.listens_for(Session, "after_rollback")
def _drop_pending(s: Session) -> None:
    if not s.in_nested_transaction():
        s.info.pop(_PENDING, None)


def verify(db: Database, actor: Actor) -> ChainReport:
    """Check the whole audit chain in one snapshot (one statement)."""
    actor.require(Permission.VIEW_AUDIT)
    return db.read(lambda s: verify_chain(s.connection()))


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    user_name: str
    action: str
    entity: str
    entity_id: int | None
    summary: str


def audit_trail(
    db: Database,
    actor: Actor,
    *,
    user_name: str | None = None,
    text: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    include_stock: bool = True,
    limit: int = 2000,
) -> list[AuditRow]:
    """Newest first, filtered by user, free text, and time window."""
    actor.require(Permission.VIEW_AUDIT)
    needle = (text or "").strip().lower()

    def op(s: Session) -> list[AuditRow]:
        rows: list[AuditRow] = []
        events = select(AuditEvent, User.user_name).outerjoin(User, User.id == AuditEvent.user_id)
        moves = None
        if include_stock:
            src, dst = aliased(Location), aliased(Location)
            moves = (
                select(StockMove, User.user_name, Part.part_number, Part.unit, src.code, dst.code)
                .join(User, User.id == StockMove.user_id)
                .join(Part, Part.id == StockMove.part_id)
                .outerjoin(src, src.id == StockMove.from_location_id)
                .outerjoin(dst, dst.id == StockMove.to_location_id)
            )
        if user_name:
            events = events.where(User.user_name == user_name.strip().lower())
            if moves is not None:
                moves = moves.where(User.user_name == user_name.strip().lower())
        if since is not None:
            events = events.where(AuditEvent.at >= since)
            if moves is not None:
                moves = moves.where(StockMove.at >= since)
        if until is not None:
            events = events.where(AuditEvent.at < until)
            if moves is not None:
                moves = moves.where(StockMove.at < until)
        for event, name in s.execute(
            events.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
        ):
            rows.append(
                AuditRow(
                    as_utc(event.at),
                    name or "(unknown)",
                    event.action,
                    event.entity,
                    event.entity_id,
                    event.summary,
                )
            )
        if moves is not None:
            for move, name, number, unit, src_code, dst_code in s.execute(
                moves.order_by(StockMove.at.desc(), StockMove.id.desc()).limit(limit)
            ):
                where = " ".join(
                    x
                    for x in (f"from {src_code}" if src_code else "", f"to {dst_code}" if dst_code else "")
                    if x
                )
                summary = f"{move.kind.lower()} {format_qty(move.qty)} {unit} of {number} {where}".strip()
                if move.reference:
                    summary += f" [{move.reference}]"
                if move.reason:
                    summary += f" — {move.reason}"
                rows.append(
                    AuditRow(
                        as_utc(move.at), name, f"stock.{move.kind.lower()}", "stock_move", move.id, summary
                    )
                )
        rows.sort(key=lambda r: r.at, reverse=True)
        if needle:
            rows = [r for r in rows if needle in f"{r.user_name} {r.action} {r.summary}".lower()]
        return rows[:limit]

    return db.read(op)


def export_csv(rows: list[AuditRow], path: Path) -> None:
    """Write the rows as CSV through the one CSV writer: UTF-8 with BOM, atomic, no live formulas (a
    summary quoting a reference such as `=HYPERLINK(...)` must not run in a spreadsheet)."""
    write_csv(
        path,
        ["when (UTC)", "user", "action", "entity", "id", "summary"],
        [
            (r.at.strftime("%Y-%m-%d %H:%M:%S"), r.user_name, r.action, r.entity, r.entity_id, r.summary)
            for r in rows
        ],
    )
