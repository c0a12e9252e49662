"""The spares view: for an asset, every spare with where it is, how much is free and what is on order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.codes import normalize_scan
from desktop.db import Database
from desktop.errors import NotFound
from desktop.models import (
    Asset,
    AssetSpare,
    Part,
    SerialUnit,
)
from desktop.models.enums import SerialState
from desktop.quantities import format_qty
from desktop.services.catalogue.parts import BinStock, stock_by_bin
from desktop.services.mro.assets import CRITICAL, AssetDTO, asset_dto, asset_path, find_asset_id
from desktop.services.mro.xrefs import supersession_chain
from desktop.services.purchasing.on_order import coming_in
from desktop.services.stock.issue import (
    reserved_by_part,
)


@dataclass(frozen=True)
class SpareLine:
    part_id: int
    part_number: str
    description: str
    unit: str
    criticality: str | None
    qty_installed: Decimal
    recommended_qty: Decimal
    usage: str
    bins: tuple[BinStock, ...]
    on_hand: Decimal
    reserved: Decimal
    min_qty: Decimal | None
    max_qty: Decimal | None
    lead_time_days: int | None
    critical: bool
    superseded_by: str | None
    serials_available: int
    on_order: Decimal = Decimal(0)  # still to come on open purchase orders
    due: date | None = None  # the soonest needed-by date of those order lines

    @property
    def coming(self) -> str:
        """'on order 4 EA due 2027-01-05' for a spare on an open purchase order, else ''."""
        if self.on_order <= 0:
            return ""
        return f"on order {format_qty(self.on_order)} {self.unit}" + (f" due {self.due}" if self.due else "")

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved

    @property
    def flag(self) -> str:
        """Why this spare needs attention ('' when it does not): only critical spares are flagged."""
        if not self.critical:
            return ""
        if self.available <= 0:
            return "none available"
        if self.min_qty is not None and self.available < self.min_qty:
            return "below minimum"
        return ""


@dataclass(frozen=True)
class AssetSpares:
    asset: AssetDTO
    path: tuple[str, ...]  # codes from the site down to this asset
    spares: tuple[SpareLine, ...]

    @property
    def flagged(self) -> tuple[SpareLine, ...]:
        return tuple(x for x in self.spares if x.flag)


def spares_in(s: Session, asset_id: int) -> AssetSpares:
    asset = s.get(Asset, asset_id)
    if asset is None:
        raise NotFound(f"Asset #{asset_id} does not exist.")
    rows = list(
        s.execute(
            select(AssetSpare, Part)
            .join(Part, Part.id == AssetSpare.part_id)
            .where(AssetSpare.asset_id == asset_id)
            .order_by(Part.part_number)
        ).tuples()
    )
    ids = [p.id for _sp, p in rows]
    reserved = reserved_by_part(s, ids)
    serials = {
        part_id: n
        for part_id, n in s.execute(
            select(SerialUnit.part_id, func.count())
            .where(SerialUnit.part_id.in_(ids), SerialUnit.state == SerialState.AVAILABLE.value)
            .group_by(SerialUnit.part_id)
        ).tuples()
    }
    asset_critical = asset.criticality in CRITICAL
    coming = coming_in(s, ids)
    lines = []
    for sp, p in rows:
        bins = stock_by_bin(s, p.id)
        chain = supersession_chain(s, p.id)
        newest = s.scalar(select(Part.part_number).where(Part.id == chain[-1])) if len(chain) > 1 else None
        lines.append(
            SpareLine(
                p.id,
                p.part_number,
                p.description,
                p.unit,
                p.criticality,
                Decimal(sp.qty_installed),
                Decimal(sp.recommended_qty),
                sp.usage,
                bins,
                sum((b.qty for b in bins), Decimal(0)),
                reserved.get(p.id, Decimal(0)),
                p.min_qty,
                p.max_qty,
                p.lead_time_days,
                asset_critical or p.criticality in CRITICAL,
                newest,
                int(serials.get(p.id, 0)),
                *coming.get(p.id, (Decimal(0), None)),
            )
        )
    return AssetSpares(asset_dto(s, asset), asset_path(s, asset), tuple(lines))


def asset_spares(db: Database, asset_id: int) -> AssetSpares:
    return db.read(lambda s: spares_in(s, asset_id))


def spares_for_code(db: Database, code: str) -> AssetSpares:
    """The spares view for a scanned or typed asset tag (`A-PRESS-01` or `PRESS-01`)."""

    def op(s: Session) -> AssetSpares:
        found = find_asset_id(s, code)
        if found is None:
            raise NotFound(f"No asset has the tag {normalize_scan(code)}.", field="asset")
        return spares_in(s, found)

    return db.read(op)
