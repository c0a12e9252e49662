"""The history of each part's unit cost, so past months are valued at the cost in force then."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, func
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, Money


class PartCost(Base):
    """A part's unit cost from `effective_from` until its next row. Written by database triggers (migration
    0013) on every new part and every change of a part's cost, whichever way it came: the part form, an
    import, a script. Never updated by the application."""

    __tablename__ = "part_cost"
    __table_args__ = (Index("ix_part_cost_part_from", "part_id", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("part.id"))
    unit_cost: Mapped[Decimal] = mapped_column(Money)
    effective_from: Mapped[datetime] = mapped_column(server_default=func.now())
