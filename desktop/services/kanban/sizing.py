"""Kanban card-count sizing: cards = ceil(D * L * (1 + safety) / container), with the demand measured at the
loop's line and the lead time measured from receipts or card events, and the loops whose count differs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import CardEvent, KanbanCard, KanbanLoop, Part
from desktop.services.actor import Actor, Permission
from desktop.services.common import as_utc
from desktop.services.insight.consumption import check_window_days
from desktop.services.kanban.loops import CardStatus, LoopDTO, LoopKind, list_loops


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
    from desktop.services.purchasing.lead_times import MIN_RECEIPTS, lead_times_in, planning_days

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
    # per supplier and part, from receipts against orders; planning uses no figure over fewer receipts
    bought = db.read(lambda s: lead_times_in(s, min_receipts=MIN_RECEIPTS))
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
