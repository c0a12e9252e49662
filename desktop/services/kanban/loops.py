"""Kanban: loops of cards that replenish a line-side location, driven by scans.

This module holds the loops and their cards: the kinds and states, creating, editing, resizing and retiring
a loop, the loops and cards listed, and `change_card`, the one way a card changes state (scans, the loop's
own edits, purchasing). A card's scan is in `scanning`, the board and the replenishment list in `board`,
card-count sizing in `sizing`, what a card prints in `card_labels`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, aliased

from desktop.db import Database
from desktop.errors import Conflict, NotFound, UserError
from desktop.models import CardEvent, KanbanCard, KanbanLoop, Location, Part, Supplier
from desktop.quantities import format_qty
from desktop.services.actor import Actor, Permission
from desktop.services.admin.audit import record
from desktop.services.catalogue.units import check_qty_for_unit
from desktop.services.common import as_utc

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


def card_code(card_id: int) -> str:
    return f"{CARD_PREFIX}{card_id:06d}"


# --- loops ----------------------------------------------------------------------------------------------


def loop_dto(s: Session, loop: KanbanLoop) -> LoopDTO:
    return loop_dtos(s, KanbanLoop.id == loop.id)[0]


def loop_dtos(s: Session, *where: ColumnElement[bool]) -> list[LoopDTO]:
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
    return db.write(lambda s: create_loop_in(s, actor, data))


def create_loop_in(s: Session, actor: Actor, data: LoopInput) -> LoopDTO:
    """create_loop() in the caller's transaction (an import's one transaction)."""
    actor.require(Permission.MANAGE_KANBAN)

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
    return loop_dto(s, loop)


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
    return db.write(
        lambda s: edit_loop_in(
            s,
            actor,
            loop_id,
            card_count=card_count,
            container_qty=container_qty,
            lead_time_days=lead_time_days,
            safety_factor=safety_factor,
        )
    )


def edit_loop_in(
    s: Session,
    actor: Actor,
    loop_id: int,
    *,
    card_count: int | None = None,
    container_qty: Decimal | None = None,
    lead_time_days: Decimal | None = None,
    safety_factor: Decimal | None = None,
) -> LoopEdit:
    """edit_loop() in the caller's transaction (an import's one transaction)."""
    actor.require(Permission.MANAGE_KANBAN)

    loop = get_loop(s, loop_id)
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
    return LoopEdit(loop_dto(s, loop), tuple(sorted(to_print)))


def _live_cards(s: Session, loop_id: int) -> list[KanbanCard]:
    return list(
        s.scalars(
            select(KanbanCard)
            .where(KanbanCard.loop_id == loop_id, KanbanCard.status != CardStatus.RETIRED.value)
            .order_by(KanbanCard.serial.desc())
        )
    )


def set_loop_status(db: Database, actor: Actor, loop_id: int, status: str) -> LoopDTO:
    return db.write(lambda s: set_loop_status_in(s, actor, loop_id, status))


def set_loop_status_in(s: Session, actor: Actor, loop_id: int, status: str) -> LoopDTO:
    """set_loop_status() in the caller's transaction (an import's one transaction)."""
    actor.require(Permission.MANAGE_KANBAN)
    if status not in ("ACTIVE", "HOLD", "RETIRED"):
        raise UserError("A loop is ACTIVE, on HOLD or RETIRED.")

    loop = get_loop(s, loop_id)
    if loop.status == "RETIRED":
        raise Conflict("A retired loop stays retired; create a new one.")
    loop.status = status
    if status == "RETIRED":
        for card in _live_cards(s, loop.id):
            change_card(s, actor, card, CardStatus.RETIRED, note="loop retired")
    record(s, actor.user_id, "kanban.loop_status", "kanban_loop", loop.id, f"loop {loop.id} -> {status}")
    return loop_dto(s, loop)


def get_loop(s: Session, loop_id: int) -> KanbanLoop:
    loop = s.get(KanbanLoop, loop_id)
    if loop is None:
        raise NotFound(f"Kanban loop #{loop_id} does not exist.")
    return loop


def list_loops(db: Database) -> list[LoopDTO]:
    return db.read(lambda s: loop_dtos(s))


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
            card_dto(c, n, v) for c, n, v in s.execute(stmt.order_by(KanbanCard.loop_id, KanbanCard.serial))
        ]

    return db.read(op)


def card_dto(card: KanbanCard, count: int, version: int) -> CardDTO:
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
