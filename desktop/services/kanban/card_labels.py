"""What each kanban card prints (the loop, its part, container, from -> to, card x of n, version), for the
card renderer in `desktop/reports/kanban_cards.py`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import KanbanCard, PartSupplier
from desktop.quantities import format_qty
from desktop.services.kanban.loops import LoopDTO, get_loop, loop_dto

if TYPE_CHECKING:  # the renderer (reportlab, barcodes) loads when cards are printed, not at start-up
    from desktop.reports.kanban_cards import KanbanCardLabel


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
                loop = get_loop(s, card.loop_id)
                dto = loop_dto(s, loop)
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
