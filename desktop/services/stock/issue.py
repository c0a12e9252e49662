"""The storeroom's Issue: the one rule every way stock leaves a bin to a person goes through (the move
dialog and its Ctrl+Enter short issue, `storeroom issue`, the MRO issues for a work order, batch posts).

Free stock is on hand minus what open reservations hold. An issue whose reference names the work order
of an open reservation of the part settles that reservation, as far as the issue goes; what it does not
cover comes out of free stock, and out of other work orders' reservations only when the caller says so
(`take_reserved`: the keeper's second Enter, `--take-reserved`). Otherwise it is refused with
ReservedStock, naming whose reservations it would take. Where nothing is reserved an issue is exactly
the ledger's ISSUE (a shortage stays the ledger's "only N left").

Concurrency: the part's row is locked first (PostgreSQL FOR NO KEY UPDATE: the issues and reservations
of one part queue there, while a receipt, whose foreign-key check takes a KEY SHARE lock on the part,
goes on), then its open reservations, then the balance (the ledger's conditional UPDATE). So two PCs
issuing the last free unit cannot both succeed, and a reservation made meanwhile is seen. SQLite's
BEGIN IMMEDIATE already serialises writers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import Conflict, NotFound, ReservedStock, UserError
from desktop.models import Asset, AssetMove, Part, Reservation, ShortIssue, StockBalance, StockMove, User
from desktop.models.enums import MoveKind, ReservationStatus
from desktop.quantities import QTY_PLACES, format_qty
from desktop.services.actor import Actor, Permission
from desktop.services.catalogue.units import check_qty_for_unit
from desktop.services.common import as_utc
from desktop.services.lots.issuing import lot_for_issue, lot_qty_in_bin
from desktop.services.stock.move_checks import _checked_texts
from desktop.services.stock.moves import (
    _KEYED,
    MoveRequest,
    PostResult,
    _location,
    _result,
    check_same_request,
    ledger_post,
    on_hand,
)

OPEN_QTY = Reservation.qty - Reservation.issued_qty - Reservation.released_qty  # still reserved
# soonest needed first: the order reservations are named in, and settled in when a reference names two
_NEEDED_FIRST = (Reservation.needed_by.is_(None), Reservation.needed_by, Reservation.id)


@dataclass(frozen=True)
class ReservationDTO:
    id: int
    part_id: int
    part_number: str
    unit: str
    asset_code: str | None
    work_order: str
    qty: Decimal
    issued_qty: Decimal
    released_qty: Decimal
    needed_by: date | None
    status: str
    user_name: str
    created_at: datetime

    @property
    def open_qty(self) -> Decimal:
        return self.qty - self.issued_qty - self.released_qty


@dataclass(frozen=True)
class IssueResult:
    posted: PostResult
    reservation: ReservationDTO | None  # the reservation the issue settled (part of), if any


@dataclass(frozen=True)
class ShortIssueResult:
    requested: Decimal
    issued: Decimal
    posted: PostResult | None  # the issue of what there was; None when the bin was empty
    reservation: ReservationDTO | None = None

    @property
    def short(self) -> Decimal:
        return self.requested - self.issued


# --- the public face ------------------------------------------------------------------------------------


def issue(db: Database, actor: Actor, req: MoveRequest, *, take_reserved: bool = False) -> IssueResult:
    """Issue out of a bin in its own transaction, by the rule above."""
    return db.write(lambda s: issue_in(s, actor, req, take_reserved=take_reserved))


def issue_in(
    s: Session,
    actor: Actor,
    req: MoveRequest,
    *,
    take_reserved: bool = False,
    asset_id: int | None = None,
    reservation_id: int | None = None,
) -> IssueResult:
    """`issue` inside the caller's transaction. `asset_id` books the issue to an asset; `reservation_id`
    issues against that reservation whatever the reference says (no more than it still holds)."""
    posted, settled = _hand_over(
        s,
        actor,
        req,
        short=False,
        take_reserved=take_reserved,
        asset_id=asset_id,
        reservation_id=reservation_id,
    )
    assert posted is not None  # a plain issue either posts or raises
    return IssueResult(posted, settled)


def issue_short(
    db: Database,
    actor: Actor,
    part_id: int,
    location_id: int,
    requested: Decimal,
    *,
    reference: str | None = None,
    posting_key: str | None = None,
    take_reserved: bool = False,
    lot_id: int | None = None,
) -> ShortIssueResult:
    """Hand over what the bin holds and record the rest as a shortage (for the fill rate and a
    recount), in one transaction. A request the bin can fill is posted as a plain issue. What is
    handed over follows the rule above: other work orders' stock only with `take_reserved`."""
    return db.write(
        lambda s: short_in(
            s,
            actor,
            part_id,
            location_id,
            requested,
            reference=reference,
            posting_key=posting_key,
            take_reserved=take_reserved,
            lot_id=lot_id,
        )
    )


