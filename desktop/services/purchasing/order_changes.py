"""Changing a purchase order: lines added, edited or deleted while it is a DRAFT, then send, cancel, close.

States: DRAFT -> SENT -> PARTLY_RECEIVED -> RECEIVED (receiving.py moves these two), then CLOSED;
DRAFT or SENT with nothing received -> CANCELLED. Every state change names who made it, is audited,
and locks the order row first (PostgreSQL), so a receipt and a cancel cannot cross.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import Conflict, NotFound, UserError
from desktop.models import KanbanCard, Part, PurchaseOrder, PurchaseOrderLine
from desktop.models.enums import PoState
from desktop.quantities import format_money, format_qty
from desktop.services.actor import Actor, Permission
from desktop.services.admin.audit import record
from desktop.services.catalogue.units import check_qty_for_unit
from desktop.services.common import clean_text
from desktop.services.kanban.loops import CardStatus, change_card
from desktop.services.purchasing.orders import MAX_LINES, LineInput, OrderDTO, add_line_in, order_dto


def add_lines(db: Database, actor: Actor, order_id: int, lines: Sequence[LineInput]) -> OrderDTO:
    """More lines on a DRAFT order."""
    actor.require(Permission.PURCHASE)
    if not lines:
        raise UserError("No lines to add.", field="lines")

    def op(s: Session) -> OrderDTO:
        po = locked_draft(s, order_id, "lines are added to")
        top = (
            s.scalar(
                select(PurchaseOrderLine.line_no)
                .where(PurchaseOrderLine.order_id == po.id)
                .order_by(PurchaseOrderLine.line_no.desc())
                .limit(1)
            )
            or 0
        )
        if top + len(lines) > MAX_LINES:
            raise UserError(f"A purchase order has at most {MAX_LINES} lines.", field="lines")
        for n, data in enumerate(lines, start=top + 1):
            add_line_in(s, po, n, data)
        return _changed(s, actor, po, "po.add_lines", f"added {len(lines)} line(s) to {po.number}")

    return db.write(op)


@dataclass(frozen=True)
class LineChange:
    """A draft line as it is to be: how many packs, the price per pack and the needed-by date."""

    packs: Decimal
    unit_price: Decimal
    needed_by: date | None


def _draft_line(s: Session, line_id: int, doing: str) -> tuple[PurchaseOrder, PurchaseOrderLine, Part]:
    """The line, its order locked (a receipt or a send cannot cross the change), and its part."""
    order_id = s.scalar(select(PurchaseOrderLine.order_id).where(PurchaseOrderLine.id == line_id))
    if order_id is None:
        raise NotFound(f"Order line #{line_id} does not exist (deleted meanwhile?).", field="line")
    po = locked_draft(s, order_id, doing)
    line = s.get(PurchaseOrderLine, line_id)
    part = s.get(Part, line.part_id) if line is not None else None
    if line is None or part is None:
        raise NotFound(f"Order line #{line_id} does not exist (deleted meanwhile?).", field="line")
    return po, line, part


def edit_line(db: Database, actor: Actor, line_id: int, change: LineChange) -> OrderDTO:
    """Quantity (packs), price per pack and needed-by of a line on a DRAFT order; audited, old -> new."""
    actor.require(Permission.PURCHASE)
    if change.packs <= 0:
        raise UserError("The quantity must be above zero.", field="qty")
    if change.unit_price < 0:
        raise UserError("A price cannot be negative.", field="price")

    def op(s: Session) -> OrderDTO:
        po, line, part = _draft_line(s, line_id, "lines are changed on")
        check_qty_for_unit(change.packs * Decimal(line.pack_size), part.unit)
        old_price = Decimal(line.unit_price) if line.unit_price is not None else None
        said = []
        if Decimal(line.packs) != change.packs:
            said.append(f"packs {format_qty(Decimal(line.packs))} -> {format_qty(change.packs)}")
        if old_price != change.unit_price:
            said.append(f"price {_money_text(old_price)} -> {_money_text(change.unit_price)}")
        if line.needed_by != change.needed_by:
            said.append(f"needed by {_day_text(line.needed_by)} -> {_day_text(change.needed_by)}")
        if not said:
            return order_dto(s, po.id)
        line.packs, line.unit_price, line.needed_by = change.packs, change.unit_price, change.needed_by
        summary = f"{po.number}/{line.line_no} {part.part_number}: {', '.join(said)}"
        return _changed(s, actor, po, "po.edit_line", summary)

    return db.write(op)


def delete_line(db: Database, actor: Actor, line_id: int) -> OrderDTO:
    """Take a line off a DRAFT order (its kanban card goes back to EMPTY, to be ordered again); the
    other lines keep their numbers. The last line stays: cancel the order instead."""
    actor.require(Permission.PURCHASE)

    def op(s: Session) -> OrderDTO:
        po, line, part = _draft_line(s, line_id, "lines are deleted from")
        count = s.scalar(select(func.count()).where(PurchaseOrderLine.order_id == po.id)) or 0
        if count <= 1:
            raise Conflict(f"Line {line.line_no} is the last line of {po.number}: cancel the order instead.")
        what = (
            f"{format_qty(Decimal(line.packs) * Decimal(line.pack_size))} {part.unit} of {part.part_number}"
        )
        _release_cards(s, actor, po, [line], note=f"{po.number}/{line.line_no} deleted")
        s.delete(line)
        return _changed(s, actor, po, "po.delete_line", f"{po.number}: deleted line {line.line_no} ({what})")

    return db.write(op)


def _changed(s: Session, actor: Actor, po: PurchaseOrder, action: str, summary: str) -> OrderDTO:
    """A draft's lines were changed: who changed the order last, the audit line, the order as it is now."""
    po.changed_by_id = actor.user_id
    s.flush()
    record(s, actor.user_id, action, "purchase_order", po.id, summary)
    return order_dto(s, po.id)


