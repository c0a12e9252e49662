"""The three maintenance reports: critical spares short, idle spares, usage per asset."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import (
    Asset,
    AssetMove,
    AssetSpare,
    Part,
    StockBalance,
    StockMove,
)
from desktop.models.enums import MoveKind
from desktop.services.common import as_utc
from desktop.services.mro.assets import CRITICAL
from desktop.services.stock.issue import (
    reserved_by_part,
)
from desktop.services.stock.moves import on_hand


@dataclass(frozen=True)
class CriticalShortRow:
    part_id: int
    part_number: str
    description: str
    unit: str
    on_hand: Decimal
    reserved: Decimal
    min_qty: Decimal | None
    lead_time_days: int | None
    assets: str  # codes of the assets it is a spare of
    flag: str

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


@dataclass(frozen=True)
class IdleSpareRow:
    part_id: int
    part_number: str
    description: str
    unit: str
    on_hand: Decimal
    value: Decimal
    last_move_at: datetime | None


@dataclass(frozen=True)
class AssetUsageRow:
    asset_code: str
    asset_name: str
    part_number: str
    description: str
    unit: str
    qty: Decimal  # issued minus returned
    value: Decimal


def critical_short(db: Database) -> list[CriticalShortRow]:
    """Critical spares (critical part, or spare of a critical asset) with none available or below min."""

    def op(s: Session) -> list[CriticalShortRow]:
        pairs = s.execute(
            select(Part, Asset.code, Asset.criticality)
            .join(AssetSpare, AssetSpare.part_id == Part.id)
            .join(Asset, Asset.id == AssetSpare.asset_id)
            .order_by(Part.part_number, Asset.code)
        ).tuples()
        parts: dict[int, tuple[Part, list[str], bool]] = {}
        for part, code, crit in pairs:
            _p, codes, critical = parts.setdefault(part.id, (part, [], part.criticality in CRITICAL))
            codes.append(code)
            parts[part.id] = (part, codes, critical or crit in CRITICAL)
        reserved = reserved_by_part(s, list(parts))
        out = []
        for part, codes, critical in parts.values():
            if not critical:
                continue
            part_on_hand = on_hand(s, part.id)
            avail = part_on_hand - reserved.get(part.id, Decimal(0))
            flag = "none available" if avail <= 0 else ""
            if not flag and part.min_qty is not None and avail < part.min_qty:
                flag = "below minimum"
            if flag:
                out.append(
                    CriticalShortRow(
                        part.id,
                        part.part_number,
                        part.description,
                        part.unit,
                        part_on_hand,
                        reserved.get(part.id, Decimal(0)),
                        part.min_qty,
                        part.lead_time_days,
                        ", ".join(codes),
                        flag,
                    )
                )
        return out

    return db.read(op)


def idle_spares(db: Database, months: int, *, now: datetime | None = None) -> list[IdleSpareRow]:
    """Spares (MRO parts, or parts fitted to an asset) in stock with no move for `months` months:
    obsolescence candidates, most valuable first."""
    if months < 1:
        raise UserError("Give at least one month.", field="months")
    cutoff = (now or datetime.now(UTC)) - timedelta(days=round(months * 30.44))

    def op(s: Session) -> list[IdleSpareRow]:
        on_hand = (
            select(StockBalance.part_id, func.sum(StockBalance.qty).label("qty"))
            .group_by(StockBalance.part_id)
            .subquery()
        )
        last = (
            select(StockMove.part_id, func.max(StockMove.at).label("at"))
            .group_by(StockMove.part_id)
            .subquery()
        )
        spare = (Part.category == "MRO") | Part.id.in_(select(AssetSpare.part_id))
        rows = s.execute(
            select(Part, on_hand.c.qty, last.c.at)
            .join(on_hand, on_hand.c.part_id == Part.id)
            .outerjoin(last, last.c.part_id == Part.id)
            .where(spare, on_hand.c.qty > 0, (last.c.at.is_(None)) | (last.c.at < cutoff))
        ).tuples()
        out = [
            IdleSpareRow(
                p.id,
                p.part_number,
                p.description,
                p.unit,
                Decimal(q),
                Decimal(q) * Decimal(p.unit_cost),
                as_utc(at) if at is not None else None,
            )
            for p, q, at in rows
        ]
        return sorted(out, key=lambda r: (-r.value, r.part_number))

    return db.read(op)


def usage_per_asset(db: Database, since: datetime, until: datetime) -> list[AssetUsageRow]:
    """What each asset consumed between two instants: issues minus returns, at the cost when moved."""

    def op(s: Session) -> list[AssetUsageRow]:
        signed = case((StockMove.kind == MoveKind.RETURN.value, -StockMove.qty), else_=StockMove.qty)
        rows = s.execute(
            select(
                Asset.code,
                Asset.name,
                Part.part_number,
                Part.description,
                Part.unit,
                func.sum(signed),
                func.sum(signed * func.coalesce(StockMove.unit_cost, 0)),
            )
            .select_from(AssetMove)
            .join(StockMove, StockMove.id == AssetMove.move_id)
            .join(Asset, Asset.id == AssetMove.asset_id)
            .join(Part, Part.id == StockMove.part_id)
            .where(StockMove.at >= since, StockMove.at < until)
            .group_by(Asset.code, Asset.name, Part.part_number, Part.description, Part.unit)
            .order_by(Asset.code, Part.part_number)
        ).tuples()
        return [AssetUsageRow(a, n, p, d, u, Decimal(q), Decimal(v)) for a, n, p, d, u, q, v in rows]

    return db.read(op)
