"""Reservations for work orders (available = on hand - reserved) and issues to an asset through the
stock ledger.

Issues go through the storeroom's one Issue rule (`stock.issue`), which settles reservations; this
module owns making and releasing them. Concurrency: reserving first locks the part's row, as every issue
does (`stock.issue.lock_part`; SQLite's BEGIN IMMEDIATE already serialises writers), so two technicians
reserving the last unit queue on the lock and the second one sees the first's reservation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import Conflict, InsufficientStock, NotFound, UserError
from desktop.models import (
    Asset,
    AssetMove,
    Reservation,
    StockMove,
)
from desktop.models.enums import MoveKind, ReservationStatus
from desktop.quantities import format_qty
from desktop.services.actor import Actor, Permission
from desktop.services.catalogue.units import check_qty_for_unit
from desktop.services.common import clean_text
from desktop.services.lots.records import one_lot
from desktop.services.stock.issue import (
    IssueResult,
    ReservationDTO,
    issue_in,
    lock_part,
    reservation_dto,
    reserved_by_part,
    settle,
    still_reserved,
)
from desktop.services.stock.moves import MoveRequest, on_hand, post_in


@dataclass(frozen=True)
class ReservationInput:
    part_id: int
    qty: Decimal
    work_order: str
    asset_id: int | None = None
    needed_by: date | None = None


def _available(s: Session, part_id: int) -> Decimal:
    return on_hand(s, part_id) - reserved_by_part(s, [part_id]).get(part_id, Decimal(0))


def reserve(db: Database, actor: Actor, data: ReservationInput) -> ReservationDTO:
    """Hold `qty` of a part for a work order; refused with "only N available" when others hold it."""
    actor.require(Permission.RESERVE)
    work_order = clean_text(
        data.work_order, field="work_order", label="Work order", max_len=60, required=True
    )
    if data.qty <= 0:
        raise UserError("The quantity must be more than zero.", field="qty")

    def op(s: Session) -> ReservationDTO:
        part = lock_part(s, data.part_id)
        check_qty_for_unit(data.qty, part.unit)
        if data.asset_id is not None and s.get(Asset, data.asset_id) is None:
            raise NotFound(f"Asset #{data.asset_id} does not exist.", field="asset")
        available = _available(s, part.id)
        if data.qty > available:
            raise InsufficientStock(
                f"Only {format_qty(max(available, Decimal(0)))} {part.unit} of {part.part_number} available "
                f"(on hand minus reserved): cannot reserve {format_qty(data.qty)}.",
                available=available,
            )
        r = Reservation(
            part_id=part.id,
            asset_id=data.asset_id,
            work_order=work_order,
            qty=data.qty,
            issued_qty=Decimal(0),
            released_qty=Decimal(0),
            needed_by=data.needed_by,
            status=ReservationStatus.OPEN.value,
            user_id=actor.user_id,
        )
        s.add(r)
        s.flush()
        return reservation_dto(s, r)

    return db.write(op)


def _open_reservation(s: Session, reservation_id: int, *, lock: bool = True) -> Reservation:
    stmt = select(Reservation).where(Reservation.id == reservation_id)
    r = s.scalar(stmt.with_for_update() if lock else stmt)
    if r is None:
        raise NotFound(f"Reservation #{reservation_id} does not exist.", field="reservation")
    if r.status != ReservationStatus.OPEN.value:
        raise Conflict(f"Reservation #{reservation_id} for {r.work_order} is closed already.")
    return r


def _lot_id(s: Session, part_id: int, lot: str | None) -> int | None:
    """The part's lot a person named (number or `LT-` label); none named: the rule proposes one."""
    return one_lot(s, lot, part_id).id if lot and lot.strip() else None


def issue_reserved(
    db: Database,
    actor: Actor,
    reservation_id: int,
    from_location_id: int,
    qty: Decimal | None = None,
    *,
    lot: str | None = None,
) -> IssueResult:
    """Issue from a bin against a reservation (all that is still open unless `qty` says less), by the
    storeroom's Issue rule (which re-checks the reservation under its locks); a tracked part's lot as
    named, else the one that expires first."""
    actor.require(Permission.RESERVE)

    def op(s: Session) -> IssueResult:
        # not locked here: the rule locks the part first, then the reservation (the order every issuer keeps)
        r = _open_reservation(s, reservation_id, lock=False)
        take = still_reserved(r) if qty is None else qty
        req = MoveRequest(
            MoveKind.ISSUE,
            r.part_id,
            take,
            from_location_id,
            reference=r.work_order,
            lot_id=_lot_id(s, r.part_id, lot),
        )
        return issue_in(s, actor, req, reservation_id=r.id)

    return db.write(op)