def _money_text(value: Decimal | None) -> str:
    return format_money(value) if value is not None else "(none)"


def _day_text(value: date | None) -> str:
    return value.isoformat() if value is not None else "(none)"


# --- state changes -------------------------------------------------------------------------------------


def state_text(state: str) -> str:
    return state.lower().replace("_", " ")


def locked_order(s: Session, order_id: int) -> PurchaseOrder:
    """The order row, locked until the transaction ends (PostgreSQL; SQLite has one writer anyway)."""
    po = s.scalar(select(PurchaseOrder).where(PurchaseOrder.id == order_id).with_for_update())
    if po is None:
        raise NotFound(f"Purchase order #{order_id} does not exist.", field="order")
    # The order or its lines change now: its stamp is what other PCs watch (services/changes.py reads
    # the orders, not the plant's tens of thousands of lines, at every poll).
    po.updated_at = func.now()
    return po


def locked_draft(s: Session, order_id: int, doing: str) -> PurchaseOrder:
    """The order, locked, when it is a DRAFT: what is sent is the supplier's copy and stays as sent."""
    po = locked_order(s, order_id)
    if po.state != PoState.DRAFT.value:
        raise Conflict(f"{po.number} is {state_text(po.state)}: {doing} drafts only.", field="order")
    return po


def set_state(s: Session, actor: Actor, po: PurchaseOrder, to: PoState, note: str | None = None) -> None:
    before = po.state
    po.state = to.value
    po.changed_by_id = actor.user_id
    s.flush()
    summary = f"{po.number}: {state_text(before)} -> {state_text(to.value)}"
    record(s, actor.user_id, "po.state", "purchase_order", po.id, summary + (f" ({note})" if note else ""))


def _transition(
    db: Database,
    actor: Actor,
    order_id: int,
    to: PoState,
    allowed: tuple[PoState, ...],
    reason: str | None,
    permission: Permission,
) -> OrderDTO:
    actor.require(permission)
    why = clean_text(reason, field="reason", label="Reason", max_len=200)

    def op(s: Session) -> OrderDTO:
        po = locked_order(s, order_id)
        if po.state not in allowed:
            raise Conflict(
                f"{po.number} is {state_text(po.state)}: it cannot be {state_text(to.value)} "
                f"(only when {' or '.join(state_text(x.value) for x in allowed)})."
            )
        lines = list(s.scalars(select(PurchaseOrderLine).where(PurchaseOrderLine.order_id == po.id)))
        if to is PoState.SENT:
            if not lines:
                raise Conflict(f"{po.number} has no lines: nothing to send.")
            po.sent_at = datetime.now().astimezone()
        set_state(s, actor, po, to, why)
        if to in (PoState.CANCELLED, PoState.CLOSED):
            _release_cards(s, actor, po, lines)
        return order_dto(s, po.id)

    return db.write(op)


def _release_cards(
    s: Session, actor: Actor, po: PurchaseOrder, lines: list[PurchaseOrderLine], note: str | None = None
) -> None:
    """Kanban cards of lines that will not arrive in full go back to EMPTY: they are to be ordered again."""
    for line in lines:
        if line.kanban_card_id is None or line.received_qty >= line.packs * line.pack_size:
            continue
        card = s.get(KanbanCard, line.kanban_card_id)
        if card is not None and card.status in (CardStatus.ORDERED, CardStatus.IN_TRANSIT):
            change_card(s, actor, card, CardStatus.EMPTY, note=note or f"{po.number} {state_text(po.state)}")


def send_order(db: Database, actor: Actor, order_id: int) -> OrderDTO:
    """DRAFT -> SENT: the order has gone to the supplier (its lead times count from now)."""
    return _transition(db, actor, order_id, PoState.SENT, (PoState.DRAFT,), None, Permission.PURCHASE)


def cancel_order(db: Database, actor: Actor, order_id: int, reason: str | None = None) -> OrderDTO:
    """DRAFT or SENT, nothing received -> CANCELLED; its kanban cards go back to EMPTY."""
    return _transition(
        db, actor, order_id, PoState.CANCELLED, (PoState.DRAFT, PoState.SENT), reason, Permission.PURCHASE
    )


def close_order(db: Database, actor: Actor, order_id: int, reason: str | None = None) -> OrderDTO:
    """Close (short, by a supervisor): what is still open is no longer expected nor counted on order."""
    return _transition(
        db,
        actor,
        order_id,
        PoState.CLOSED,
        (PoState.SENT, PoState.PARTLY_RECEIVED, PoState.RECEIVED),
        reason,
        Permission.APPROVE_RECEIPTS,
    )
