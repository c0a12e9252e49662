"""What is on order per part: open purchase-order lines and kanban cards on order on no line, for the part
page's On order tab and the sums beside a part (the spares view, the parts list's On order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.models import KanbanCard, KanbanLoop, Part, PurchaseOrder, PurchaseOrderLine, Supplier
from desktop.models.enums import ON_ORDER_STATES
from desktop.quantities import exact_qty
from desktop.services.common import as_utc
from desktop.services.stock.position import cards_on_order


@dataclass(frozen=True)
class OpenLine:
    """What is still expected of a part: an open order line, or a kanban card on order on no line (no
    order id and line number: `number` is the card's code). What the part page lists under On order."""

    order_id: int | None
    number: str
    supplier_name: str
    state: str
    line_no: int | None
    open_qty: Decimal  # part units
    unit: str
    needed_by: date | None  # a card: when it is due (ordered + its loop's lead time)
    part_id: int = 0

    @property
    def reference(self) -> str:
        """'PO-000012/3', or a card's 'K-00042'."""
        return self.number if self.line_no is None else f"{self.number}/{self.line_no}"


_ORDERED = PurchaseOrderLine.packs * PurchaseOrderLine.pack_size
_STILL_OPEN = (PurchaseOrder.state.in_(ON_ORDER_STATES), PurchaseOrderLine.received_qty < _ORDERED)


def _card_due(since: datetime, lead_days: Decimal) -> date:
    """When a kanban card ordered at `since` is due: its loop's replenishment lead time later."""
    return (as_utc(since) + timedelta(days=float(lead_days))).astimezone().date()


def _cards_of(s: Session, part_ids: Sequence[int]) -> list[OpenLine]:
    """The part's kanban cards on order on no open order line (ordered by phone, in the ERP, or a
    production card), as what the On order tab lists beside order lines."""
    rows = s.execute(
        cards_on_order(
            KanbanLoop.part_id,
            KanbanCard.code,
            Supplier.name,
            KanbanCard.status,
            KanbanLoop.container_qty,
            Part.unit,
            KanbanCard.status_since,
            KanbanLoop.lead_time_days,
            KanbanLoop.kind,
        )
        .join(Part, Part.id == KanbanLoop.part_id)
        .outerjoin(Supplier, Supplier.id == KanbanLoop.supplier_id)
        .where(KanbanLoop.part_id.in_(list(part_ids)))
        .order_by(KanbanCard.status_since, KanbanCard.code)
    ).tuples()
    return [
        OpenLine(
            None,
            code,
            sup or f"{kind.lower()} kanban",
            st,
            None,
            exact_qty(Decimal(q)),
            u,
            _card_due(at, lead),
            pid,
        )
        for pid, code, sup, st, q, u, at, lead, kind in rows
    ]


def _lines_of(s: Session, part_ids: Sequence[int]) -> list[OpenLine]:
    rows = s.execute(
        select(
            PurchaseOrder.id,
            PurchaseOrder.number,
            Supplier.name,
            PurchaseOrder.state,
            PurchaseOrderLine.line_no,
            _ORDERED - PurchaseOrderLine.received_qty,
            Part.unit,
            PurchaseOrderLine.needed_by,
            PurchaseOrderLine.part_id,
        )
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
        .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
        .join(Part, Part.id == PurchaseOrderLine.part_id)
        .where(PurchaseOrderLine.part_id.in_(list(part_ids)), *_STILL_OPEN)
    ).tuples()
    return [
        OpenLine(o, n, sup, st, no, exact_qty(Decimal(q)), u, due, pid)
        for o, n, sup, st, no, q, u, due, pid in rows
    ]


def _soonest(x: OpenLine) -> tuple[bool, date, str]:
    return (x.needed_by is None, x.needed_by or date.max, x.reference)


def coming_in(s: Session, part_ids: Sequence[int]) -> dict[int, tuple[Decimal, date | None]]:
    """part id -> (quantity still to come: open order lines and kanban cards on order on no line, the
    same sum as the parts list's On order; the soonest date one of them is due)."""
    out: dict[int, tuple[Decimal, date | None]] = {}
    for x in sorted([*_lines_of(s, part_ids), *_cards_of(s, part_ids)], key=_soonest):
        qty, due = out.get(x.part_id, (Decimal(0), x.needed_by))
        out[x.part_id] = (qty + x.open_qty, due)
    return out


def open_lines_for_part(db: Database, part_id: int) -> list[OpenLine]:
    """What is still to come of the part: its lines on open orders and its kanban cards on order on no
    line, the soonest due first."""
    return db.read(lambda s: sorted([*_lines_of(s, [part_id]), *_cards_of(s, [part_id])], key=_soonest))
