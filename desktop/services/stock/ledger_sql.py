"""SQL expressions over the ledger shared by planning, ABC and the KPIs.

A reversal keeps its original's kind with the ends swapped, so direction, not kind alone, says whether
a move added or removed stock: an ISSUE out of a bin is consumption, its reversal (into the bin) undoes
it; a RETURN into a bin gives consumption back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func, literal_column
from sqlalchemy.orm import Session

from desktop.models import StockMove
from desktop.models.enums import MoveKind

CONSUMPTION_KINDS = (MoveKind.ISSUE.value, MoveKind.SCRAP.value, MoveKind.RETURN.value)


def consumed_qty() -> Any:
    """Signed consumption of a move whose kind is in CONSUMPTION_KINDS: out of stock +, back in -."""
    return case((StockMove.from_location_id.is_not(None), StockMove.qty), else_=-StockMove.qty)


def net_stock_change() -> Any:
    """What a move did to the plant's total on hand: + into stock, - out of it, 0 for a transfer."""
    return case(
        (StockMove.from_location_id.is_(None), StockMove.qty),
        (StockMove.to_location_id.is_(None), -StockMove.qty),
        else_=0,
    )


def moved_part() -> Any:
    """A move's part, for SELECT DISTINCT over a window of time: `+ 0` keeps SQLite from walking the whole
    ledger in part order (ix_stock_move_part_at_kind) to skip the sort, rather than reading only the window
    from ix_stock_move_at_kind (2.0 -> 0.3 s for a year on the 100,000-part plant); the same on PostgreSQL."""
    return StockMove.part_id + 0


def month_of(s: Session, column: Any) -> Any:
    """'YYYY-MM' of a timestamp (UTC), on either database."""
    # literal text, not bound parameters: PostgreSQL only sees the SELECT and GROUP BY expressions as
    # the same when they are spelled the same
    if s.get_bind().dialect.name == "sqlite":
        return func.strftime(literal_column("'%Y-%m'"), column)
    return func.to_char(func.timezone(literal_column("'UTC'"), column), literal_column("'YYYY-MM'"))
