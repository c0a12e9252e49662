"""Purchase orders: create (by hand), add lines while a draft, send, cancel, close short, read.

States: DRAFT -> SENT -> PARTLY_RECEIVED -> RECEIVED (receiving.py moves these two), then CLOSED;
DRAFT or SENT with nothing received -> CANCELLED. Every state change names who made it, is audited,
and locks the order row first (PostgreSQL), so a receipt and a cancel cannot cross.

Quantities: a line orders `packs` of the supplier's pack of `pack_size` part units at `unit_price` per
pack; what is received is counted in part units. A line left without a pack size or price takes the
supplier's part row (its pack and price) and, without one, a pack of 1 at the part's unit cost.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, aliased

from desktop.db import Database
from desktop.errors import Conflict, NotFound, UserError
from desktop.models import (
    KanbanCard,
    KanbanLoop,
    Part,
    PartSupplier,
    PurchaseOrder,
    PurchaseOrderLine,
    Supplier,
    User,
)
from desktop.models.enums import ON_ORDER_STATES, PoState
from desktop.quantities import exact_qty, format_money, format_qty, money
from desktop.services.actor import Actor, Permission
from desktop.services.admin.audit import record
from desktop.services.catalogue.units import check_qty_for_unit
from desktop.services.common import as_utc, clean_text
from desktop.services.kanban.loops import CardStatus, change_card
from desktop.services.stock.position import cards_on_order
from desktop.services.text_rules import clean_notes

PO_PREFIX = "PO-"
MAX_LINES = 500
_PRICE_PLACES = Decimal("0.0001")  # the column's scale


def po_number(order_id: int) -> str:
    return f"{PO_PREFIX}{order_id:06d}"


@dataclass(frozen=True)
class LineInput:
    part_id: int
    packs: Decimal
    pack_size: Decimal | None = None  # None: the supplier's pack for the part (1 without one)
    unit_price: Decimal | None = None  # per pack; None: the supplier's price, else the part's cost
    supplier_part_number: str | None = None  # None: the supplier's number for the part
    needed_by: date | None = None
    kanban_card_id: int | None = None


@dataclass(frozen=True)
class LineDTO:
    id: int
    line_no: int
    part_id: int
    part_number: str
    description: str
    unit: str
    supplier_part_number: str | None
    packs: Decimal
    pack_size: Decimal
    unit_price: Decimal | None
    needed_by: date | None
    received_qty: Decimal
    kanban_card_code: str | None

    @property
    def ordered_qty(self) -> Decimal:
        """In part units."""
        return self.packs * self.pack_size

    @property
    def open_qty(self) -> Decimal:
        return max(self.ordered_qty - self.received_qty, Decimal(0))

    @property
    def value(self) -> Decimal:
        """Rounded to the cent as printed, so the order's total is the sum of its printed lines."""
        return money(self.packs * (self.unit_price or Decimal(0)))


@dataclass(frozen=True)
class OrderDTO:
    id: int
    number: str
    supplier_id: int
    supplier_name: str
    currency: str | None
    state: str
    notes: str | None
    needed_by: date | None
    created_by: str
    changed_by: str
    created_at: datetime
    changed_at: datetime
    sent_at: datetime | None
    lines: tuple[LineDTO, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.value for line in self.lines), Decimal(0))

    @property
    def open_lines(self) -> int:
        """Lines still expected (none on a closed or cancelled order)."""
        if self.state not in ON_ORDER_STATES:
            return 0
        return sum(1 for line in self.lines if line.open_qty > 0)


# --- reading -------------------------------------------------------------------------------------------


_Creator, _Changer = aliased(User), aliased(User)


