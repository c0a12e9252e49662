"""The ledger read back and corrected: the moves of a part or a location, newest first, and the reversal
of a move (its mirror image posted, the original kept; a receipt's purchase order line follows). Kept
apart from `moves`, which posts.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import Conflict, NotFound
from desktop.models import StockMove
from desktop.models.enums import MoveKind
from desktop.services.actor import Actor, Permission
from desktop.services.common import clean_text
from desktop.services.stock.moves import MoveDTO, MoveRequest, PostResult, _move_dto, _move_query, _post


def history(
    db: Database, *, part_id: int | None = None, location_id: int | None = None, limit: int = 500
) -> list[MoveDTO]:
    """Newest first: every move of a part, of a location, or of a part in a location."""
    stmt = _move_query()
    if part_id is not None:
        stmt = stmt.where(StockMove.part_id == part_id)
    if location_id is not None:
        stmt = stmt.where(
            (StockMove.from_location_id == location_id) | (StockMove.to_location_id == location_id)
        )
    stmt = stmt.order_by(StockMove.at.desc(), StockMove.id.desc()).limit(limit)
    return db.read(lambda s: [_move_dto(r._tuple()) for r in s.execute(stmt)])


def reverse_move(db: Database, actor: Actor, move_id: int, reason: str) -> PostResult:
    """Undo a move by posting its mirror image; the original stays in the ledger."""
    actor.require(Permission.MOVE_STOCK)
    why = clean_text(reason, field="reason", label="Reason for the correction", max_len=200, required=True)

    def op(s: Session) -> PostResult:
        original = s.get(StockMove, move_id)
        if original is None:
            raise NotFound(f"Move #{move_id} does not exist.")
        if original.reverses_move_id is not None:
            raise Conflict(f"Move #{move_id} is itself a correction; post a new move instead.")
        if s.scalar(select(StockMove.id).where(StockMove.reverses_move_id == move_id)) is not None:
            raise Conflict(f"Move #{move_id} has already been reversed.")
        if original.kind == MoveKind.RECEIPT.value:  # a receipt against a purchase order: its line follows
            from desktop.services.purchasing.receiving import unreceive_in  # purchasing builds on stock

            unreceive_in(s, actor, move_id, Decimal(original.qty))
        mirror = MoveRequest(
            MoveKind(original.kind),
            original.part_id,
            Decimal(original.qty),
            original.to_location_id,
            original.from_location_id,
            lot_id=original.lot_id,
        )
        return _post(s, actor, mirror, f"Reversal of #{move_id}: {why}", original.reference, reverses=move_id)

    return db.write(op)
