"""The append-only stock ledger and the balances it keeps up to date."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, Money


class StockMove(Base):
    """One movement of a quantity of a part: out of `from_location`, into `to_location`, or both.

    Never updated or deleted; a correction is a new move with `reverses_move_id` set.
    """

    __tablename__ = "stock_move"
    # fetch the server-side `at` in the INSERT itself (RETURNING), not with a second SELECT
    __mapper_args__ = {"eager_defaults": True}  # noqa: RUF012 - SQLAlchemy's declarative attribute
    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint("from_location_id IS NOT NULL OR to_location_id IS NOT NULL", name="has_location"),
        # with the kind: the KPIs' "moved since" probes per part read the index alone (migration 0023)
        Index("ix_stock_move_part_at_kind", "part_id", "at", "kind"),
        Index("ix_stock_move_from_at", "from_location_id", "at"),
        Index("ix_stock_move_to_at", "to_location_id", "at"),
        # covering for the KPIs' per-part reads of a recent window (what moved, what was consumed and how
        # much), read from the index alone instead of every move (migration 0018_kpi_daily)
        Index("ix_stock_move_at_kind", "at", "kind", "part_id", "from_location_id", "qty"),
        Index("ix_stock_move_lot_at", "lot_id", "at"),  # a lot's trace
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("part.id"))
    from_location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    to_location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    qty: Mapped[Decimal]
    kind: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(String(200))
    reference: Mapped[str | None] = mapped_column(String(60))
    unit_cost: Mapped[Decimal | None] = mapped_column(Money)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), index=True)
    # Server time only: no back-dating (ERPNext's back-dated postings broke balances for years).
    at: Mapped[datetime] = mapped_column(server_default=func.now())
    reverses_move_id: Mapped[int | None] = mapped_column(ForeignKey("stock_move.id"), unique=True)
    # Set by a client that may retry after a lost connection, so a retry never posts twice.
    posting_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The lot or serial of a tracked part's move (migration 0021); NULL for every untracked part.
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lot.id"))


class StockBalance(Base):
    __tablename__ = "stock_balance"
    # covering: what a bin, rack or area holds is read from the index alone (migration 0010)
    __table_args__ = (Index("ix_stock_balance_location_held", "location_id", "part_id", "qty"),)

    part_id: Mapped[int] = mapped_column(ForeignKey("part.id"), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id"), primary_key=True)
    qty: Mapped[Decimal]
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
