"""Inventory position, what reorder decisions look at: on hand + on order - reserved.

on hand    every bin's balance of the part, summed.
on order   what is on its way into the plant and not yet received:
           - every purchase-order line of an open order (DRAFT, SENT, PARTLY_RECEIVED) for what it has
             not yet received (ordered - received, never below zero);
           - the containers of PURCHASE and PRODUCTION kanban cards that are ORDERED or IN TRANSIT and not
             on such a line (a card ordered on a PO line is counted once, by its line). A TRANSFER card
             moves stock that is already in the plant, so it adds nothing.
reserved   open reservations for work orders (reserved - issued - released).
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import Select, exists, func, select, union_all
from sqlalchemy.orm import Session

from desktop.models import (
    KanbanCard,
    KanbanLoop,
    PurchaseOrder,
    PurchaseOrderLine,
    Reservation,
    StockBalance,
)
from desktop.models.enums import ON_ORDER_STATES, ReservationStatus
from desktop.quantities import ZERO, exact_sum
from desktop.services.common import as_driver_gives
from desktop.services.kanban.loops import CardStatus, LoopKind
from desktop.services.stock.issue import OPEN_QTY  # the one spelling of "still reserved"

INBOUND_LOOPS = (LoopKind.PURCHASE.value, LoopKind.PRODUCTION.value)
ON_ORDER_CARDS = (CardStatus.ORDERED.value, CardStatus.IN_TRANSIT.value)


class Position(NamedTuple):
    """A tuple, not a dataclass: What to order builds one for every part of the plant (100,000)."""

    on_hand: Decimal = ZERO
    on_order: Decimal = ZERO
    reserved: Decimal = ZERO

    @property
    def position(self) -> Decimal:
        return self.on_hand + self.on_order - self.reserved


def _sums(s: Session, stmt: object) -> dict[int, Decimal]:
    """part id -> quantity, exact to the ledger's places (SQLite sums decimals as doubles). Read on the
    Core connection: plain rows, without the ORM's per-row work (a sum per part of the plant)."""
    rows = s.connection().execute(stmt).all()  # type: ignore[call-overload]
    return {pid: exact_sum(q) for pid, q in rows}


def _on_hand_sums() -> Select[tuple[Any, Any]]:
    total = as_driver_gives(func.sum(StockBalance.qty)).label("qty")
    return select(StockBalance.part_id.label("part_id"), total).group_by(StockBalance.part_id)


def on_hand(s: Session) -> dict[int, Decimal]:
    return _sums(s, _on_hand_sums())


_ORDERED = PurchaseOrderLine.packs * PurchaseOrderLine.pack_size
_OPEN_LINE = (
    PurchaseOrder.id == PurchaseOrderLine.order_id,
    PurchaseOrder.state.in_(ON_ORDER_STATES),
)


def cards_on_order(*columns: Any) -> Select[Any]:
    """`columns` of the kanban cards on order that no open order line carries (see the module)."""
    on_a_line = exists().where(PurchaseOrderLine.kanban_card_id == KanbanCard.id, *_OPEN_LINE)
    return (
        select(*columns)
        .select_from(KanbanLoop)
        .join(KanbanCard, KanbanCard.loop_id == KanbanLoop.id)
        .where(KanbanLoop.kind.in_(INBOUND_LOOPS), KanbanCard.status.in_(ON_ORDER_CARDS), ~on_a_line)
    )


def on_order_sums(part_ids: Collection[int] | None = None) -> Select[tuple[Any, Any]]:
    """(part id, quantity on order) per part with something on order (see the module), of `part_ids`
    only when given: one grouped statement, which the parts list also joins to sort by it in SQL."""
    lines = (
        select(
            PurchaseOrderLine.part_id.label("part_id"),
            (_ORDERED - PurchaseOrderLine.received_qty).label("qty"),
        )
        .join(PurchaseOrder, _OPEN_LINE[0])
        .where(_OPEN_LINE[1], PurchaseOrderLine.received_qty < _ORDERED)
    )
    cards = cards_on_order(KanbanLoop.part_id, KanbanLoop.container_qty)
    if part_ids is not None:
        lines = lines.where(PurchaseOrderLine.part_id.in_(list(part_ids)))
        cards = cards.where(KanbanLoop.part_id.in_(list(part_ids)))
    both = union_all(lines, cards).subquery()
    return select(both.c.part_id, as_driver_gives(func.sum(both.c.qty)).label("qty")).group_by(both.c.part_id)


def on_order(s: Session, part_ids: Collection[int] | None = None) -> dict[int, Decimal]:
    """Quantity on its way into the plant per part (see the module), of `part_ids` only when given."""
    return _sums(s, on_order_sums(part_ids))


def _reserved_sums() -> Select[tuple[Any, Any]]:
    return (
        select(Reservation.part_id.label("part_id"), as_driver_gives(func.sum(OPEN_QTY)).label("qty"))
        .where(Reservation.status == ReservationStatus.OPEN.value)
        .group_by(Reservation.part_id)
    )


def reserved(s: Session) -> dict[int, Decimal]:
    return _sums(s, _reserved_sums())


def joined_positions(stmt: Select[Any], part_id: Any) -> tuple[Select[Any], tuple[Any, Any, Any]]:
    """`stmt` outer-joined to each part's on hand, on order and reserved sums, and those three columns (as
    the driver gives them: `exact_sum` makes them exact): a query over every part that needs only some
    of them by their position (What to order) filters in SQL instead of building all 100,000."""
    sums = [q.subquery() for q in (_on_hand_sums(), on_order_sums(), _reserved_sums())]
    for sub in sums:
        stmt = stmt.outerjoin(sub, sub.c.part_id == part_id)
    held, coming, back = (func.coalesce(sub.c.qty, 0) for sub in sums)
    return stmt, (held, coming, back)


def position_of(on_hand: Any, on_order: Any, reserved: Any) -> Position:
    """A position from the sums joined_positions() read."""
    return Position(exact_sum(on_hand), exact_sum(on_order), exact_sum(reserved))


def positions(s: Session) -> dict[int, Position]:
    """Every part that has stock, something on order or a reservation."""
    held, coming, held_back = on_hand(s), on_order(s), reserved(s)
    return {
        pid: Position(held.get(pid, ZERO), coming.get(pid, ZERO), held_back.get(pid, ZERO))
        for pid in {*held, *coming, *held_back}
    }
