"""Traceability and expiry: every move of a lot (received from whom and when, into which bins, issued to
which work orders and references), the lots that went out under a reference, and the lots expiring soon.
Reads only; each one statement, so one snapshot."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, aliased

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import Asset, AssetMove, Location, Lot, LotBalance, Part, StockMove, User
from desktop.models.enums import Tracking
from desktop.services.common import as_utc
from desktop.services.lots.records import LotDTO, lot_dto, lot_query, one_lot


@dataclass(frozen=True)
class TraceMove:
    move_id: int
    at: datetime
    kind: str
    part_number: str
    lot_number: str
    qty: Decimal
    unit: str
    from_code: str | None
    to_code: str | None
    reference: str | None
    asset_code: str | None
    user_name: str
    reverses_move_id: int | None


@dataclass(frozen=True)
class LotTrace:
    lot: LotDTO
    moves: tuple[TraceMove, ...]  # oldest first
    on_hand: tuple[tuple[str, Decimal], ...]  # (bin code, qty) where the lot is now

    @property
    def received(self) -> Decimal:
        return sum((m.qty for m in self.moves if m.kind == "RECEIPT"), Decimal(0))


_From, _To = aliased(Location), aliased(Location)
_TRACE = (
    select(
        StockMove.id,
        StockMove.at,
        StockMove.kind,
        Part.part_number,
        Lot.lot_number,
        StockMove.qty,
        Part.unit,
        _From.code,
        _To.code,
        StockMove.reference,
        Asset.code,
        User.user_name,
        StockMove.reverses_move_id,
    )
    .join(Part, Part.id == StockMove.part_id)
    .join(Lot, Lot.id == StockMove.lot_id)
    .join(User, User.id == StockMove.user_id)
    .outerjoin(_From, _From.id == StockMove.from_location_id)
    .outerjoin(_To, _To.id == StockMove.to_location_id)
    .outerjoin(AssetMove, AssetMove.move_id == StockMove.id)
    .outerjoin(Asset, Asset.id == AssetMove.asset_id)
    .order_by(StockMove.at, StockMove.id)
)


def _moves(s: Session, stmt: object) -> tuple[TraceMove, ...]:
    rows = s.execute(stmt).all()  # type: ignore[call-overload]
    return tuple(
        TraceMove(
            r[0], as_utc(r[1]), r[2], r[3], r[4], Decimal(r[5]), r[6], r[7], r[8], r[9], r[10], r[11], r[12]
        )
        for r in rows
    )


def trace(db: Database, code: str, *, part_id: int | None = None) -> LotTrace:
    """Every move of one lot (by its number, or `LT-` label code), and where it is now."""
    return db.read(lambda s: trace_in(s, one_lot(s, code, part_id)))


# built once (a scan runs them): where a lot is, and how many moves it has
_WHERE = (
    select(Location.code, LotBalance.qty)
    .join(Location, Location.id == LotBalance.location_id)
    .where(LotBalance.lot_id == bindparam("lot"), LotBalance.qty != 0)
    .order_by(Location.code)
)
_MOVED = select(func.count()).select_from(StockMove).where(StockMove.lot_id == bindparam("lot"))


def _where(s: Session, lot_id: int) -> tuple[tuple[str, Decimal], ...]:
    return tuple((c, Decimal(q)) for c, q in s.connection().execute(_WHERE, {"lot": lot_id}))


def trace_in(s: Session, lot: LotDTO) -> LotTrace:
    return LotTrace(lot, _moves(s, _TRACE.where(StockMove.lot_id == lot.id)), _where(s, lot.id))


@dataclass(frozen=True)
class LotSummary:
    """What a scan of a lot label shows: the lot, where it is, how often it moved (not every move)."""

    lot: LotDTO
    on_hand: tuple[tuple[str, Decimal], ...]
    moves: int


def summary_in(s: Session, lot: LotDTO) -> LotSummary:
    moved = s.connection().execute(_MOVED, {"lot": lot.id}).scalar() or 0
    return LotSummary(lot, _where(s, lot.id), moved)


def trace_reference(db: Database, reference: str) -> tuple[TraceMove, ...]:
    """The reverse: every lot moved under a reference (a work order, a delivery note), any case."""
    ref = " ".join(reference.split())
    if not ref:
        raise UserError("Give the reference to trace, e.g. a work order number.", field="reference")
    return db.read(lambda s: _moves(s, _TRACE.where(func.upper(StockMove.reference) == ref.upper())))


@dataclass(frozen=True)
class ExpiringLot:
    lot: LotDTO
    on_hand: Decimal
    bins: tuple[str, ...]
    days_left: int  # negative: expired that many days ago
    warned: bool  # inside the part's own warning window


def expiring(db: Database, days: int, *, today: date | None = None) -> list[ExpiringLot]:
    """Lots with stock that expired already or expire within `days` (or within their part's own warning
    window, whichever is longer), soonest first."""
    if not 0 <= days <= 36500:
        raise UserError("The window is 0 to 36,500 days.", field="days")
    when = today or date.today()

    def op(s: Session) -> list[ExpiringLot]:
        # the longest of the window and any part's own warning: one range of the expiry index
        warned = s.scalar(
            select(func.max(Part.expiry_warning_days)).where(Part.tracking != Tracking.NONE.value)
        )
        bound = when + timedelta(days=max(days, warned or 0))
        rows = s.execute(  # one row per lot and bin holding it, in one statement (one snapshot)
            lot_query()
            .add_columns(Location.code, LotBalance.qty, Part.expiry_warning_days)
            .join(LotBalance, LotBalance.lot_id == Lot.id)
            .join(Location, Location.id == LotBalance.location_id)
            .where(Lot.expires_on <= bound, LotBalance.qty != 0, Part.tracking != Tracking.NONE.value)
            .order_by(Lot.expires_on, Part.part_number, Lot.lot_number, Location.code)
        ).all()
        out: list[ExpiringLot] = []
        for r in rows:
            if out and out[-1].lot.id == r[0]:  # the same lot in another bin
                last = out[-1]
                out[-1] = replace(last, on_hand=last.on_hand + Decimal(r[11]), bins=(*last.bins, r[10]))
                continue
            lot = lot_dto(r)
            assert lot.expires_on is not None
            left, warn = (lot.expires_on - when).days, r[12] or 0
            if left <= max(days, warn):
                out.append(ExpiringLot(lot, Decimal(r[11]), (r[10],), left, left <= warn))
        return out

    return db.read(op)