def orders_in(s: Session, *where: ColumnElement[bool]) -> list[OrderDTO]:
    """Orders (newest first) with their supplier, people and lines: two queries however many orders."""
    heads = s.execute(
        select(PurchaseOrder, Supplier.name, Supplier.currency, _Creator.display_name, _Changer.display_name)
        .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
        .join(_Creator, _Creator.id == PurchaseOrder.created_by_id)
        .join(_Changer, _Changer.id == PurchaseOrder.changed_by_id)
        .where(*where)
        .order_by(PurchaseOrder.id.desc())
    ).tuples()
    rows = list(heads)
    lines: dict[int, list[LineDTO]] = {po.id: [] for po, *_rest in rows}
    if lines:
        for line, number, description, unit, card in s.execute(
            select(PurchaseOrderLine, Part.part_number, Part.description, Part.unit, KanbanCard.code)
            .join(Part, Part.id == PurchaseOrderLine.part_id)
            .outerjoin(KanbanCard, KanbanCard.id == PurchaseOrderLine.kanban_card_id)
            .where(PurchaseOrderLine.order_id.in_(list(lines)))
            .order_by(PurchaseOrderLine.order_id, PurchaseOrderLine.line_no)
        ).tuples():
            lines[line.order_id].append(line_dto(line, number, description, unit, card))
    return [
        OrderDTO(
            po.id,
            po.number,
            po.supplier_id,
            supplier,
            currency,
            po.state,
            po.notes,
            po.needed_by,
            creator,
            changer,
            as_utc(po.created_at),
            as_utc(po.updated_at),
            as_utc(po.sent_at) if po.sent_at else None,
            tuple(lines[po.id]),
        )
        for po, supplier, currency, creator, changer in rows
    ]


def line_dto(line: PurchaseOrderLine, number: str, description: str, unit: str, card: str | None) -> LineDTO:
    return LineDTO(
        line.id,
        line.line_no,
        line.part_id,
        number,
        description,
        unit,
        line.supplier_part_number,
        Decimal(line.packs),
        Decimal(line.pack_size),
        Decimal(line.unit_price) if line.unit_price is not None else None,
        line.needed_by,
        Decimal(line.received_qty),
        card,
    )


def order_dto(s: Session, order_id: int) -> OrderDTO:
    found = orders_in(s, PurchaseOrder.id == order_id)
    if not found:
        raise NotFound(f"Purchase order #{order_id} does not exist.", field="order")
    return found[0]


def get_order(db: Database, order_id: int) -> OrderDTO:
    return db.read(lambda s: order_dto(s, order_id))


def get_order_id(db: Database, number: str) -> int:
    """PO-000012, po-12 or 12 -> the order's id."""
    text = number.strip().upper()
    digits = text.removeprefix(PO_PREFIX)
    key = po_number(int(digits)) if digits.isdigit() and len(digits) <= 9 else text
    found = db.read(lambda s: s.scalar(select(PurchaseOrder.id).where(PurchaseOrder.number == key)))
    if found is None:
        raise NotFound(f"No purchase order {number.strip()}.", field="order")
    return found


def list_orders(
    db: Database, *, states: Sequence[PoState] = (), supplier_id: int | None = None
) -> list[OrderDTO]:
    where: list[ColumnElement[bool]] = []
    if states:
        where.append(PurchaseOrder.state.in_([x.value for x in states]))
    if supplier_id is not None:
        where.append(PurchaseOrder.supplier_id == supplier_id)
    return db.read(lambda s: orders_in(s, *where))


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


# --- creating ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupplierTerms:
    """What a supplier's part row says about ordering a part from it."""

    supplier_part_number: str | None
    pack_size: Decimal | None
    price: Decimal | None  # per pack
    lead_time_days: int | None


def supplier_terms(s: Session, part_id: int, supplier_id: int) -> SupplierTerms:
    """The supplier's first part row for the part (by the order rows were added), or none."""
    row = s.execute(
        select(
            PartSupplier.supplier_part_number,
            PartSupplier.pack_qty,
            PartSupplier.price,
            PartSupplier.lead_time_days,
        )
        .where(PartSupplier.part_id == part_id, PartSupplier.supplier_id == supplier_id)
        .order_by(PartSupplier.id)
        .limit(1)
    ).first()
    if row is None:
        return SupplierTerms(None, None, None, None)
    pack = Decimal(row[1]) if row[1] is not None and row[1] > 0 else None
    price = Decimal(row[2]) if row[2] is not None else None
    return SupplierTerms(row[0], pack, price, row[3])


def _supplier(s: Session, supplier_id: int) -> Supplier:
    sup = s.get(Supplier, supplier_id)
    if sup is None:
        raise NotFound(f"Supplier #{supplier_id} does not exist.", field="supplier")
    if not sup.active:
        raise UserError(f"Supplier {sup.name} is inactive: no new orders to it.", field="supplier")
    return sup


