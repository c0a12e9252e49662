"""How suppliers deliver: on-time in-full, measured lead time, open and late lines.

A line counts for on-time in-full (OTIF) when its order was sent within the window and the line is due
(needed by today or earlier) or complete. It is on time in full when every unit ordered had arrived by
its needed-by date (a line without one: by the day it completed). Open lines are on orders still
expected (DRAFT, SENT, PARTLY RECEIVED) with something to come; late ones were needed before today.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models import PurchaseOrder, PurchaseOrderLine, PurchaseReceipt, StockMove, Supplier
from desktop.models.enums import ON_ORDER_STATES
from desktop.services.common import as_utc
from desktop.services.purchasing.lead_times import lead_times_in


@dataclass(frozen=True)
class SupplierPerformance:
    supplier: str
    lines_due: int  # lines that count for OTIF
    on_time_in_full: int
    median_lead_days: float | None  # over the supplier's measured part lead times
    open_lines: int
    late_lines: int

    @property
    def otif(self) -> Decimal | None:
        """Share of lines on time in full (0..1); None before any line counts."""
        return Decimal(self.on_time_in_full) / self.lines_due if self.lines_due else None


def supplier_performance_in(
    s: Session, *, months: int, today: date | None = None
) -> list[SupplierPerformance]:
    day = today or date.today()
    since = datetime.combine(day - timedelta(days=round(months * 30.44)), datetime.min.time()).astimezone()
    ordered = PurchaseOrderLine.packs * PurchaseOrderLine.pack_size
    last_receipt = (
        select(PurchaseReceipt.line_id, func.max(StockMove.at).label("at"))
        .join(StockMove, StockMove.id == PurchaseReceipt.move_id)
        .group_by(PurchaseReceipt.line_id)
        .subquery()
    )
    rows = s.execute(
        select(
            Supplier.name,
            PurchaseOrder.state,
            PurchaseOrder.sent_at,
            PurchaseOrderLine.needed_by,
            PurchaseOrderLine.received_qty,
            ordered,
            last_receipt.c.at,
        )
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
        .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
        .outerjoin(last_receipt, last_receipt.c.line_id == PurchaseOrderLine.id)
    ).tuples()
    due: dict[str, int] = defaultdict(int)
    good: dict[str, int] = defaultdict(int)
    open_: dict[str, int] = defaultdict(int)
    late: dict[str, int] = defaultdict(int)
    names: set[str] = set()
    for name, state, sent, needed, got, want, last in rows:
        names.add(name)
        complete = Decimal(got) >= Decimal(want)
        if state in ON_ORDER_STATES and not complete:
            open_[name] += 1
            if needed is not None and needed < day:
                late[name] += 1
        if sent is None or as_utc(sent) < since:
            continue
        if complete or (needed is not None and needed <= day):
            due[name] += 1
            arrived = as_utc(last).astimezone().date() if complete and last is not None else None
            if arrived is not None and (needed is None or arrived <= needed):
                good[name] += 1
    leads: dict[str, list[float]] = defaultdict(list)
    for timed in lead_times_in(s).values():
        leads[timed.supplier_name].append(timed.median_days)
    return [
        SupplierPerformance(
            name,
            due[name],
            good[name],
            statistics.median(leads[name]) if leads[name] else None,
            open_[name],
            late[name],
        )
        for name in sorted(names, key=str.upper)
    ]
