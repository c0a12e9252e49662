"""Receiving against a purchase order: one ledger RECEIPT per receipt, the order's line counted up.

- The order row is locked first (PostgreSQL `SELECT ... FOR UPDATE`; SQLite has one writer), so two PCs
  receiving the same delivery queue: the second sees what the first received and is told what is left.
- A receipt may take a line up to the plant's over-receipt tolerance above what was ordered; beyond it
  only a supervisor or administrator may confirm it (the receipt records who).
- The bin is the one given, else the loop's line location for a kanban line, else the part's usual bin
  (where its last receipt went, else where most of it is), never a quarantine or inactive location.
- A part on several lines goes to the first open line that takes the whole quantity.
- The line's kanban card becomes FULL when the line is received in full; the order becomes
  PARTLY_RECEIVED, then RECEIVED when every line is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import Conflict, NotFound, PermissionDenied, UserError
from desktop.models import (
    KanbanCard,
    KanbanLoop,
    Location,
    Part,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    StockBalance,
    StockMove,
)
from desktop.models.enums import ON_ORDER_STATES, LocationType, MoveKind, PoState
from desktop.quantities import exact_qty, format_qty
from desktop.services.actor import Actor, Permission
from desktop.services.kanban.loops import CardStatus, change_card
from desktop.services.lots.receiving import lot_for_receipt
from desktop.services.purchasing.order_changes import locked_order, set_state, state_text
from desktop.services.purchasing.orders import LineDTO, line_dto
from desktop.services.purchasing.settings import read_purchasing
from desktop.services.stock.moves import HALF_UNIT, MoveDTO, MoveRequest, post_in


@dataclass(frozen=True)
class ReceiptRequest:
    order_id: int
    part_id: int
    qty: Decimal  # part units
    location_id: int | None = None  # None: the usual bin (see the module)
    line_id: int | None = None  # which line, when the part is on several (default: the first still open)
    confirm_over: bool = False  # a supervisor confirms a receipt beyond the tolerance
    posting_key: str | None = None  # a retry with the same key posts nothing twice
    lot: str | None = None  # a tracked part's lot or serial, typed or its GS1-128 label (services.lots)
    expires_on: date | None = None


@dataclass(frozen=True)
class ReceiptResult:
    order_id: int
    number: str
    state: str  # the order's state after the receipt
    open_lines: int  # lines of the order still expected
    line: LineDTO
    move: MoveDTO
    card_filled: str | None  # the kanban card that became FULL
    duplicate: bool = False

    @property
    def message(self) -> str:
        text = f"{self.number} line {self.line.line_no}: {self.move.summary()}"
        left = self.line.open_qty
        text += f"; {format_qty(left)} {self.line.unit} still open" if left > 0 else "; line complete"
        if self.card_filled:
            text += f"; card {self.card_filled} full"
        return f"{text} ({state_text(self.state)})"


def receive(db: Database, actor: Actor, req: ReceiptRequest) -> ReceiptResult:
    """Receive `qty` of a part against an order, in one transaction (see the module)."""
    actor.require(Permission.MOVE_STOCK)
    if req.qty <= 0:
        raise UserError("The quantity must be more than zero.", field="qty")
    return db.write(lambda s: receive_in(s, actor, req))


def receive_in(s: Session, actor: Actor, req: ReceiptRequest) -> ReceiptResult:
    if req.posting_key:
        done = _keyed_receipt(s, actor, req)
        if done is not None:
            return done
    po = locked_order(s, req.order_id)
    if po.state in (PoState.DRAFT, PoState.CANCELLED, PoState.CLOSED):
        hint = "send it first" if po.state == PoState.DRAFT else "nothing can be received against it"
        raise Conflict(f"{po.number} is {state_text(po.state)}: {hint}.", field="order")
    line = _line_for(s, po, req)
    part = s.get(Part, line.part_id)
    assert part is not None  # a line's part is a foreign key
    ordered = Decimal(line.packs) * Decimal(line.pack_size)
    received = Decimal(line.received_qty)
    over = _check_tolerance(s, actor, po, line, part, req, ordered, received)
    bin_id = req.location_id or default_bin(s, line)
    if bin_id is None:
        raise UserError(
            f"{part.part_number} has no usual bin yet: scan or type the bin it goes into.", field="location"
        )
    # a tracked part's lot, made on its first receipt with the order's supplier as where it came from
    lot_id = lot_for_receipt(s, part, req.lot, req.expires_on, po.supplier_id, req.qty, today=date.today())
    posted = post_in(
        s,
        actor,
        MoveRequest(
            MoveKind.RECEIPT,
            part.id,
            req.qty,
            to_location_id=bin_id,
            reason=f"purchase order {po.number} line {line.line_no}",
            reference=f"{po.number}/{line.line_no}",
            posting_key=req.posting_key,
            lot_id=lot_id,
        ),
    )
    line.received_qty = received + req.qty
    s.add(
        PurchaseReceipt(
            line_id=line.id, move_id=posted.move.id, confirmed_by_id=actor.user_id if over else None
        )
    )
    filled = None
    if line.kanban_card_id is not None and line.received_qty >= ordered:
        card = s.get(KanbanCard, line.kanban_card_id)
        if card is not None and card.status in (CardStatus.ORDERED, CardStatus.IN_TRANSIT, CardStatus.EMPTY):
            change_card(
                s, actor, card, CardStatus.FULL, move_id=posted.move.id, note=f"{po.number}/{line.line_no}"
            )
            filled = card.code
    open_lines = _advance(s, actor, po)
    return ReceiptResult(po.id, po.number, po.state, open_lines, _line_of(s, line, part), posted.move, filled)


def part_on_order(db: Database, order_id: int, code: str) -> int:
    """The part of an order a scanned or typed code names: the line's supplier part number, or anything
    the scan box resolves to a part (P- label, part number, manufacturer's or a supplier's number)."""

    def op(s: Session) -> int:
        from desktop.codes import normalize_scan
        from desktop.services.catalogue.scan import (
            resolve_in,  # the scan box imports purchasing: import when used
        )

        key = normalize_scan(code)
        number = s.scalar(select(PurchaseOrder.number).where(PurchaseOrder.id == order_id))
        if number is None:
            raise NotFound(f"Purchase order #{order_id} does not exist.", field="order")
        lines = s.execute(
            select(PurchaseOrderLine.part_id, PurchaseOrderLine.supplier_part_number).where(
                PurchaseOrderLine.order_id == order_id
            )
        ).tuples()
        on_order: dict[int, str | None] = dict(lines.all())
        ids = {pid for pid, sku in on_order.items() if sku and sku.upper() == key}
        if not ids:
            found = resolve_in(s, key)
            named = [found.part] if found.part is not None else list(found.candidates)
            ids = {p.id for p in named if p.id in on_order}
        if len(ids) == 1:
            return ids.pop()
        if not ids:
            raise Conflict(f"{key} is not on {number}.", field="part")
        numbers = sorted(s.scalars(select(Part.part_number).where(Part.id.in_(ids))))
        raise Conflict(
            f"{key} names {len(ids)} parts on {number} ({', '.join(numbers)}): scan our part label.",
            field="part",
        )

    return db.read(op)


def unreceive_in(s: Session, actor: Actor, move_id: int, qty: Decimal) -> None:
    """A receipt against an order is being reversed (stock.history.reverse_move): its line counts it back
    out and the order's state follows (RECEIVED -> PARTLY_RECEIVED -> SENT); a closed or cancelled order
    keeps its state. Called before the mirror move is posted: the order is locked before the balances, as in
    `receive_in`, so a receipt and a reversal cannot deadlock. Any other move: nothing to do."""
    line_id = s.scalar(select(PurchaseReceipt.line_id).where(PurchaseReceipt.move_id == move_id))
    if line_id is None:
        return
    order_id = s.scalar(select(PurchaseOrderLine.order_id).where(PurchaseOrderLine.id == line_id))
    po = locked_order(s, int(order_id or 0))
    line = s.get(PurchaseOrderLine, line_id)
    assert line is not None
    line.received_qty = max(Decimal(line.received_qty) - qty, Decimal(0))
    if po.state not in (PoState.PARTLY_RECEIVED, PoState.RECEIVED):
        return
    s.flush()
    fill = _fill(s, po.id)
    if all(got >= want for got, want in fill):
        return
    anything = any(got > HALF_UNIT * 2 for got, _want in fill)
    set_state(
        s, actor, po, PoState.PARTLY_RECEIVED if anything else PoState.SENT, f"receipt #{move_id} reversed"
    )


def open_line_of_card(s: Session, card_id: int) -> tuple[int, int, Decimal] | None:
    """(order id, line id, quantity still open) of the open order line a kanban card was ordered on."""
    ordered = PurchaseOrderLine.packs * PurchaseOrderLine.pack_size
    row = s.execute(
        select(PurchaseOrderLine.order_id, PurchaseOrderLine.id, ordered - PurchaseOrderLine.received_qty)
        .join(PurchaseOrder, PurchaseOrder.id == PurchaseOrderLine.order_id)
        .where(
            PurchaseOrderLine.kanban_card_id == card_id,
            PurchaseOrder.state.in_(ON_ORDER_STATES),
            PurchaseOrderLine.received_qty < ordered,
        )
        .order_by(PurchaseOrderLine.id.desc())
        .limit(1)
    ).first()
    return (row[0], row[1], exact_qty(Decimal(row[2]))) if row is not None else None


def _keyed_receipt(s: Session, actor: Actor, req: ReceiptRequest) -> ReceiptResult | None:
    """A retry of a receipt already saved under its key: the same answer, nothing posted twice."""
    move_id = s.scalar(select(StockMove.id).where(StockMove.posting_key == req.posting_key))
    if move_id is None:
        return None
    line_id = s.scalar(select(PurchaseReceipt.line_id).where(PurchaseReceipt.move_id == move_id))
    if line_id is None:
        raise Conflict(
            f"The key {req.posting_key} was used for another move: a receipt needs a new key.", field="key"
        )
    line = s.get(PurchaseOrderLine, line_id)
    assert line is not None
    # post_in compares the request with the move saved under the key, and refuses a different one
    again = post_in(
        s,
        actor,
        MoveRequest(
            MoveKind.RECEIPT,
            req.part_id,
            req.qty,
            to_location_id=req.location_id
            or s.scalar(select(StockMove.to_location_id).where(StockMove.id == move_id)),
            reason=f"purchase order {_number(s, line.order_id)} line {line.line_no}",
            reference=f"{_number(s, line.order_id)}/{line.line_no}",
            posting_key=req.posting_key,
        ),
    )
    po = s.get(PurchaseOrder, line.order_id)
    part = s.get(Part, line.part_id)
    assert po is not None and part is not None
    fill = _fill(s, po.id)
    open_lines = sum(1 for got, want in fill if got < want) if po.state in ON_ORDER_STATES else 0
    return ReceiptResult(
        po.id, po.number, po.state, open_lines, _line_of(s, line, part), again.move, None, duplicate=True
    )


def _number(s: Session, order_id: int) -> str:
    return s.scalar(select(PurchaseOrder.number).where(PurchaseOrder.id == order_id)) or "?"


def _line_for(s: Session, po: PurchaseOrder, req: ReceiptRequest) -> PurchaseOrderLine:
    lines = list(
        s.scalars(
            select(PurchaseOrderLine)
            .where(PurchaseOrderLine.order_id == po.id, PurchaseOrderLine.part_id == req.part_id)
            .order_by(PurchaseOrderLine.line_no)
        )
    )
    if req.line_id is not None:
        lines = [line for line in lines if line.id == req.line_id]
    if not lines:
        number = s.scalar(select(Part.part_number).where(Part.id == req.part_id))
        if number is None:
            raise NotFound(f"Part #{req.part_id} does not exist.", field="part")
        raise Conflict(
            f"{number} is not on {po.number}{' (that line)' if req.line_id else ''}.", field="part"
        )
    still_open = [line for line in lines if line.received_qty < line.packs * line.pack_size]
    # the part on several lines: the first open line that takes the whole quantity, else the first open one
    fits = [line for line in still_open if line.received_qty + req.qty <= line.packs * line.pack_size]
    return (fits or still_open or lines)[0]


def _check_tolerance(
    s: Session,
    actor: Actor,
    po: PurchaseOrder,
    line: PurchaseOrderLine,
    part: Part,
    req: ReceiptRequest,
    ordered: Decimal,
    received: Decimal,
) -> bool:
    """Whether the receipt goes beyond the tolerance (then confirmed by a supervisor), else refused."""
    pct = read_purchasing(s).over_receipt_pct
    limit = ordered * (1 + pct / 100)
    if received + req.qty <= limit + HALF_UNIT:
        return False
    if req.confirm_over:
        if not actor.can(Permission.APPROVE_RECEIPTS):
            raise PermissionDenied(
                f"{actor.display_name} ({actor.role.value.lower()}) may not confirm an over-receipt: "
                "a supervisor or administrator does.",
                field="qty",
            )
        return True
    left, most = max(ordered - received, Decimal(0)), max(limit - received, Decimal(0))
    unit = part.unit
    raise Conflict(
        f"{part.part_number} on {po.number} line {line.line_no}: ordered {format_qty(ordered)} {unit}, "
        f"received {format_qty(received)}, {format_qty(left)} left (up to {format_qty(most)} "
        f"with the {format_qty(pct)} % tolerance): cannot receive {format_qty(req.qty)}. "
        "A supervisor can confirm an over-receipt.",
        field="qty",
    )


def default_bin(s: Session, line: PurchaseOrderLine) -> int | None:
    """Where a line's goods go when no bin is given (see the module)."""
    if line.kanban_card_id is not None:
        found = s.scalar(
            select(KanbanLoop.consumption_location_id)
            .join(KanbanCard, KanbanCard.loop_id == KanbanLoop.id)
            .where(KanbanCard.id == line.kanban_card_id)
        )
        if found is not None:
            return found
    return usual_bin(s, line.part_id)


