"""Kanban loops, their cards, and every card event (the card's own ledger)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, Stamped


class KanbanLoop(Stamped, Base):
    __tablename__ = "kanban_loop"

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("part.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # PURCHASE | TRANSFER | PRODUCTION
    consumption_location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), index=True)
    supply_location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("supplier.id"))
    container_qty: Mapped[Decimal]
    card_count: Mapped[int]
    lead_time_days: Mapped[Decimal]
    safety_factor: Mapped[Decimal]
    status: Mapped[str] = mapped_column(String(8), default="ACTIVE")  # ACTIVE | HOLD | RETIRED
    # bumped when the container quantity changes: cards printed before then must be reprinted
    version: Mapped[int] = mapped_column(default=1)


class KanbanCard(Stamped, Base):
    __tablename__ = "kanban_card"
    __table_args__ = (UniqueConstraint("loop_id", "serial"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    loop_id: Mapped[int] = mapped_column(ForeignKey("kanban_loop.id"), index=True)
    serial: Mapped[int]
    code: Mapped[str] = mapped_column(String(20), unique=True)
    version: Mapped[int]
    status: Mapped[str] = mapped_column(String(12))
    status_since: Mapped[datetime] = mapped_column(server_default=func.now())


class CardEvent(Base):
    __tablename__ = "kanban_card_event"
    __table_args__ = (Index("ix_kanban_card_event_card_at", "card_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("kanban_card.id"))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(server_default=func.now())
    move_id: Mapped[int | None] = mapped_column(ForeignKey("stock_move.id"))
    note: Mapped[str | None] = mapped_column(String(200))
