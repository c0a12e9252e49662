"""Kanban: loops of cards that replenish a line-side location, driven by scans.

Card cycle:  FULL/IN_USE --(line scan)--> EMPTY --(mark ordered)--> ORDERED --(shipped)--> IN_TRANSIT
             ORDERED/IN_TRANSIT --(receiving scan)--> FULL, posting one container into the line location
             (RECEIPT for purchase and production loops, TRANSFER from the supply location for internal ones;
             a card ordered on a purchase-order line is received against that line instead). A card of a
             part tracked by lot is received with its lot (and expiry), as any receipt of it is.
A scan that does not fit the card's state (a second line scan of an EMPTY card, say) is refused with when
and by whom the card was last scanned. A card printed before the loop's container quantity changed
carries an old version and is refused with "reprint this card".
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, aliased

from desktop.db import Database
from desktop.errors import Conflict, NotFound, UserError
from desktop.models import CardEvent, KanbanCard, KanbanLoop, Location, Part, PartSupplier, Supplier, User
from desktop.models.enums import MoveKind, Tracking
from desktop.quantities import format_qty
from desktop.services.actor import Actor, Permission
from desktop.services.admin.audit import record
from desktop.services.catalogue.units import check_qty_for_unit
from desktop.services.common import as_utc
from desktop.services.insight.consumption import check_window_days
from desktop.services.lots.receiving import lot_for_receipt, lot_label_number
from desktop.services.lots.records import one_lot
from desktop.services.stock.moves import MoveRequest, post_in

if TYPE_CHECKING:  # the renderer (reportlab, barcodes) loads when cards are printed, not at start-up
    from desktop.reports.kanban_cards import KanbanCardLabel

CARD_PREFIX = "K-"


class LoopKind(StrEnum):
    PURCHASE = "PURCHASE"
    TRANSFER = "TRANSFER"
    PRODUCTION = "PRODUCTION"


class CardStatus(StrEnum):
    FULL = "FULL"
    IN_USE = "IN_USE"
    EMPTY = "EMPTY"
    ORDERED = "ORDERED"
    IN_TRANSIT = "IN_TRANSIT"
    HOLD = "HOLD"
    LOST = "LOST"
    RETIRED = "RETIRED"


class StationMode(StrEnum):
    LINE = "LINE"  # containers emptied at the line
    RECEIVING = "RECEIVING"  # full containers arriving


@dataclass(frozen=True)
class LoopInput:
    part_id: int
    kind: LoopKind
    consumption_location_id: int
    container_qty: Decimal
    card_count: int
    lead_time_days: Decimal = Decimal(1)
    safety_factor: Decimal = Decimal("0.1")
    supply_location_id: int | None = None
    supplier_id: int | None = None


@dataclass(frozen=True)
class LoopDTO:
    id: int
    part_id: int
    part_number: str
    description: str
    unit: str
    kind: str
    consumption_code: str
    supply: str  # supplier name or supply location code
    container_qty: Decimal
    card_count: int
    lead_time_days: Decimal
    safety_factor: Decimal
    status: str
    version: int


@dataclass(frozen=True)
class CardDTO:
    id: int
    code: str
    loop_id: int
    serial: int
    of: int
    status: str
    status_since: datetime
    version: int
    current_version: int

    @property
    def outdated(self) -> bool:
        return self.version != self.current_version


@dataclass(frozen=True)
class ScanOutcome:
    card: CardDTO
    loop: LoopDTO
    before: str
    after: str
    move_id: int | None
    message: str


def card_code(card_id: int) -> str:
    return f"{CARD_PREFIX}{card_id:06d}"


# --- loops ----------------------------------------------------------------------------------------------


def _loop_dto(s: Session, loop: KanbanLoop) -> LoopDTO:
    return _loop_dtos(s, KanbanLoop.id == loop.id)[0]


def _loop_dtos(s: Session, *where: ColumnElement[bool]) -> list[LoopDTO]:
    """Loops with their part, locations and supplier in one query (the board shows 2,000 of them)."""
    consumption, supply_loc = aliased(Location), aliased(Location)
    stmt = (
        select(
            KanbanLoop,
            Part.part_number,
            Part.description,
            Part.unit,
            consumption.code,
            Supplier.name,
            supply_loc.code,
        )
        .join(Part, Part.id == KanbanLoop.part_id)
        .join(consumption, consumption.id == KanbanLoop.consumption_location_id)
        .outerjoin(Supplier, Supplier.id == KanbanLoop.supplier_id)
        .outerjoin(supply_loc, supply_loc.id == KanbanLoop.supply_location_id)
        .where(*where)
        .order_by(KanbanLoop.id)
    )
    out = []
    for loop, number, description, unit, line, supplier, source in s.execute(stmt).tuples():
        if loop.supplier_id is not None:
            supply = supplier or "?"
        elif loop.supply_location_id is not None:
            supply = source or "?"
        else:
            supply = "production"
        out.append(
            LoopDTO(
                loop.id,
                loop.part_id,
                number,
                description,
                unit,
                loop.kind,
                line,
                supply,
                loop.container_qty,
                loop.card_count,
                loop.lead_time_days,
                loop.safety_factor,
                loop.status,
                loop.version,
            )
        )
    return out


def _check(s: Session, data: LoopInput) -> Part:
    part = s.get(Part, data.part_id)
    if part is None:
        raise NotFound("That part does not exist.", field="part")
    if data.container_qty <= 0:
        raise UserError("The container quantity must be more than zero.", field="container_qty")
    check_qty_for_unit(data.container_qty, part.unit)
    if not 1 <= data.card_count <= 200:
        raise UserError("A loop has 1 to 200 cards.", field="card_count")
    if data.lead_time_days < 0 or data.safety_factor < 0:
        raise UserError("Lead time and safety factor cannot be negative.", field="lead_time_days")
    if s.get(Location, data.consumption_location_id) is None:
        raise NotFound("The consumption location does not exist.", field="consumption_location")
    if data.kind is LoopKind.TRANSFER:
        if data.supply_location_id is None:
            raise UserError(
                "An internal (transfer) loop needs the storeroom location it is filled from.",
                field="supply_location",
            )
        if data.supply_location_id == data.consumption_location_id:
            raise UserError("The supply and consumption locations must differ.", field="supply_location")
    if data.kind is LoopKind.PURCHASE and data.supplier_id is None and part.default_supplier_id is None:
        raise UserError(
            "A purchase loop needs a supplier (the part has no default supplier).", field="supplier"
        )
    return part


def create_loop(db: Database, actor: Actor, data: LoopInput) -> LoopDTO:
    actor.require(Permission.MANAGE_KANBAN)

    def op(s: Session) -> LoopDTO:
        part = _check(s, data)
        supplier_id = data.supplier_id if data.kind is LoopKind.PURCHASE else None
        if data.kind is LoopKind.PURCHASE and supplier_id is None:
            supplier_id = part.default_supplier_id
        loop = KanbanLoop(
            part_id=data.part_id,
            kind=data.kind.value,
            consumption_location_id=data.consumption_location_id,
            supply_location_id=data.supply_location_id if data.kind is LoopKind.TRANSFER else None,
            supplier_id=supplier_id,
            container_qty=data.container_qty,
            card_count=data.card_count,
            lead_time_days=data.lead_time_days,
            safety_factor=data.safety_factor,
            status="ACTIVE",
            version=1,
        )
        s.add(loop)
        s.flush()
        _add_cards(s, actor, loop, data.card_count)
        record(
            s,
            actor.user_id,
            "kanban.loop_create",
            "kanban_loop",
            loop.id,
            f"loop for {part.part_number}: {data.card_count} x {format_qty(data.container_qty)} {part.unit}",
        )
        return _loop_dto(s, loop)

    return db.write(op)


def _add_cards(s: Session, actor: Actor, loop: KanbanLoop, count: int) -> list[int]:
    top = s.scalar(select(func.max(KanbanCard.serial)).where(KanbanCard.loop_id == loop.id)) or 0
    added = []
    for serial in range(top + 1, top + count + 1):
        card = KanbanCard(
            loop_id=loop.id,
            serial=serial,
            code=f"tmp-{loop.id}-{serial}",
            version=loop.version,
            status=CardStatus.FULL.value,
        )  # a new loop starts with full containers at the line
        s.add(card)
        s.flush()
        card.code = card_code(card.id)
        added.append(card.id)
        s.add(
            CardEvent(
                card_id=card.id,
                from_status=None,
                to_status=CardStatus.FULL.value,
                user_id=actor.user_id,
                note="card created",
            )
        )
    s.flush()
    return added


def resize_loop(
    db: Database,
    actor: Actor,
    loop_id: int,
    *,
    card_count: int | None = None,
    container_qty: Decimal | None = None,
) -> LoopDTO:
    """Add or retire cards, or change the container quantity (cards then need reprinting)."""
    return edit_loop(db, actor, loop_id, card_count=card_count, container_qty=container_qty).loop


@dataclass(frozen=True)
class LoopEdit:
    loop: LoopDTO
    to_print: tuple[int, ...]  # new cards, or every live card when the container quantity changed


def edit_loop(
    db: Database,
    actor: Actor,
    loop_id: int,
    *,
    card_count: int | None = None,
    container_qty: Decimal | None = None,
    lead_time_days: Decimal | None = None,
    safety_factor: Decimal | None = None,
) -> LoopEdit:
    """Change a loop's size and planning figures in one transaction; says which cards to print."""
    actor.require(Permission.MANAGE_KANBAN)

    def op(s: Session) -> LoopEdit:
        loop = _get_loop(s, loop_id)
        if loop.status == "RETIRED":
            raise Conflict("A retired loop cannot be changed; create a new one.")
        part = s.get(Part, loop.part_id)
        assert part is not None
        new_version = False
        if lead_time_days is not None and lead_time_days != loop.lead_time_days:
            if not 0 < lead_time_days <= 365:
                raise UserError("The lead time is more than 0 and at most 365 days.", field="lead_time_days")
            loop.lead_time_days = lead_time_days
        if safety_factor is not None and safety_factor != loop.safety_factor:
            if not 0 <= safety_factor <= 5:
                raise UserError("The safety factor is 0 to 5 (0 % to 500 %).", field="safety_factor")
            loop.safety_factor = safety_factor
        if container_qty is not None and container_qty != loop.container_qty:
            if container_qty <= 0:
                raise UserError("The container quantity must be more than zero.", field="container_qty")
            check_qty_for_unit(container_qty, part.unit)
            loop.container_qty = container_qty
            loop.version += 1
            new_version = True
        added: list[int] = []
        if card_count is not None and card_count != loop.card_count:
            if not 1 <= card_count <= 200:
                raise UserError("A loop has 1 to 200 cards.", field="card_count")
            live = _live_cards(s, loop.id)
            if card_count > len(live):
                added = _add_cards(s, actor, loop, card_count - len(live))
            else:  # retire the highest-numbered cards, preferring those not in circulation
                order = {CardStatus.EMPTY.value: 0, CardStatus.FULL.value: 1, CardStatus.IN_USE.value: 2}
                for card in sorted(live, key=lambda c: (order.get(c.status, 3), -c.serial))[
                    : len(live) - card_count
                ]:
                    change_card(s, actor, card, CardStatus.RETIRED, note="loop resized")
            loop.card_count = card_count
        record(
            s,
            actor.user_id,
            "kanban.loop_edit",
            "kanban_loop",
            loop.id,
            f"{loop.card_count} cards x {format_qty(loop.container_qty)} (version {loop.version}), "
            f"lead time {format_qty(loop.lead_time_days)} d, safety {format_qty(loop.safety_factor)}",
        )
        s.flush()
        to_print = [c.id for c in _live_cards(s, loop.id)] if new_version else added
        return LoopEdit(_loop_dto(s, loop), tuple(sorted(to_print)))

    return db.write(op)


