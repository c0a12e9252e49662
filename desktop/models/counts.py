"""Cycle counts: sessions with a snapshot of the book, and one line per part per bin."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, Stamped


class CountSession(Stamped, Base):
    __tablename__ = "count_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(8), default="OPEN")  # OPEN | CLOSED
    blind: Mapped[bool] = mapped_column(default=True)
    # the highest ledger id when the book was copied: later moves are rolled forward
    snapshot_move_id: Mapped[int] = mapped_column(default=0)
    started_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    started_at: Mapped[datetime] = mapped_column(server_default=func.now())


class CountLine(Stamped, Base):
    __tablename__ = "count_line"
    __table_args__ = (UniqueConstraint("session_id", "part_id", "location_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("count_session.id"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("part.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    book_qty: Mapped[Decimal]  # at the snapshot
    expected_qty: Mapped[Decimal | None]  # book rolled forward to when it was counted
    counted_qty: Mapped[Decimal | None]
    first_count_qty: Mapped[Decimal | None]  # count 1, kept when a recount replaced it
    counted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    recounted_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
    # OPEN -> COUNTED (within tolerance) | RECOUNT -> COUNTED ; then APPROVED or REJECTED
    status: Mapped[str] = mapped_column(String(10), default="OPEN")
    within_tolerance: Mapped[bool | None]
    added: Mapped[bool] = mapped_column(default=False)  # found in a bin where the book had none
    move_id: Mapped[int | None] = mapped_column(ForeignKey("stock_move.id"))
    note: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(String(120))  # why it is counted: plan, bin left empty…
