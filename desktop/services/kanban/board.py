"""The kanban board (each loop's cards per state, late cards, stockouts) and the replenishment list (EMPTY
cards to order or pick), read from the loops and cards of `loops`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.models import KanbanCard, KanbanLoop
from desktop.services.common import as_utc
from desktop.services.kanban.loops import CardStatus, LoopDTO, LoopKind, loop_dto, loop_dtos


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
            for loop in loop_dtos(s, KanbanLoop.status != "RETIRED")
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
                dto = loop_dto(s, loop)
                group = dto.supply if loop.kind != LoopKind.TRANSFER else f"from {dto.supply}"
                lines.append(ReplenishLine(group, dto, ids))
        lines.sort(key=lambda line: (line.group.upper(), line.loop.part_number))
        return lines

    return db.read(op)
