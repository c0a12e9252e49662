"""How much of a part usually moves at once: the yardstick for "that quantity looks wrong".

A keeper who types 2500 where 25 was meant (or whose scanner typed a barcode into Quantity) should be
asked once more. "Usual" is the larger of the part's maximum stock level and its largest single move in
the last year; a part with neither has no yardstick and is not questioned.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.models import Part, StockMove

UNUSUAL_FACTOR = 10  # more than ten times the usual asks for a second Enter
_YEAR = timedelta(days=365)


def usual_quantity(db: Database, part_id: int) -> Decimal | None:
    def op(s: Session) -> Decimal | None:
        since = datetime.now() - _YEAR
        largest = s.scalar(
            select(func.max(func.abs(StockMove.qty))).where(
                StockMove.part_id == part_id, StockMove.at >= since
            )
        )
        max_qty = s.scalar(select(Part.max_qty).where(Part.id == part_id))
        known = [Decimal(v) for v in (largest, max_qty) if v is not None and Decimal(v) > 0]
        return max(known) if known else None

    return db.read(op)


def is_unusual(qty: Decimal, usual: Decimal | None) -> bool:
    return usual is not None and abs(qty) > usual * UNUSUAL_FACTOR
