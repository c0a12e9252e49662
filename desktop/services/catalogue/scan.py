"""Resolve anything scanned or typed into the scan box."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.codes import ASSET_PREFIX, LOCATION_PREFIX, PART_PREFIX, id_form, normalize_scan
from desktop.db import Database
from desktop.models import Asset, KanbanCard, KanbanLoop, Location, Part, PartSupplier, PurchaseOrder
from desktop.quantities import format_qty
from desktop.services.catalogue.locations import (
    LocationDetail,
    find_location_detail,
    find_location_detail_by_id,
)
from desktop.services.catalogue.parts import (
    PartDTO,
    find_part_detail,
    find_part_detail_by_number,
    part_detail,
)
from desktop.services.lots.records import LOT_PREFIX, find_lots
from desktop.services.lots.tracing import LotSummary, summary_in
from desktop.services.mro import AssetSpares, find_asset_id, part_ids_for_xref, spares_in
from desktop.services.purchasing.orders import PO_PREFIX, OrderDTO, order_dto


@dataclass(frozen=True)
class ScanResult:
    code: str
    part: PartDTO | None = None
    location: LocationDetail | None = None
    candidates: tuple[PartDTO, ...] = ()  # several parts share a manufacturer/supplier number
    message: str = ""
    asset: AssetSpares | None = None  # an A- asset tag: the asset's spares view
    order: OrderDTO | None = None  # a PO- purchase order (the message says what is open on it)
    lot: LotSummary | None = None  # an LT- lot label: its part (in `part`), bins, expiry, moves

    @property
    def found(self) -> bool:
        return (
            self.part is not None
            or self.location is not None
            or bool(self.candidates)
            or self.asset is not None
            or self.order is not None
        )


def _parts_by(s: Session, code: str) -> list[int]:
    """Part ids for a bare code: our part number first, then manufacturer's, then a supplier's."""
    exact = s.scalar(select(Part.id).where(Part.number_key == code))
    if exact is not None:
        return [exact]
    by_mpn = list(s.scalars(select(Part.id).where(Part.mpn_key == code).limit(20)))
    if by_mpn:
        return by_mpn
    by_xref = part_ids_for_xref(s, code)  # further manufacturer numbers (MRO cross-references)
    if by_xref:
        return by_xref
    return list(
        s.scalars(select(PartSupplier.part_id).where(PartSupplier.sku_key == code).distinct().limit(20))
    )


def _by_id(s: Session, code: str) -> ScanResult | None:
    """The short id forms `L--42`, `P--42`, `A--42` printed where the code form does not fit."""
    found = id_form(code)
    if found is None:
        return None
    kind, record_id = found
    if kind == "L":
        loc = find_location_detail_by_id(s, record_id)
        return ScanResult(code, location=loc) if loc is not None else None
    if kind == "P":
        part = find_part_detail(s, record_id)
        return ScanResult(code, part=part) if part is not None else None
    if s.get(Asset, record_id) is None:
        return None
    return ScanResult(code, asset=spares_in(s, record_id))


def _lot(s: Session, code: str) -> ScanResult | None:
    """An LT- lot label: the lot's part, with where the lot is, its expiry and how often it moved."""
    if not code.startswith(LOT_PREFIX):
        return None
    found = find_lots(s, code)
    if len(found) != 1:  # LT- followed by a lot number several parts share, or nothing: not a lot label
        return None
    lot = summary_in(s, found[0])
    where = ", ".join(f"{c} {format_qty(q)}" for c, q in lot.on_hand) or "none left in stock"
    expired = " EXPIRED" if found[0].expired(date.today()) else ""
    note = f"{found[0].code}: {found[0].label}{expired} — {where}; {lot.moves} move(s)"
    return ScanResult(code, part=part_detail(s, found[0].part_id), message=note, lot=lot)


def _prefixed(s: Session, code: str) -> ScanResult | None:
    by_id = _by_id(s, code)
    if by_id is not None:
        return by_id
    lot = _lot(s, code)
    if lot is not None:
        return lot
    if code.startswith(ASSET_PREFIX):  # no such asset: fall through (a bin may be called A-01-01)
        asset_id = find_asset_id(s, code)
        if asset_id is not None:
            return ScanResult(code, asset=spares_in(s, asset_id))
    if code.startswith(LOCATION_PREFIX):
        loc = find_location_detail(s, code[len(LOCATION_PREFIX) :])
        if loc is not None:
            return ScanResult(code, location=loc)
    elif code.startswith(PART_PREFIX):
        part = find_part_detail_by_number(s, code[len(PART_PREFIX) :])
        if part is not None:
            return ScanResult(code, part=part)
    return None


def resolve_in(s: Session, raw: str) -> ScanResult:
    code = normalize_scan(raw)
    if not code:
        return ScanResult(code, message="Nothing was scanned.")
    found = _prefixed(s, code)
    if found is not None:
        return found
    card = _kanban_card(s, code)
    if card is not None:
        return card
    order = _purchase_order(s, code)
    if order is not None:
        return order
    loc = find_location_detail(s, code)
    if loc is not None:
        return ScanResult(code, location=loc)
    ids = _parts_by(s, code)
    if len(ids) == 1:
        return ScanResult(code, part=part_detail(s, ids[0]))
    if ids:
        return ScanResult(
            code,
            candidates=tuple(part_detail(s, i) for i in ids),
            message=f"{code} matches {len(ids)} parts: pick one.",
        )
    return ScanResult(code, message=f"Unknown code {code}: no part or location has it.")


def _kanban_card(s: Session, code: str) -> ScanResult | None:
    """A K- card shows its part and the card's state; only the scan station moves a card on."""
    if not code.startswith("K-"):
        return None
    row = s.execute(
        select(KanbanCard, KanbanLoop)
        .join(KanbanLoop, KanbanLoop.id == KanbanCard.loop_id)
        .where(KanbanCard.code == code)
    ).first()
    if row is None:
        return None
    card, loop = row
    line = s.scalar(select(Location.code).where(Location.id == loop.consumption_location_id))
    note = (
        f"Kanban card {card.code} (card {card.serial} of {loop.card_count}) is "
        f"{card.status.lower().replace('_', ' ')}; loop for {line}. Scan it at the kanban scan station "
        "to move it on."
    )
    return ScanResult(code, part=part_detail(s, loop.part_id), message=note)


def _purchase_order(s: Session, code: str) -> ScanResult | None:
    """A PO- number (on the order's document, or the supplier's delivery note): what is still open on it."""
    if not code.startswith(PO_PREFIX):
        return None
    order_id = s.scalar(select(PurchaseOrder.id).where(PurchaseOrder.number == code))
    if order_id is None:
        return None
    order = order_dto(s, order_id)
    state = order.state.lower().replace("_", " ")
    opened = [f"{format_qty(x.open_qty)} {x.unit} {x.part_number}" for x in order.lines if x.open_qty > 0]
    what = f"{order.open_lines} open line(s): {', '.join(opened[:5])}{' …' if len(opened) > 5 else ''}"
    note = f"{order.number} from {order.supplier_name} is {state}; " + (
        what if order.open_lines else "nothing open on it"
    )
    return ScanResult(code, order=order, message=note)


def resolve(db: Database, raw: str) -> ScanResult:
    return db.read(lambda s: resolve_in(s, raw))
