"""Purchase orders in one step from what the plant already says it needs: selected lines of What to
order (insight/replenishment.py) and EMPTY purchase-kanban cards. One DRAFT order per supplier;
all of them or none (a part without a supplier, a card that is not empty: nothing is created).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import Conflict, UserError
from desktop.models import KanbanCard, KanbanLoop, Part, PurchaseOrder, PurchaseOrderLine
from desktop.services.actor import Actor, Permission
from desktop.services.kanban.loops import CardStatus, LoopKind, change_card
from desktop.services.purchasing.orders import LineInput, OrderDTO, new_order_in, order_dto, supplier_terms


@dataclass(frozen=True)
class Wanted:
    """A quantity of a part to buy, in part units (a What to order line's order quantity)."""

    part_id: int
    qty: Decimal


def packs_for(qty: Decimal, pack: Decimal | None) -> tuple[Decimal, Decimal]:
    """(packs, pack size) covering `qty` part units: whole supplier packs, rounded up."""
    if pack is None or pack <= 0:
        return qty, Decimal(1)
    return (qty / pack).to_integral_value(rounding=ROUND_CEILING), pack


def orders_from_suggestions(db: Database, actor: Actor, wanted: Sequence[Wanted]) -> list[OrderDTO]:
    """One DRAFT order per default supplier of the parts, each line in whole supplier packs, needed by
    today + the supplier's (else the part's) lead time."""
    actor.require(Permission.PURCHASE)
    if not wanted:
        raise UserError("Select the lines of What to order to put on purchase orders.")
    if any(w.qty <= 0 for w in wanted):
        raise UserError("Every quantity to order must be above zero.", field="qty")

    def op(s: Session) -> list[OrderDTO]:
        parts = {p.id: p for p in s.scalars(select(Part).where(Part.id.in_([w.part_id for w in wanted])))}
        missing = [w.part_id for w in wanted if w.part_id not in parts]
        if missing:
            raise Conflict(f"Part #{missing[0]} does not exist.", field="part")
        orphans = sorted(p.part_number for p in parts.values() if p.default_supplier_id is None)
        if orphans:
            raise UserError(
                f"No default supplier for {', '.join(orphans)}: set one on the part, or order it by hand. "
                "No order was created.",
                field="supplier",
            )
        by_supplier: dict[int, list[LineInput]] = {}
        for w in wanted:
            part = parts[w.part_id]
            supplier_id = part.default_supplier_id
            assert supplier_id is not None
            terms = supplier_terms(s, part.id, supplier_id)
            packs, pack = packs_for(w.qty, terms.pack_size)
            lead = terms.lead_time_days if terms.lead_time_days is not None else part.lead_time_days
            needed = date.today() + timedelta(days=lead) if lead is not None else None
            by_supplier.setdefault(supplier_id, []).append(LineInput(part.id, packs, pack, needed_by=needed))
        ids = [
            new_order_in(s, actor, sup, lines, origin="from What to order").id
            for sup, lines in sorted(by_supplier.items())
        ]
        return [order_dto(s, i) for i in ids]

    return db.write(op)


def orders_from_cards(db: Database, actor: Actor, card_ids: Sequence[int]) -> list[OrderDTO]:
    """One DRAFT order per supplier for EMPTY purchase-kanban cards: one line per card (a container), the
    card becomes ORDERED and its line remembers it."""
    actor.require(Permission.PURCHASE)
    if not card_ids:
        raise UserError("Select the empty kanban cards to order.")

    def op(s: Session) -> list[OrderDTO]:
        rows = s.execute(
            select(KanbanCard, KanbanLoop, Part)
            .join(KanbanLoop, KanbanLoop.id == KanbanCard.loop_id)
            .join(Part, Part.id == KanbanLoop.part_id)
            .where(KanbanCard.id.in_(list(card_ids)))
            .order_by(KanbanCard.id)
            .with_for_update(of=KanbanCard)
        ).tuples()
        found = list(rows)
        if len(found) != len(set(card_ids)):
            raise Conflict("Some of those kanban cards do not exist.", field="cards")
        by_supplier: dict[int, list[tuple[KanbanCard, LineInput]]] = {}
        for card, loop, part in found:
            if loop.kind != LoopKind.PURCHASE.value:
                raise Conflict(
                    f"{card.code} is on a {loop.kind.lower()} loop: only purchase cards are bought."
                )
            if card.status != CardStatus.EMPTY.value:
                raise Conflict(
                    f"{card.code} is {card.status.lower().replace('_', ' ')}, not empty: "
                    "no order was created.",
                    field="cards",
                )
            supplier_id = loop.supplier_id or part.default_supplier_id
            if supplier_id is None:
                raise UserError(f"{card.code} ({part.part_number}) has no supplier.", field="supplier")
            terms = supplier_terms(s, part.id, supplier_id)
            container = Decimal(loop.container_qty)
            # a container that is a whole number of the supplier's packs is ordered in packs
            pack = terms.pack_size if terms.pack_size and container % terms.pack_size == 0 else None
            packs, size = packs_for(container, pack)
            needed = date.today() + timedelta(
                days=int(Decimal(loop.lead_time_days).to_integral_value(ROUND_CEILING))
            )
            by_supplier.setdefault(supplier_id, []).append(
                (card, LineInput(part.id, packs, size, needed_by=needed, kanban_card_id=card.id))
            )
        ids = []
        for sup, items in sorted(by_supplier.items()):
            po = new_order_in(s, actor, sup, [line for _card, line in items], origin="from kanban cards")
            ids.append(po.id)
            for (card, _line), line_no in zip(items, range(1, len(items) + 1), strict=True):
                change_card(s, actor, card, CardStatus.ORDERED, note=f"{po.number}/{line_no}")
        return [order_dto(s, i) for i in ids]

    return db.write(op)


def card_line(db: Database, card_id: int) -> tuple[str, int] | None:
    """The order number and line a kanban card was last ordered on, if any."""
    row = db.read(
        lambda s: s.execute(
            select(PurchaseOrder.number, PurchaseOrderLine.line_no)
            .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
            .where(PurchaseOrderLine.kanban_card_id == card_id)
            .order_by(PurchaseOrderLine.id.desc())
            .limit(1)
        ).first()
    )
    return (row[0], row[1]) if row is not None else None