def short_in(
    s: Session,
    actor: Actor,
    part_id: int,
    location_id: int,
    requested: Decimal,
    *,
    reference: str | None = None,
    posting_key: str | None = None,
    take_reserved: bool = False,
    lot_id: int | None = None,
) -> ShortIssueResult:
    """`issue_short` inside the caller's transaction. A retried posting key returns what its issue
    handed over and records no second shortage."""
    req = MoveRequest(
        MoveKind.ISSUE, part_id, requested, location_id, None, None, reference, posting_key, lot_id
    )
    posted, settled = _hand_over(
        s, actor, req, short=True, take_reserved=take_reserved, asset_id=None, reservation_id=None
    )
    issued = posted.move.qty if posted is not None else Decimal(0)
    return ShortIssueResult(requested, issued, posted, settled)


# --- the rule -------------------------------------------------------------------------------------------


def _hand_over(
    s: Session,
    actor: Actor,
    req: MoveRequest,
    *,
    short: bool,
    take_reserved: bool,
    asset_id: int | None,
    reservation_id: int | None,
) -> tuple[PostResult | None, ReservationDTO | None]:
    """The rule itself, for a plain issue of `req.qty` or (`short`) of what the bin holds of it: the
    posted issue (None: the bin was empty) and the reservation it settled."""
    actor.require(Permission.MOVE_STOCK)
    if req.kind is not MoveKind.ISSUE:
        raise UserError("Only an issue out of a bin goes through the Issue rule.")
    reason, reference = _checked_texts(req)
    done = (
        s.execute(_KEYED.where(StockMove.posting_key == req.posting_key)).first() if req.posting_key else None
    )
    if done is not None:  # a retry: nothing handed over, shorted or settled twice
        # what a short issue handed over depended on the bin at the time, the lot proposed on the lots
        # there then: compare the rest
        same = replace(req, qty=Decimal(done.qty)) if short else req
        check_same_request(
            s, done._tuple(), same if req.lot_id else replace(same, lot_id=done.lot_id), reason, reference
        )
        return _result(s, done.id, duplicate=True), None
    part = lock_part(s, req.part_id)
    check_qty_for_unit(req.qty, part.unit)
    # a tracked part: the lot named, else the one proposed (first expired first out); expired refused
    req = replace(
        req, lot_id=lot_for_issue(s, part, req.from_location_id, req.lot_id, short=short, today=date.today())
    )
    if asset_id is not None and s.get(Asset, asset_id) is None:
        raise NotFound(f"Asset #{asset_id} does not exist.", field="asset")
    held = open_reservations(s, [part.id]).get(part.id, [])
    mine = (
        _chosen(s, held, reservation_id, part, req.qty)
        if reservation_id is not None
        else (named(held, reference) if actor.can(Permission.RESERVE) else None)
    )
    give = min(_in_bin(s, part.id, req.from_location_id, req.lot_id), req.qty) if short else req.qty
    posted = None
    covered = Decimal(0)
    if give > 0:
        if held:  # nothing reserved: nothing to check (an issue is then exactly the ledger's)
            covered = cover(part, give, on_hand(s, part.id), held, mine, take_reserved=take_reserved)
        posted = ledger_post(s, actor, replace(req, qty=give))
    else:
        _location(s, req.from_location_id, "from_location")
    if give < req.qty:
        s.add(
            ShortIssue(
                part_id=part.id,
                location_id=req.from_location_id,
                requested_qty=req.qty,
                issued_qty=give,
                move_id=posted.move.id if posted else None,
                reference=reference,
                user_id=actor.user_id,
            )
        )
    if posted is None or (mine is None and asset_id is None):
        return posted, None
    s.add(
        AssetMove(
            move_id=posted.move.id,
            asset_id=asset_id if asset_id is not None else (mine.asset_id if mine else None),
            reservation_id=mine.id if mine else None,
        )
    )
    if mine is not None:
        take_from(mine, covered)
    s.flush()
    return posted, reservation_dto(s, mine) if mine else None


def cover(
    part: Part,
    qty: Decimal,
    part_on_hand: Decimal,
    held: Sequence[Reservation],
    mine: Reservation | None,
    *,
    take_reserved: bool,
) -> Decimal:
    """How much of an issue of `qty` the issuer's own reservation `mine` covers. The rest must come out
    of free stock; taking other work orders' stock is refused unless `take_reserved`. An issue of more
    than there is at all is left to the ledger's own "only N left"."""
    covered = min(qty, still_reserved(mine)) if mine else Decimal(0)
    free = part_on_hand - sum((still_reserved(r) for r in held), Decimal(0))
    if qty - covered > max(free, Decimal(0)) and qty <= part_on_hand and not take_reserved:
        raise ReservedStock(_reserved_message(part, free, held), want=qty)
    return covered


def _reserved_message(part: Part, free: Decimal, held: Sequence[Reservation]) -> str:
    others = [r for r in held if still_reserved(r) > 0]
    shown = ", ".join(f"{r.work_order} {format_qty(still_reserved(r))}" for r in others[:3])
    more = f" and {len(others) - 3} more" if len(others) > 3 else ""
    return (
        f"Only {format_qty(max(free, Decimal(0)))} {part.unit} of {part.part_number} are free: the rest is "
        f"reserved ({shown}{more}). Put the work order in the reference to issue against its reservation."
    )


