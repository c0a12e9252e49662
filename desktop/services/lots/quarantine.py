"""Moving expired stock out of the way: every lot past its expiry (and not released by a supervisor) is
transferred from the bins that hold it to a quarantine location, where it cannot be issued, in one
transaction. Run by hand (`storeroom lots quarantine-expired --to Q-01`) or by the plant's scheduler."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import NotFound, UserError
from desktop.models import Location, Lot, LotBalance
from desktop.models.enums import LocationType, MoveKind
from desktop.services.actor import Actor, Permission
from desktop.services.stock.moves import MoveRequest, PostResult, post_in


def quarantine_expired(
    db: Database, actor: Actor, to_location_id: int, *, today: date | None = None
) -> list[PostResult]:
    """Transfer every expired lot's stock outside quarantine into `to_location_id` (a quarantine bin)."""
    actor.require(Permission.MOVE_STOCK)
    when = today or date.today()

    def op(s: Session) -> list[PostResult]:
        target = s.get(Location, to_location_id)
        if target is None:
            raise NotFound(f"Location #{to_location_id} does not exist.", field="to_location")
        if target.type != LocationType.QUARANTINE.value:
            raise UserError(
                f"{target.code} is not a quarantine location: expired stock goes where it cannot be issued.",
                field="to_location",
            )
        held = s.execute(
            select(LotBalance.part_id, LotBalance.location_id, LotBalance.lot_id, LotBalance.qty)
            .join(Lot, Lot.id == LotBalance.lot_id)
            .join(Location, Location.id == LotBalance.location_id)
            .where(
                Lot.expires_on < when,
                Lot.released_at.is_(None),
                LotBalance.qty > 0,
                Location.type != LocationType.QUARANTINE.value,
            )
            .order_by(LotBalance.location_id, LotBalance.part_id, LotBalance.lot_id)
        ).all()
        return [
            post_in(
                s,
                actor,
                MoveRequest(MoveKind.TRANSFER, part, qty, loc, to_location_id, reason="expired", lot_id=lot),
            )
            for part, loc, lot, qty in held
        ]

    return db.write(op)
