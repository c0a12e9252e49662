"""Which lot an issue takes: the one named, else the one the service proposes — first expired first out,
then first in first out (the lot received first) — out of the bin's lots that still hold stock. Expired
stock is never issued unless a supervisor has released its lot. Called by the storeroom's one Issue rule
(desktop.services.stock.issue) under its lock on the part, so the proposal and the issue see the same
stock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Date, bindparam, func, or_, select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import Conflict, InsufficientStock, UserError
from desktop.models import Location, Lot, LotBalance, Part
from desktop.models.enums import Tracking
from desktop.quantities import format_qty
from desktop.services.actor import Actor, Permission
from desktop.services.admin.audit import record
from desktop.services.common import clean_text
from desktop.services.lots.ledger import what_is_tracked
from desktop.services.lots.records import LotDTO, get_lot, lot_dto, lot_query


@dataclass(frozen=True)
class LotStock:
    lot: LotDTO
    location_id: int
    location_code: str
    qty: Decimal
    expired: bool


# first expired first out (lots without an expiry last), then first in first out
_FEFO = (Lot.expires_on.is_(None), Lot.expires_on, Lot.created_at, Lot.id)


# built once (every issue of a tracked part runs it): the bin's first lot that may go out, by FEFO
_FIRST_USABLE = (
    select(LotBalance.lot_id)
    .join(Lot, Lot.id == LotBalance.lot_id)
    .where(
        LotBalance.part_id == bindparam("part"),
        LotBalance.location_id == bindparam("loc"),
        LotBalance.qty > 0,
        or_(
            Lot.expires_on.is_(None),
            Lot.expires_on >= bindparam("today", type_=Date),
            Lot.released_at.is_not(None),
        ),
    )
    .order_by(*_FEFO)
    .limit(1)
)


def lots_in_bin(s: Session, part_id: int, location_id: int | None, today: date) -> list[LotStock]:
    """The bin's lots of the part that hold stock (every bin's: `location_id` None), in the order they
    should go out."""
    stmt = (
        lot_query()
        .add_columns(LotBalance.location_id, Location.code, LotBalance.qty)
        .join(LotBalance, LotBalance.lot_id == Lot.id)
        .join(Location, Location.id == LotBalance.location_id)
        .where(LotBalance.part_id == part_id, LotBalance.qty > 0)
        .order_by(*_FEFO, Location.code)
    )
    if location_id is not None:
        stmt = stmt.where(LotBalance.location_id == location_id)
    out = []
    for r in s.execute(stmt):
        lot = lot_dto(r)
        out.append(LotStock(lot, r[10], r[11], Decimal(r[12]), lot.expired(today)))
    return out


def lots_of_part(db: Database, part_id: int, *, today: date | None = None) -> list[LotStock]:
    """Every lot of the part with stock, per bin, first to go out first (the part page's Lots tab)."""
    when = today or date.today()
    return db.read(lambda s: lots_in_bin(s, part_id, None, when))


def propose(db: Database, part_id: int, location_id: int, *, today: date | None = None) -> list[LotStock]:
    """What the Issue dialog shows: the bin's lots, the proposed one first (expired ones last)."""
    when = today or date.today()
    lots = db.read(lambda s: lots_in_bin(s, part_id, location_id, when))
    return [x for x in lots if not x.expired] + [x for x in lots if x.expired]


def lot_for_issue(
    s: Session, part: Part, location_id: int | None, lot_id: int | None, *, short: bool, today: date
) -> int | None:
    """The lot an issue of a tracked part takes (None for an untracked part, which keeps what it was given
    for the ledger to refuse, or a short issue out of a bin holding none). Refuses an expired lot."""
    if part.tracking == Tracking.NONE.value or location_id is None:
        return lot_id
    what = what_is_tracked(part.tracking)
    if lot_id is not None:
        lot = get_lot(s, lot_id)
        if lot.part_id != part.id:
            raise UserError(f"{lot.lot_number} is not a {what} of {part.part_number}.", field="lot")
        if lot.expired(today):
            raise _expired(lot)
        return lot_id
    first = (
        s.connection().execute(_FIRST_USABLE, {"part": part.id, "loc": location_id, "today": today}).scalar()
    )
    if first is not None:
        return int(first)
    lots = lots_in_bin(s, part.id, location_id, today)  # none usable: say why (expired, or none there)
    if lots:
        raise _expired(lots[0].lot)
    if short:
        return None
    code = s.scalar(select(Location.code).where(Location.id == location_id)) or f"#{location_id}"
    raise InsufficientStock(
        f"Only 0 {part.unit} of {part.part_number} left in {code}: no {what} of it is there.",
        available=Decimal(0),
    )


def _expired(lot: LotDTO) -> UserError:
    assert lot.expires_on is not None
    return Conflict(
        f"{what_is_tracked(lot.tracking).capitalize()} {lot.lot_number} of {lot.part_number} expired on "
        f"{lot.expires_on.isoformat()}: it cannot be issued. Move it to quarantine, or ask a supervisor "
        f"to release it (storeroom lots release {lot.code}).",
        field="lot",
    )


def lot_qty_in_bin(s: Session, part_id: int, location_id: int | None, lot_id: int) -> Decimal:
    have = s.scalar(
        select(func.coalesce(func.sum(LotBalance.qty), 0)).where(
            LotBalance.part_id == part_id, LotBalance.location_id == location_id, LotBalance.lot_id == lot_id
        )
    )
    return Decimal(have or 0)


def release(db: Database, actor: Actor, lot_id: int, reason: str) -> LotDTO:
    """A supervisor's decision that an expired lot may still be issued (tested, re-certified)."""
    actor.require(Permission.RELEASE_LOTS)
    why = clean_text(reason, field="reason", label="Reason for the release", max_len=200, required=True)

    def op(s: Session) -> LotDTO:
        lot = s.get(Lot, lot_id)
        if lot is None:
            return get_lot(s, lot_id)  # raises NotFound
        lot.released_by_id = actor.user_id
        lot.released_at = func.now()
        dto = get_lot(s, lot_id)
        record(s, actor.user_id, "lot.release", "lot", lot_id, f"released {dto.label} for issue: {why}")
        return dto

    return db.write(op)


def format_lot_stock(x: LotStock) -> str:
    """'lot A-77 (expires 2027-03-01): 4 EA' for the dialog and the command line."""
    expiry = f" (expires {x.lot.expires_on.isoformat()})" if x.lot.expires_on else ""
    flag = " EXPIRED" if x.expired else ""
    what = what_is_tracked(x.lot.tracking)
    return f"{what} {x.lot.lot_number}{expiry}{flag}: {format_qty(x.qty)} {x.lot.unit}"