def _live_cards(s: Session, loop_id: int) -> list[KanbanCard]:
    return list(
        s.scalars(
            select(KanbanCard)
            .where(KanbanCard.loop_id == loop_id, KanbanCard.status != CardStatus.RETIRED.value)
            .order_by(KanbanCard.serial.desc())
        )
    )


def set_loop_status(db: Database, actor: Actor, loop_id: int, status: str) -> LoopDTO:
    actor.require(Permission.MANAGE_KANBAN)
    if status not in ("ACTIVE", "HOLD", "RETIRED"):
        raise UserError("A loop is ACTIVE, on HOLD or RETIRED.")

    def op(s: Session) -> LoopDTO:
        loop = _get_loop(s, loop_id)
        if loop.status == "RETIRED":
            raise Conflict("A retired loop stays retired; create a new one.")
        loop.status = status
        if status == "RETIRED":
            for card in _live_cards(s, loop.id):
                change_card(s, actor, card, CardStatus.RETIRED, note="loop retired")
        record(s, actor.user_id, "kanban.loop_status", "kanban_loop", loop.id, f"loop {loop.id} -> {status}")
        return _loop_dto(s, loop)

    return db.write(op)


def _get_loop(s: Session, loop_id: int) -> KanbanLoop:
    loop = s.get(KanbanLoop, loop_id)
    if loop is None:
        raise NotFound(f"Kanban loop #{loop_id} does not exist.")
    return loop