def _add_line(s: Session, po: PurchaseOrder, line_no: int, data: LineInput) -> PurchaseOrderLine:
    """A checked line with the supplier's defaults filled in."""
    part = s.get(Part, data.part_id)
    if part is None:
        raise NotFound(f"Part #{data.part_id} does not exist.", field="part")
    if not part.active:
        raise UserError(f"{part.part_number} is inactive: it cannot be ordered.", field="part")
    terms = supplier_terms(s, part.id, po.supplier_id)
    pack = data.pack_size if data.pack_size is not None else (terms.pack_size or Decimal(1))
    if data.packs <= 0 or pack <= 0:
        raise UserError(
            f"{part.part_number}: the quantity and the pack size must be above zero.", field="qty"
        )
    check_qty_for_unit(data.packs * pack, part.unit)
    price = data.unit_price
    if price is None and terms.price is not None:
        # the supplier's price is per its own pack: a line in other packs pays its share of it
        per = terms.pack_size or Decimal(1)
        price = terms.price if pack == per else (terms.price * pack / per).quantize(_PRICE_PLACES)
    if price is None:
        price = Decimal(part.unit_cost) * pack
    if price < 0:
        raise UserError(f"{part.part_number}: a price cannot be negative.", field="price")
    sku = clean_text(
        data.supplier_part_number, field="supplier_part_number", label="Supplier part number", max_len=60
    )
    line = PurchaseOrderLine(
        order_id=po.id,
        line_no=line_no,
        part_id=part.id,
        supplier_part_number=sku or terms.supplier_part_number,
        packs=data.packs,
        pack_size=pack,
        unit_price=price,
        needed_by=data.needed_by or po.needed_by,
        received_qty=Decimal(0),
        kanban_card_id=data.kanban_card_id,
    )
    s.add(line)
    return line


def new_order_in(
    s: Session,
    actor: Actor,
    supplier_id: int,
    lines: Sequence[LineInput],
    *,
    notes: str | None = None,
    needed_by: date | None = None,
    origin: str = "by hand",
    numbers: Sequence[int] | None = None,
) -> PurchaseOrder:
    """A DRAFT order with its lines, inside the caller's transaction (the sources add their own changes).
    The lines are numbered 1, 2, 3… unless `numbers` gives each its own (an ERP's item numbers)."""
    actor.require(Permission.PURCHASE)
    if not lines:
        raise UserError("A purchase order needs at least one line.", field="lines")
    if len(lines) > MAX_LINES:
        raise UserError(f"A purchase order has at most {MAX_LINES} lines.", field="lines")
    sup = _supplier(s, supplier_id)
    text = _notes(notes)
    po = PurchaseOrder(
        number=f"tmp-{uuid.uuid4().hex[:16]}",  # the real number comes from the id, below
        supplier_id=sup.id,
        state=PoState.DRAFT.value,
        notes=text,
        needed_by=needed_by,
        created_by_id=actor.user_id,
        changed_by_id=actor.user_id,
    )
    s.add(po)
    s.flush()
    po.number = po_number(po.id)
    for n, data in zip(numbers or range(1, len(lines) + 1), lines, strict=True):
        _add_line(s, po, n, data)
    s.flush()
    record(
        s,
        actor.user_id,
        "po.create",
        "purchase_order",
        po.id,
        f"created {po.number} for {sup.name} ({len(lines)} line(s), {origin})",
    )
    return po


def _notes(notes: str | None) -> str | None:
    text = clean_notes(notes)
    if text and len(text) > 2000:
        raise UserError(f"Notes are too long ({len(text)} characters, at most 2000).", field="notes")
    return text


def create_order(
    db: Database,
    actor: Actor,
    supplier_id: int,
    lines: Sequence[LineInput],
    *,
    notes: str | None = None,
    needed_by: date | None = None,
) -> OrderDTO:
    """A purchase order typed by hand (a DRAFT until it is sent)."""
    actor.require(Permission.PURCHASE)

    def op(s: Session) -> OrderDTO:
        po = new_order_in(s, actor, supplier_id, lines, notes=notes, needed_by=needed_by)
        return order_dto(s, po.id)

    return db.write(op)


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
            _add_line(s, po, n, data)
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


def describe_line(line: LineDTO) -> str:
    pack = f" ({format_qty(line.packs)} x {format_qty(line.pack_size)})" if line.pack_size != 1 else ""
    return f"{format_qty(line.ordered_qty)} {line.unit}{pack} of {line.part_number}"
