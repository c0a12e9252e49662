"""Checking the ledger's invariant: every balance equals the sum of its moves (and, for a tracked part,
each lot its moves and each bin its lots); with repair, a drifting balance is brought to its ledger total
without undoing a move posted meanwhile. Kept apart from `moves`, which posts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import literal, select, union_all
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.models import StockBalance, StockMove
from desktop.services.actor import Actor, Permission
from desktop.services.lots.ledger import lot_drifts, sums_that_differ
from desktop.services.stock.moves import _put

# --- checking the invariant -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drift:
    part_id: int
    location_id: int
    balance: Decimal
    ledger: Decimal
    lot_id: int | None = None  # a lot's balance in the bin against the lot's moves
    lots_sum: bool = False  # a tracked part's bin balance (`balance`) against the sum of its lots (`ledger`)

    def describe(self) -> str:
        where = f"part #{self.part_id} at location #{self.location_id}"
        if self.lots_sum:
            return f"{where}: balance {self.balance}, its lots add up to {self.ledger}"
        lot = f" lot #{self.lot_id}" if self.lot_id is not None else ""
        return f"{where}{lot}: balance {self.balance}, ledger {self.ledger}"


def _drift_query() -> Any:
    """Every (part, location) whose balance differs from the sum of its moves, in ONE statement: one
    statement reads one snapshot, so a move committed while it runs is either wholly in (ledger and
    balance) or wholly out. Reading the ledger and the balances in separate statements, as this did,
    saw a receipt in one and not the other under load and reported drifts that were not there."""
    zero = literal(0, StockBalance.qty.type)
    flows = union_all(
        select(
            StockMove.part_id, StockMove.to_location_id.label("loc"), zero.label("bal"), StockMove.qty
        ).where(StockMove.to_location_id.is_not(None)),
        select(StockMove.part_id, StockMove.from_location_id, zero, -StockMove.qty).where(
            StockMove.from_location_id.is_not(None)
        ),
        select(StockBalance.part_id, StockBalance.location_id, StockBalance.qty, zero),
    ).subquery()
    return sums_that_differ(flows, ("part_id", "loc"), "bal", "qty")


_DRIFTS = _drift_query()


def check_balances(db: Database, actor: Actor, *, repair: bool = False) -> list[Drift]:
    """Compare every balance with the sum of its moves; with `repair`, bring each drifting balance to
    its ledger total.

    A repair must never undo a move posted while it runs. On PostgreSQL it first locks the balances
    (EXCLUSIVE: plain reads go on, every posting waits). Every posting changes its balance rows before
    it inserts its move (`_post`, `post_many_in`), so once the lock is granted no move is half-written
    and none can start; the drifts read next cannot change before they are fixed, and each fix adds the
    difference rather than writing a total read earlier. The ledger itself is not locked: a runtime
    role with INSERT-only rights on it may not take that lock. On SQLite the write transaction (BEGIN
    IMMEDIATE) already holds the file's only write lock."""
    actor.require(Permission.ADMIN if repair else Permission.VIEW)

    def op(s: Session) -> list[Drift]:
        conn = s.connection()
        if repair and conn.dialect.name == "postgresql":
            conn.exec_driver_sql("LOCK TABLE stock_balance IN EXCLUSIVE MODE")
        drifts = [Drift(p, loc, Decimal(b), Decimal(led)) for p, loc, b, led in conn.execute(_DRIFTS)]
        if repair:
            for d in drifts:
                _put(s, d.part_id, d.location_id, d.ledger - d.balance)
        # tracked parts: each lot against its moves, and each bin against its lots (lots.ledger)
        lots = [
            Drift(d.part_id, d.location_id, d.balance, d.ledger, d.lot_id, d.lot_id is None)
            for d in lot_drifts(conn, repair=repair)
        ]
        return drifts + lots

    return db.write(op) if repair else db.read(op)
