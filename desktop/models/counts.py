"""Cycle counts: sessions with a snapshot of the book, and one line per part per bin (per lot of a tracked
part: migration 0022)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, func, text
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
    __table_args__ = (
        # one line per (part, bin) and, for a tracked part, per lot: NULLs are distinct in a unique
        # constraint, so the lines without a lot get their own partial unique index
        UniqueConstraint("session_id", "part_id", "location_id", "lot_id"),
        Index(
            "ux_count_line_no_lot",
            "session_id",
            "part_id",
            "location_id",
            unique=True,
            sqlite_where=text("lot_id IS NULL"),
            postgresql_where=text("lot_id IS NULL"),
        ),
        # when was this bin/part last counted: the plan's done marks and the event rules ask it
        Index("ix_count_line_part_location", "part_id", "location_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("count_session.id"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("part.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    # the lot or serial a tracked part's line counts (NULL: an untracked part, or a tracked part's bin
    # where the book knew no lot)
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))
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


class CountPlanSlot(Base):
    """One planned count of a bin/part line on a working day. Dealt once (at the year's first plan, or the
    first plan after the line reached the book) and then kept, so a line's count dates never move; a
    slot not counted by its day stays open and is carried forward as overdue."""

    __tablename__ = "count_plan_slot"
    __table_args__ = (
        UniqueConstraint("part_id", "location_id", "due"),
        Index("ix_count_plan_slot_due", "due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("part.id"))
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"))
    due: Mapped[date]
    per_year: Mapped[int]  # the line's frequency when it was dealt (a new frequency re-deals its future)
    dealt_on: Mapped[date]  # the plan's day when this slot was dealt: `due` is never before it
    # start of the count that covered it (on or after its day); for a day already past when the year's
    # first plan was made, the moment the plan was made (settled, never overdue)
    done_at: Mapped[datetime | None]
