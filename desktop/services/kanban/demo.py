"""The demo plant's kanban: purchase and internal loops feeding line 1, with cards in every state, so the
board, the replenishment list and the scan station have something to show on a first start."""

from __future__ import annotations

import random
from decimal import Decimal

from sqlalchemy import select

from desktop.db import Database
from desktop.models import Location, StockBalance
from desktop.models.enums import LocationType
from desktop.services.actor import Actor
from desktop.services.kanban import loops as kanban
from desktop.services.kanban import scanning
from desktop.services.kanban.loops import CardStatus, LoopInput, LoopKind, StationMode

DEMO_LOOPS = 12


def load_demo_loops(
    db: Database, actor: Actor, part_ids: list[int], line_ids: list[int], *, seed: int = 7
) -> int:
    """Loops for the first DEMO_LOOPS parts (every third one filled from its storeroom bin, the others
    bought from the part's supplier); returns the number of loops made."""
    if not part_ids or not line_ids:
        return 0
    rng = random.Random(seed)
    made = 0
    for n, part_id in enumerate(part_ids[:DEMO_LOOPS]):
        supply = _fullest_bin(db, part_id) if n % 3 == 2 else None
        loop = kanban.create_loop(
            db,
            actor,
            LoopInput(
                part_id,
                LoopKind.TRANSFER if supply is not None else LoopKind.PURCHASE,
                line_ids[n % len(line_ids)],
                Decimal(rng.choice([10, 25, 50, 100])),
                rng.choice([2, 3, 4]),
                lead_time_days=Decimal(rng.choice([1, 2, 3, 5])),
                supply_location_id=supply,
            ),
        )
        made += 1
        codes = [c.code for c in kanban.cards(db, loop.id)]
        stage = n % 4  # 0: every card full; 1: one emptied at the line; 2: ordered; 3: on its way
        emptied = codes if n == 5 else codes[: 1 if stage else 0]  # loop 5: the line has run dry (red)
        for code in emptied:
            scanning.scan(db, actor, code, StationMode.LINE)
        if stage >= 2 and emptied:
            ids = [c.id for c in kanban.cards(db, loop.id) if c.status == CardStatus.EMPTY][:1]
            scanning.mark(db, actor, ids, CardStatus.ORDERED)
            if stage == 3:
                scanning.mark(db, actor, ids, CardStatus.IN_TRANSIT)
    return made


def _fullest_bin(db: Database, part_id: int) -> int | None:
    """Where the storeroom holds most of the part: an internal loop is filled from there."""
    return db.read(
        lambda s: s.scalar(
            select(StockBalance.location_id)
            .join(Location, Location.id == StockBalance.location_id)
            .where(
                StockBalance.part_id == part_id,
                StockBalance.qty > 0,
                Location.type == LocationType.STOREROOM.value,
            )
            .order_by(StockBalance.qty.desc(), StockBalance.location_id)
            .limit(1)
        )
    )