def issue_to_asset(
    db: Database,
    actor: Actor,
    part_id: int,
    from_location_id: int,
    qty: Decimal,
    *,
    work_order: str,
    asset_id: int | None,
    take_reserved: bool = False,
    lot: str | None = None,
) -> IssueResult:
    """Issue to an asset for a work order by the storeroom's Issue rule: the work order's own
    reservation is settled, other orders' reserved stock goes only with `take_reserved`; a tracked
    part's lot as named, else the one that expires first."""
    actor.require(Permission.RESERVE)
    wo = clean_text(work_order, field="work_order", label="Work order", max_len=60, required=True)

    def op(s: Session) -> IssueResult:
        req = MoveRequest(
            MoveKind.ISSUE, part_id, qty, from_location_id, reference=wo, lot_id=_lot_id(s, part_id, lot)
        )
        return issue_in(s, actor, req, take_reserved=take_reserved, asset_id=asset_id)

    return db.write(op)


def release(db: Database, actor: Actor, reservation_id: int, qty: Decimal | None = None) -> ReservationDTO:
    """Give back reserved units that will not be needed (all that is open unless `qty` says less)."""
    actor.require(Permission.RESERVE)

    def op(s: Session) -> ReservationDTO:
        r = _open_reservation(s, reservation_id)
        remaining = still_reserved(r)
        give = remaining if qty is None else qty
        if give <= 0 or give > remaining:
            raise UserError(f"Between 0 and {format_qty(remaining)} can be released.", field="qty")
        r.released_qty = Decimal(r.released_qty) + give
        settle(r)
        s.flush()
        return reservation_dto(s, r)

    return db.write(op)


def return_unused(
    db: Database, actor: Actor, reservation_id: int, to_location_id: int, qty: Decimal
) -> IssueResult:
    """Parts issued for a work order come back unused: a RETURN to a bin, booked to the same asset."""
    actor.require(Permission.RESERVE)

    def op(s: Session) -> IssueResult:
        r = s.get(Reservation, reservation_id)
        if r is None:
            raise NotFound(f"Reservation #{reservation_id} does not exist.", field="reservation")
        returned = Decimal(
            s.scalar(
                select(func.coalesce(func.sum(StockMove.qty), 0))
                .join(AssetMove, AssetMove.move_id == StockMove.id)
                .where(AssetMove.reservation_id == r.id, StockMove.kind == MoveKind.RETURN.value)
            )
            or 0
        )
        if qty > Decimal(r.issued_qty) - returned:
            raise UserError(
                f"Only {format_qty(Decimal(r.issued_qty) - returned)} were issued for {r.work_order} "
                "and not yet returned.",
                field="qty",
            )
        back = MoveRequest(
            MoveKind.RETURN, r.part_id, qty, to_location_id=to_location_id, reference=r.work_order
        )
        posted = post_in(s, actor, back)
        s.add(AssetMove(move_id=posted.move.id, asset_id=r.asset_id, reservation_id=r.id))
        s.flush()
        return IssueResult(posted, reservation_dto(s, r))

    return db.write(op)


def reservations(
    db: Database, *, open_only: bool = True, part_id: int | None = None, asset_id: int | None = None
) -> list[ReservationDTO]:
    """Reservations, those needed soonest first."""

    def op(s: Session) -> list[ReservationDTO]:
        stmt = select(Reservation)
        if open_only:
            stmt = stmt.where(Reservation.status == ReservationStatus.OPEN.value)
        if part_id is not None:
            stmt = stmt.where(Reservation.part_id == part_id)
        if asset_id is not None:
            stmt = stmt.where(Reservation.asset_id == asset_id)
        stmt = stmt.order_by(Reservation.needed_by.is_(None), Reservation.needed_by, Reservation.id)
        return [reservation_dto(s, r) for r in s.scalars(stmt.limit(1000))]

    return db.read(op)