def take_from(r: Reservation, qty: Decimal) -> None:
    """Count `qty` as issued against the reservation; fully issued (and released) closes it."""
    r.issued_qty = Decimal(r.issued_qty) + qty
    settle(r)


def settle(r: Reservation) -> None:
    if r.issued_qty + r.released_qty >= r.qty:
        r.status = ReservationStatus.CLOSED.value


def still_reserved(r: Reservation) -> Decimal:
    return Decimal(r.qty - r.issued_qty - r.released_qty)


def named(held: Sequence[Reservation], reference: str | None) -> Reservation | None:
    """The open reservation whose work order the reference names (any case), soonest needed."""
    wo = (reference or "").strip().upper()
    if not wo:
        return None
    return next(
        (r for r in held if r.status == ReservationStatus.OPEN.value and r.work_order.upper() == wo), None
    )


def _chosen(
    s: Session, held: Sequence[Reservation], reservation_id: int, part: Part, qty: Decimal
) -> Reservation:
    """The reservation an issue names by id: open, of this part, holding at least `qty`."""
    r = next((x for x in held if x.id == reservation_id), None)
    if r is None:
        other = s.get(Reservation, reservation_id)
        if other is None:
            raise NotFound(f"Reservation #{reservation_id} does not exist.", field="reservation")
        if other.status != ReservationStatus.OPEN.value:
            raise Conflict(f"Reservation #{reservation_id} for {other.work_order} is closed already.")
        raise UserError(f"Reservation #{reservation_id} is not for {part.part_number}.", field="reservation")
    if qty > still_reserved(r):
        raise UserError(
            f"Only {format_qty(still_reserved(r))} still reserved for {r.work_order}: "
            "release it and reserve again to issue more.",
            field="qty",
        )
    return r


def _in_bin(s: Session, part_id: int, location_id: int | None, lot_id: int | None) -> Decimal:
    have = (
        s.scalar(
            select(StockBalance.qty).where(
                StockBalance.part_id == part_id, StockBalance.location_id == location_id
            )
        )
        if lot_id is None
        else lot_qty_in_bin(s, part_id, location_id, lot_id)
    )
    return max(Decimal(have or 0), Decimal(0)).quantize(Decimal(1).scaleb(-QTY_PLACES))


# --- locks and reads shared with reservations (mro) and batch posting -------------------------------


def lock_part(s: Session, part_id: int) -> Part:
    """Lock the part's row until commit: the issues and reservations of one part queue here."""
    part = s.scalar(select(Part).where(Part.id == part_id).with_for_update(key_share=True))
    if part is None:
        raise NotFound(f"Part #{part_id} does not exist.", field="part")
    return part


def lock_parts(s: Session, part_ids: Sequence[int]) -> None:
    """`lock_part` for many parts, in id order (as every other locker takes them)."""
    s.execute(
        select(Part.id).where(Part.id.in_(sorted(part_ids))).order_by(Part.id).with_for_update(key_share=True)
    )


def open_reservations(s: Session, part_ids: Sequence[int]) -> dict[int, list[Reservation]]:
    """The parts' open reservations, soonest needed first, locked until commit (an issue settles them)."""
    held: dict[int, list[Reservation]] = {}
    rows = s.scalars(
        select(Reservation)
        .where(Reservation.part_id.in_(part_ids), Reservation.status == ReservationStatus.OPEN.value)
        .order_by(*_NEEDED_FIRST)
        .with_for_update()
    )
    for r in rows:
        held.setdefault(r.part_id, []).append(r)
    return held


def reserved_by_part(s: Session, part_ids: Sequence[int]) -> dict[int, Decimal]:
    """What open reservations still hold of each part (read only: for views and reports)."""
    rows = s.execute(
        select(Reservation.part_id, func.sum(OPEN_QTY))
        .where(Reservation.part_id.in_(part_ids), Reservation.status == ReservationStatus.OPEN.value)
        .group_by(Reservation.part_id)
    ).tuples()
    return {p: Decimal(q) for p, q in rows}


def reservation_dto(s: Session, r: Reservation) -> ReservationDTO:
    number, unit = s.execute(select(Part.part_number, Part.unit).where(Part.id == r.part_id)).one()._tuple()
    asset = s.scalar(select(Asset.code).where(Asset.id == r.asset_id)) if r.asset_id else None
    user = s.scalar(select(User.user_name).where(User.id == r.user_id)) or ""
    return ReservationDTO(
        r.id,
        r.part_id,
        number,
        unit,
        asset,
        r.work_order,
        Decimal(r.qty),
        Decimal(r.issued_qty),
        Decimal(r.released_qty),
        r.needed_by,
        r.status,
        user,
        as_utc(r.created_at),
    )
