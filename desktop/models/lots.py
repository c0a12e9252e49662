"""Lots and serial numbers of tracked parts (migration 0021), and their stock per bin.

A serial number is a lot of one unit: one table, one ledger column (`stock_move.lot_id`) and one balance
for both. The per-(part, bin) `stock_balance` stays as it is; for a tracked part `lot_balance` splits it
by lot in the same transaction (desktop.services.lots.ledger), so untracked parts and every existing
query are untouched.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, Stamped


class Lot(Stamped, Base):
    __tablename__ = "lot"
    __table_args__ = (
        UniqueConstraint("part_id", "lot_key"),
        Index("ix_lot_lot_key", "lot_key"),  # a scan or `storeroom trace LOT` names the lot alone
        Index("ix_lot_expires_on", "expires_on"),  # the expiry report
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("part.id"))
    lot_number: Mapped[str] = mapped_column(String(40))
    lot_key: Mapped[str] = mapped_column(String(40))  # upper-cased: look-ups ignore case
    expires_on: Mapped[date | None]
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("supplier.id"))
    # a supervisor's release of an expired lot (it may then be issued), with who and when
    released_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    released_at: Mapped[datetime | None]


class LotBalance(Base):
    __tablename__ = "lot_balance"
    __table_args__ = (Index("ix_lot_balance_lot_id", "lot_id"),)

    part_id: Mapped[int] = mapped_column(ForeignKey("part.id"), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lot.id"), primary_key=True)
    qty: Mapped[Decimal]
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
