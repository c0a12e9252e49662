"""Traceability and expiry: every move of a lot (received from whom and when, into which bins, issued to
which work orders and references), the lots that went out under a reference, and the lots expiring soon.
Reads only; each one statement, so one snapshot."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import Asset, AssetMove, Location, Lot, LotBalance, Part, StockMove
from desktop.models.enums import Tracking
from desktop.services.lots.records import LotDTO, lot_dto, lot_query, one_lot
from desktop.services.stock.moves import MoveDTO, _move_dto, _move_query


@dataclass(frozen=True)
class TraceMove:
    move: MoveDTO  # as the ledger's history shows it, with its lot
    asset_code: str | None  # the asset an issue went to


@dataclass(frozen=True)
class LotTrace:
    lot: LotDTO
    moves: tuple[TraceMove, ...]  # oldest first
    on_hand: tuple[tuple[str, Decimal], ...]  # (bin code, qty) where the lot is now

    @property
    def received(self) -> Decimal:
        return sum((m.move.qty for m in self.moves if m.move.kind == "RECEIPT"), Decimal(0))


# the ledger's own move query (stock.history's), with the asset an issue was booked to
_TRACE = (
    _move_query()
    .add_columns(Asset.code)
    .outerjoin(AssetMove, AssetMove.move_id == StockMove.id)
    .outerjoin(Asset, Asset.id == AssetMove.asset_id)
    .where(StockMove.lot_id.is_not(None))
    .order_by(StockMove.at, StockMove.id)
)


def _moves(s: Session, stmt: Select[Any]) -> tuple[TraceMove, ...]:
    return tuple(TraceMove(_move_dto(r[:9]), r[9]) for r in s.execute(stmt).tuples())


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


def trace_asset(db: Database, code: str) -> tuple[TraceMove, ...]:
    """The reverse for a machine: every lot issued to the asset, by its tag or its label (`A-` + tag)."""
    tag = code.strip().upper()
    if not tag:
        raise UserError("Give the asset's tag to trace.", field="asset")
    tags = {tag, tag.removeprefix("A-")}  # the label's prefix off, unless the tag itself starts so
    return db.read(lambda s: _moves(s, _TRACE.where(func.upper(Asset.code).in_(sorted(tags)))))


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
    return db.read(lambda s: expiring_in(s, days, when))


def expiring_in(s: Session, days: int, when: date) -> list[ExpiringLot]:
    # the longest of the window and any part's own warning: one range of the expiry index
    warned = s.scalar(select(func.max(Part.expiry_warning_days)).where(Part.tracking != Tracking.NONE.value))
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
