"""Inventory position, what reorder decisions look at: on hand + on order - reserved.

on hand    every bin's balance of the part, summed.
on order   what is on its way into the plant and not yet received: the containers of PURCHASE and
           PRODUCTION kanban cards that are ORDERED or IN TRANSIT. A TRANSFER card moves stock that is
           already in the plant, so it adds nothing. Open purchase-order lines join here when purchasing
           exists: `on_order` is the one function to extend.
reserved   open reservations for work orders (reserved - issued - released).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models import KanbanCard, KanbanLoop, Reservation, StockBalance
from desktop.models.enums import ReservationStatus
from desktop.quantities import exact_qty
from desktop.services.kanban import CardStatus, LoopKind
from desktop.services.stock_issue import OPEN_QTY  # the one spelling of "still reserved"

ZERO = Decimal(0)
INBOUND_LOOPS = (LoopKind.PURCHASE.value, LoopKind.PRODUCTION.value)
ON_ORDER_CARDS = (CardStatus.ORDERED.value, CardStatus.IN_TRANSIT.value)


@dataclass(frozen=True)
class Position:
    on_hand: Decimal = ZERO
    on_order: Decimal = ZERO
    reserved: Decimal = ZERO

    @property
    def position(self) -> Decimal:
        return self.on_hand + self.on_order - self.reserved


def _sums(s: Session, stmt: object) -> dict[int, Decimal]:
    """part id -> quantity, exact to the ledger's places (SQLite sums decimals as doubles)."""
    return {pid: exact_qty(Decimal(q or 0)) for pid, q in s.execute(stmt).tuples()}  # type: ignore[call-overload]


def on_hand(s: Session) -> dict[int, Decimal]:
    return _sums(s, select(StockBalance.part_id, func.sum(StockBalance.qty)).group_by(StockBalance.part_id))


def on_order(s: Session) -> dict[int, Decimal]:
    """Quantity on its way into the plant per part (see the module)."""
    return _sums(
        s,
        select(KanbanLoop.part_id, func.sum(KanbanLoop.container_qty))
        .join(KanbanCard, KanbanCard.loop_id == KanbanLoop.id)
        .where(KanbanLoop.kind.in_(INBOUND_LOOPS), KanbanCard.status.in_(ON_ORDER_CARDS))
        .group_by(KanbanLoop.part_id),
    )


def reserved(s: Session) -> dict[int, Decimal]:
    return _sums(
        s,
        select(Reservation.part_id, func.sum(OPEN_QTY))
        .where(Reservation.status == ReservationStatus.OPEN.value)
        .group_by(Reservation.part_id),
    )


def positions(s: Session) -> dict[int, Position]:
    """Every part that has stock, something on order or a reservation."""
    held, coming, held_back = on_hand(s), on_order(s), reserved(s)
    return {
        pid: Position(held.get(pid, ZERO), coming.get(pid, ZERO), held_back.get(pid, ZERO))
        for pid in {*held, *coming, *held_back}
    }