def list_loops(db: Database) -> list[LoopDTO]:
    return db.read(lambda s: _loop_dtos(s))


def cards(db: Database, loop_id: int | None = None) -> list[CardDTO]:
    def op(s: Session) -> list[CardDTO]:
        stmt = (
            select(KanbanCard, KanbanLoop.card_count, KanbanLoop.version)
            .join(KanbanLoop, KanbanLoop.id == KanbanCard.loop_id)
            .where(KanbanCard.status != CardStatus.RETIRED.value)
        )
        if loop_id is not None:
            stmt = stmt.where(KanbanCard.loop_id == loop_id)
        return [
            _card_dto(c, n, v) for c, n, v in s.execute(stmt.order_by(KanbanCard.loop_id, KanbanCard.serial))
        ]

    return db.read(op)


def _card_dto(card: KanbanCard, count: int, version: int) -> CardDTO:
    return CardDTO(
        card.id,
        card.code,
        card.loop_id,
        card.serial,
        count,
        card.status,
        as_utc(card.status_since),
        card.version,
        version,
    )


# --- scanning -------------------------------------------------------------------------------------------


def change_card(
    s: Session,
    actor: Actor,
    card: KanbanCard,
    to: CardStatus,
    *,
    move_id: int | None = None,
    note: str | None = None,
) -> None:
    """Move a card to `to` and log the event, inside the caller's transaction (scans, purchasing)."""
    s.add(
        CardEvent(
            card_id=card.id,
            from_status=card.status,
            to_status=to.value,
            user_id=actor.user_id,
            move_id=move_id,
            note=note,
        )
    )
    card.status = to.value
    card.status_since = datetime.now(UTC)
    s.flush()


