"""Supplier lead times measured from the plant's own receipts: per supplier and part, the days from the
order being sent to each receipt against it, over the last `LAST_N` receipts (median and spread, the
spread being the longest minus the shortest). What to order uses the median once there are at least
`MIN_RECEIPTS` and says so; with fewer it keeps the lead time typed on the supplier or the part."""

from __future__ import annotations

import statistics
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import exists, func, select, tuple_
from sqlalchemy.orm import Session, aliased

from desktop.db import Database
from desktop.models import Part, PurchaseOrder, PurchaseOrderLine, PurchaseReceipt, StockMove, Supplier
from desktop.services.common import as_driver_gives, days_between

LAST_N = 10
_Reversal = aliased(StockMove)  # a reversed receipt is no delivery
MIN_RECEIPTS = 3


@dataclass(frozen=True)
class LeadTime:
    supplier_id: int
    part_id: int
    supplier_name: str
    part_number: str
    receipts: int  # how many receipts the figures are over (at most LAST_N)
    median_days: float
    spread_days: float  # longest - shortest of those receipts

    @property
    def enough(self) -> bool:
        return self.receipts >= MIN_RECEIPTS

    @property
    def source(self) -> str:
        """How planning says it uses it: 'measured over 5 receipts'."""
        return f"measured over {self.receipts} receipts"


def planning_days(timed: LeadTime | None) -> int | None:
    """The lead time planning uses from the measured one: the median in whole days (at least one, as
    typed lead times are) once there are MIN_RECEIPTS receipts; None before (keep the typed one)."""
    if timed is None or not timed.enough:
        return None
    return max(round(timed.median_days), 1)


def lead_times_in(
    s: Session,
    *,
    supplier_id: int | None = None,
    part_ids: Collection[int] | None = None,
    min_receipts: int = 1,
) -> dict[tuple[int, int], LeadTime]:
    """(supplier id, part id) -> its measured lead time, for every pair with at least `min_receipts`
    receipts on sent orders (planning asks for MIN_RECEIPTS: it uses no figure over fewer)."""
    stmt = (
        select(
            PurchaseOrder.supplier_id,
            PurchaseOrderLine.part_id,
            as_driver_gives(days_between(s, PurchaseOrder.sent_at, StockMove.at)),
            as_driver_gives(StockMove.at),  # only sorted: SQLite's ISO text sorts as the time does
            StockMove.id,
            Supplier.name,
            Part.part_number,
        )
        .select_from(PurchaseReceipt)
        .join(PurchaseOrderLine, PurchaseOrderLine.id == PurchaseReceipt.line_id)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
        .join(StockMove, StockMove.id == PurchaseReceipt.move_id)
        .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
        .join(Part, Part.id == PurchaseOrderLine.part_id)
        .where(
            PurchaseOrder.sent_at.is_not(None), ~exists().where(_Reversal.reverses_move_id == StockMove.id)
        )
    )
    if supplier_id is not None:
        stmt = stmt.where(PurchaseOrder.supplier_id == supplier_id)
    if part_ids is not None:
        stmt = stmt.where(PurchaseOrderLine.part_id.in_(list(part_ids)))
    if min_receipts > 1:  # most pairs have one or two receipts: those are not read at all
        pairs = (
            select(PurchaseOrder.supplier_id, PurchaseOrderLine.part_id)
            .select_from(PurchaseReceipt)
            .join(PurchaseOrderLine, PurchaseOrderLine.id == PurchaseReceipt.line_id)
            .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
            .group_by(PurchaseOrder.supplier_id, PurchaseOrderLine.part_id)
            .having(func.count() >= min_receipts)
        )
        stmt = stmt.where(tuple_(PurchaseOrder.supplier_id, PurchaseOrderLine.part_id).in_(pairs))
    days: dict[tuple[int, int], list[float]] = {}
    names: dict[tuple[int, int], tuple[str, str]] = {}
    # Newest receipt first, sorted here: an ORDER BY on the ledger's time makes SQLite walk the whole
    # ledger by its time index (seconds on a plant) instead of starting from the receipts. Plain rows,
    # the days worked out in SQL: a receipt of every order of the plant's history is read.
    rows = sorted(s.connection().execute(stmt).all(), key=lambda r: (r[3], r[4]), reverse=True)
    for sup, part, span, _at, _move, supplier, number in rows:
        names[sup, part] = (supplier, number)
        spans = days.setdefault((sup, part), [])
        if len(spans) < LAST_N:
            spans.append(max(float(span), 0.0))
    return {
        key: LeadTime(*key, *names[key], len(spans), statistics.median(spans), max(spans) - min(spans))
        for key, spans in days.items()
        if len(spans) >= max(min_receipts, 1)
    }


def lead_times(db: Database, *, supplier_id: int | None = None) -> list[LeadTime]:
    """Every measured supplier/part lead time (of one supplier), longest median first."""
    found = db.read(lambda s: lead_times_in(s, supplier_id=supplier_id))
    return sorted(found.values(), key=lambda x: (-x.median_days, x.supplier_id, x.part_id))
