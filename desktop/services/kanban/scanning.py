"""Kanban scanning: a station's scan of a card, and the replenishment list's marks.

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

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import Conflict, NotFound, UserError
from desktop.models import CardEvent, KanbanCard, KanbanLoop, Part, User
from desktop.models.enums import MoveKind, Tracking
from desktop.services.actor import Actor, Permission
from desktop.services.common import as_utc
from desktop.services.kanban.loops import (
    CardDTO,
    CardStatus,
    LoopDTO,
    LoopKind,
    StationMode,
    card_dto,
    change_card,
    get_loop,
    loop_dto,
)
from desktop.services.lots.receiving import lot_for_receipt, lot_label_number
from desktop.services.lots.records import one_lot
from desktop.services.stock.moves import MoveRequest, post_in


@dataclass(frozen=True)
class ScanOutcome:
    card: CardDTO
    loop: LoopDTO
    before: str
    after: str
    move_id: int | None
    message: str


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
        loop = get_loop(s, card.loop_id)
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
            card_dto(card, loop.card_count, loop.version),
            loop_dto(s, loop),
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
