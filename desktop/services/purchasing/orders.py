"""Purchase orders: the order and its lines as read, and a new order made (by hand, or by the sources).

Quantities: a line orders `packs` of the supplier's pack of `pack_size` part units at `unit_price` per
pack; what is received is counted in part units. A line left without a pack size or price takes the
supplier's part row (its pack and price) and, without one, a pack of 1 at the part's unit cost.

What is on order per part is in `on_order`; changing an order (its draft lines, send, cancel, close) in
`order_changes`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, aliased

from desktop.db import Database
from desktop.errors import NotFound, UserError
from desktop.models import KanbanCard, Part, PartSupplier, PurchaseOrder, PurchaseOrderLine, Supplier, User
from desktop.models.enums import ON_ORDER_STATES, PoState
from desktop.quantities import format_qty, money
from desktop.services.actor import Actor, Permission
from desktop.services.admin.audit import record
from desktop.services.catalogue.units import check_qty_for_unit
from desktop.services.common import as_utc, clean_text
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


def add_line_in(s: Session, po: PurchaseOrder, line_no: int, data: LineInput) -> PurchaseOrderLine:
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
        add_line_in(s, po, n, data)
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


def describe_line(line: LineDTO) -> str:
    pack = f" ({format_qty(line.packs)} x {format_qty(line.pack_size)})" if line.pack_size != 1 else ""
    return f"{format_qty(line.ordered_qty)} {line.unit}{pack} of {line.part_number}"