def usual_bin(s: Session, part_id: int) -> int | None:
    """The bin the part's last receipt went to, else the bin holding most of it; usable bins only."""
    usable = (Location.active, Location.type != LocationType.QUARANTINE.value)
    last = s.scalar(
        select(StockMove.to_location_id)
        .join(Location, Location.id == StockMove.to_location_id)
        .where(StockMove.part_id == part_id, StockMove.kind == MoveKind.RECEIPT.value, *usable)
        .order_by(StockMove.id.desc())
        .limit(1)
    )
    if last is not None:
        return last
    return s.scalar(
        select(StockBalance.location_id)
        .join(Location, Location.id == StockBalance.location_id)
        .where(StockBalance.part_id == part_id, StockBalance.qty > 0, *usable)
        .order_by(StockBalance.qty.desc(), StockBalance.location_id)
        .limit(1)
    )


# received and ordered quantity of every line of an order (built once: this runs on every receipt)
_FILL = select(PurchaseOrderLine.received_qty, PurchaseOrderLine.packs * PurchaseOrderLine.pack_size).where(
    PurchaseOrderLine.order_id == bindparam("o")
)


def _fill(s: Session, order_id: int) -> list[tuple[Decimal, Decimal]]:
    """(received + half a unit of the last place, ordered) per line: SQLite keeps decimals as doubles."""
    rows = s.connection().execute(_FILL, {"o": order_id}).tuples()
    return [(Decimal(got) + HALF_UNIT, Decimal(want)) for got, want in rows]


def _advance(s: Session, actor: Actor, po: PurchaseOrder) -> int:
    """PARTLY_RECEIVED, or RECEIVED once every line is in; returns how many lines are still open."""
    s.flush()
    open_lines = sum(1 for got, want in _fill(s, po.id) if got < want)
    to = PoState.RECEIVED if open_lines == 0 else PoState.PARTLY_RECEIVED
    if po.state != to.value:
        set_state(s, actor, po, to)
    return open_lines


def _line_of(s: Session, line: PurchaseOrderLine, part: Part) -> LineDTO:
    """The line as it stands now, from the rows in hand (no re-read of the whole order)."""
    card = None
    if line.kanban_card_id is not None:
        card = s.scalar(select(KanbanCard.code).where(KanbanCard.id == line.kanban_card_id))
    return line_dto(line, part.part_number, part.description, part.unit, card)