def _last_scan(s: Session, card_id: int) -> str:
    row = s.execute(
        select(CardEvent.at, User.display_name, CardEvent.to_status)
        .join(User, User.id == CardEvent.user_id)
        .where(CardEvent.card_id == card_id)
        .order_by(CardEvent.at.desc(), CardEvent.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return ""
    when = as_utc(row.at).astimezone().strftime("%Y-%m-%d %H:%M")
    return f"last scanned {when} by {row.display_name} ({row.to_status.lower().replace('_', ' ')})"


def scan(
    db: Database,
    actor: Actor,
    code: str,
    mode: StationMode,
    *,
    lot: str | None = None,
    expires_on: date | None = None,
) -> ScanOutcome:
    """Advance the scanned card for this station; refused scans change nothing. A receiving scan of a
    tracked part's card takes the container's lot: its number, its `LT-` label or the supplier's GS1-128
    label (services.lots.receiving reads it), and the expiry when the label does not carry it."""
    actor.require(Permission.SCAN_KANBAN)
    key = code.strip().upper()
    given = Received(lot, expires_on)
    if mode is StationMode.LINE and given.named:
        raise UserError("A line scan takes no lot: the lot is given when the full container arrives.")

    def op(s: Session) -> ScanOutcome:
        card = s.scalar(select(KanbanCard).where(KanbanCard.code == key))
        if card is None:
            raise NotFound(f"Unknown kanban card {key}.")
        loop = _get_loop(s, card.loop_id)
        label = f"{card.code} (card {card.serial} of {loop.card_count})"
        if card.version != loop.version:
            raise Conflict(
                f"{label} was printed before the container quantity changed: reprint this card "
                "and throw the old one away."
            )
        if loop.status != "ACTIVE" or card.status in (CardStatus.HOLD, CardStatus.LOST, CardStatus.RETIRED):
            raise Conflict(
                f"{label} is {card.status.lower()} (loop {loop.status.lower()}): it does not circulate."
            )
        before = card.status
        move_id = None
        if mode is StationMode.LINE:
            if card.status not in (CardStatus.FULL, CardStatus.IN_USE):
                raise Conflict(
                    f"{label} is already {card.status.lower().replace('_', ' ')}: "
                    f"{_last_scan(s, card.id)}. Not scanned again."
                )
            change_card(s, actor, card, CardStatus.EMPTY)
            message = f"{label} empty: replenishment requested"
        else:
            if card.status not in (CardStatus.ORDERED, CardStatus.IN_TRANSIT, CardStatus.EMPTY):
                raise Conflict(
                    f"{label} is {card.status.lower().replace('_', ' ')}, nothing to receive: "
                    f"{_last_scan(s, card.id)}."
                )
            move_id, message = _receive_on_order(s, actor, card, loop, label, given) or _receive_card(
                s, actor, card, loop, label, given
            )
        return ScanOutcome(
            _card_dto(card, loop.card_count, loop.version),
            _loop_dto(s, loop),
            before,
            card.status,
            move_id,
            message,
        )

    return db.write(op)


@dataclass(frozen=True)
class Received:
    """The lot a receiving scan names for the container (None for an untracked part)."""

    lot: str | None = None
    expires_on: date | None = None

    @property
    def named(self) -> bool:
        return bool((self.lot or "").strip()) or self.expires_on is not None


def _receive_card(
    s: Session, actor: Actor, card: KanbanCard, loop: KanbanLoop, label: str, given: Received
) -> tuple[int, str]:
    """One container into the line location: a RECEIPT, or a TRANSFER from the supply location. A
    tracked part's container goes into its lot, made on its first receipt; a transfer moves stock that
    is in a lot already, so it names that lot (its number or label) and takes no expiry."""
    kind = MoveKind.TRANSFER if loop.kind == LoopKind.TRANSFER else MoveKind.RECEIPT
    part = s.get(Part, loop.part_id)
    assert part is not None  # a loop's part is a foreign key
    qty = Decimal(loop.container_qty)
    if kind is MoveKind.RECEIPT:
        lot_id = lot_for_receipt(
            s, part, given.lot, given.expires_on, loop.supplier_id, qty, today=date.today()
        )
    elif given.named and part.tracking != Tracking.NONE.value:
        lot_id = one_lot(s, lot_label_number(s, part, given.lot or ""), part.id).id
    else:
        lot_id = None  # an untracked part (a lot given for it is refused by the ledger's rule)
    result = post_in(
        s,
        actor,
        MoveRequest(
            kind,
            loop.part_id,
            Decimal(loop.container_qty),
            from_location_id=loop.supply_location_id if kind is MoveKind.TRANSFER else None,
            to_location_id=loop.consumption_location_id,
            reference=card.code,
            reason=f"kanban {loop.kind.lower()} card {card.serial} of {loop.card_count}",
            lot_id=lot_id,
        ),
    )
    change_card(s, actor, card, CardStatus.FULL, move_id=result.move.id)
    return result.move.id, f"{label} full: {result.move.summary()}"


def _receive_on_order(
    s: Session, actor: Actor, card: KanbanCard, loop: KanbanLoop, label: str, given: Received
) -> tuple[int, str] | None:
    """A card ordered on a purchase-order line is received against that line (what is still open on it,
    into the loop's line location), so the order and the on-order figure follow; None for other cards."""
    from desktop.services.purchasing.receiving import ReceiptRequest, open_line_of_card, receive_in

    line = open_line_of_card(s, card.id)
    if line is None:
        return None
    order_id, line_id, open_qty = line
    got = receive_in(
        s,
        actor,
        ReceiptRequest(
            order_id,
            loop.part_id,
            open_qty,
            loop.consumption_location_id,
            line_id=line_id,
            lot=given.lot,
            expires_on=given.expires_on,
        ),
    )
    return got.move.id, f"{label} full: {got.message}"


def mark(db: Database, actor: Actor, card_ids: list[int], to: CardStatus) -> int:
    """Replenishment list actions: EMPTY -> ORDERED (order placed), ORDERED -> IN_TRANSIT (shipped)."""
    actor.require(Permission.SCAN_KANBAN)
    allowed = {CardStatus.ORDERED: CardStatus.EMPTY, CardStatus.IN_TRANSIT: CardStatus.ORDERED}
    if to not in allowed:
        raise UserError("Cards can be marked ordered or in transit here.")

    def op(s: Session) -> int:
        changed = 0
        for card in s.scalars(select(KanbanCard).where(KanbanCard.id.in_(card_ids))):
            if card.status == allowed[to].value:
                change_card(s, actor, card, to)
                changed += 1
        return changed

    return db.write(op)


# --- board, replenishment list, sizing ------------------------------------------------------------------


@dataclass(frozen=True)
class BoardRow:
    loop: LoopDTO
    counts: dict[str, int]
    late: int  # cards out for longer than the loop's lead time
    stockout: bool  # no FULL or IN_USE card at the line


def live_cards(s: Session) -> dict[int, list[tuple[str, datetime]]]:
    """Each loop's cards in circulation: (status, since)."""
    live: dict[int, list[tuple[str, datetime]]] = {}
    for loop_id, status, since in s.execute(
        select(KanbanCard.loop_id, KanbanCard.status, KanbanCard.status_since).where(
            KanbanCard.status != CardStatus.RETIRED.value
        )
    ).tuples():
        live.setdefault(loop_id, []).append((status, since))
    return live


def card_tally(
    cards: Iterable[tuple[str, datetime]], lead_time_days: Decimal | int, moment: datetime
) -> tuple[dict[str, int], int, bool]:
    """A loop's cards per status, how many are out longer than its lead time, and whether the line has
    no FULL or IN_USE card (a stockout)."""
    counts: dict[str, int] = {}
    late = 0
    for status, since in cards:
        counts[status] = counts.get(status, 0) + 1
        out = status in (CardStatus.EMPTY, CardStatus.ORDERED, CardStatus.IN_TRANSIT)
        if out and (moment - as_utc(since)).total_seconds() / 86400 > float(lead_time_days):
            late += 1
    return counts, late, counts.get(CardStatus.FULL, 0) + counts.get(CardStatus.IN_USE, 0) == 0


def board(db: Database, *, now: datetime | None = None) -> list[BoardRow]:
    moment = as_utc(now) if now is not None else datetime.now(UTC)

    def op(s: Session) -> list[BoardRow]:
        live = live_cards(s)
        return [
            BoardRow(loop, *card_tally(live.get(loop.id, ()), loop.lead_time_days, moment))
            for loop in _loop_dtos(s, KanbanLoop.status != "RETIRED")
        ]

    return db.read(op)


@dataclass(frozen=True)
class ReplenishLine:
    group: str  # supplier name, or "from <location>" for internal loops
    loop: LoopDTO
    card_ids: tuple[int, ...]

    @property
    def qty(self) -> Decimal:
        return self.loop.container_qty * len(self.card_ids)


def replenishment_list(db: Database) -> list[ReplenishLine]:
    """EMPTY cards to order (purchase) or to pick (transfer), grouped by supplier or supply location."""

    def op(s: Session) -> list[ReplenishLine]:
        lines = []
        for loop in s.scalars(select(KanbanLoop).where(KanbanLoop.status == "ACTIVE")):
            ids = tuple(
                s.scalars(
                    select(KanbanCard.id)
                    .where(KanbanCard.loop_id == loop.id, KanbanCard.status == CardStatus.EMPTY.value)
                    .order_by(KanbanCard.serial)
                )
            )
            if ids:
                dto = _loop_dto(s, loop)
                group = dto.supply if loop.kind != LoopKind.TRANSFER else f"from {dto.supply}"
                lines.append(ReplenishLine(group, dto, ids))
        lines.sort(key=lambda line: (line.group.upper(), line.loop.part_number))
        return lines

    return db.read(op)


def recommended_cards(daily_demand: float, lead_days: float, safety: float, container: float) -> int:
    """cards = ceil(D * L * (1 + safety) / container), at least one."""
    if container <= 0:
        raise UserError("The container quantity must be more than zero.")
    return max(1, math.ceil(daily_demand * lead_days * (1 + safety) / container - 1e-9))


def measured_lead_days(db: Database, loop_id: int) -> float | None:
    """Average EMPTY -> FULL time of the loop's cards, from their events (None before any cycle)."""

    def op(s: Session) -> float | None:
        events = s.execute(
            select(CardEvent.card_id, CardEvent.to_status, CardEvent.at)
            .join(KanbanCard, KanbanCard.id == CardEvent.card_id)
            .where(KanbanCard.loop_id == loop_id)
            .order_by(CardEvent.card_id, CardEvent.at, CardEvent.id)
        ).all()
        spans: list[float] = []
        open_at: dict[int, datetime] = {}
        for card_id, to, at in events:
            if to == CardStatus.EMPTY.value:
                open_at[card_id] = as_utc(at)
            elif to == CardStatus.FULL.value and card_id in open_at:
                spans.append((as_utc(at) - open_at.pop(card_id)).total_seconds() / 86400)
        return sum(spans) / len(spans) if spans else None

    return db.read(op)


def card_labels(db: Database, card_ids: list[int]) -> list[KanbanCardLabel]:
    """What each card prints: loop kind, part, container, from -> to, card x of n, version, date."""
    if not card_ids:
        raise UserError("Select the cards to print.")
    printed = datetime.now(UTC).strftime("%Y-%m-%d")

    from desktop.reports.kanban_cards import KanbanCardLabel

    def op(s: Session) -> list[KanbanCardLabel]:
        out = []
        loops: dict[int, tuple[LoopDTO, str]] = {}
        for card in s.scalars(
            select(KanbanCard)
            .where(KanbanCard.id.in_(card_ids))
            .order_by(KanbanCard.loop_id, KanbanCard.serial)
        ):
            if card.loop_id not in loops:
                loop = _get_loop(s, card.loop_id)
                dto = _loop_dto(s, loop)
                source = dto.supply
                if loop.supplier_id is not None:
                    spn = s.scalar(
                        select(PartSupplier.supplier_part_number).where(
                            PartSupplier.part_id == loop.part_id, PartSupplier.supplier_id == loop.supplier_id
                        )
                    )
                    source += f", supplier part no. {spn}" if spn else ""
                loops[card.loop_id] = (dto, source)
            dto, source = loops[card.loop_id]
            out.append(
                KanbanCardLabel(
                    code=card.code,
                    kind=dto.kind,
                    part_number=dto.part_number,
                    description=dto.description,
                    container=f"{format_qty(dto.container_qty)} {dto.unit}",
                    source=source,
                    destination=dto.consumption_code,
                    serial=card.serial,
                    of=dto.card_count,
                    version=dto.version,
                    printed=printed,
                )
            )
        return out

    return db.read(op)


@dataclass(frozen=True)
class Recommendation:
    loop: LoopDTO
    daily_demand: Decimal
    lead_days: Decimal
    # "measured over N receipts" (the supplier's, against orders), "measured" from card
    # events, or "planned"
    lead_source: str
    recommended: int

    @property
    def change(self) -> int:
        return self.recommended - self.loop.card_count


def recommendations(
    db: Database, actor: Actor, *, window_days: int = 90, now: datetime | None = None
) -> list[Recommendation]:
    """Loops whose card count differs from ceil(D * L * (1 + safety) / container), with the evidence.
    D is what is consumed (and asked for short) at the loop's line location over the last `window_days`
    complete days (insight/consumption.py): another line or a storeroom bin of the same part is
    another demand. L is, for a purchase loop, its supplier's lead time measured from receipts against
    orders once there are enough (purchasing/lead_times.py), else measured from card events, else
    planned; for a part used only on working days
    both are in working days. The window is 1 to 3650 days (a plant younger than the window is measured
    over the days it has run)."""
    from desktop.services.insight.replenishment import demand_of, usage_history
    from desktop.services.purchasing.lead_times import lead_times_in, planning_days

    actor.require(Permission.VIEW)
    check_window_days(window_days)
    history = db.read(lambda s: usage_history(s, window_days, now=now, at_location=True))
    loops = db.read(
        lambda s: {
            loop_id: (line, kind, supplier)
            for loop_id, line, kind, supplier in s.execute(
                select(
                    KanbanLoop.id,
                    KanbanLoop.consumption_location_id,
                    KanbanLoop.kind,
                    func.coalesce(KanbanLoop.supplier_id, Part.default_supplier_id),
                ).join(Part, Part.id == KanbanLoop.part_id)
            ).tuples()
        }
    )
    bought = db.read(lambda s: lead_times_in(s))  # per supplier and part, from receipts against orders
    out = []
    for loop in list_loops(db):
        if loop.status != "ACTIVE":
            continue
        line, kind, supplier = loops[loop.id]
        demand = demand_of(history, (loop.part_id, line))
        # A purchase loop plans with its supplier's measured lead time once there are enough receipts
        # (as What to order does); else with its cards' EMPTY -> FULL time; else the planned one.
        timed = bought.get((supplier or 0, loop.part_id)) if kind == LoopKind.PURCHASE.value else None
        from_orders = planning_days(timed)
        measured = float(from_orders) if from_orders is not None else measured_lead_days(db, loop.id)
        lead = measured if measured is not None and measured > 0 else float(loop.lead_time_days)
        source = (
            timed.source
            if from_orders is not None and timed is not None
            else ("measured" if measured else "planned")
        )
        cards_needed = recommended_cards(
            demand.mean, demand.lead(lead), float(loop.safety_factor), float(loop.container_qty)
        )
        if cards_needed != loop.card_count:
            out.append(
                Recommendation(
                    loop,
                    Decimal(str(round(demand.mean, 4))),
                    Decimal(str(round(lead, 3))),
                    source,
                    cards_needed,
                )
            )
    return out
