"""What planning and the KPIs need beyond the ledger: shortages at the counter, plant-wide settings."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base


class ShortIssue(Base):
    """An issue request that stock could not fill in full: asked for `requested`, got `issued` (which
    may be zero). The fill rate counts these against the issues that were filled in full."""

    __tablename__ = "short_issue"
    __table_args__ = (
        CheckConstraint("requested_qty > 0", name="requested_positive"),
        CheckConstraint("issued_qty >= 0 AND issued_qty < requested_qty", name="issued_below_requested"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("part.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    requested_qty: Mapped[Decimal]
    issued_qty: Mapped[Decimal]
    # the ISSUE move that handed over what there was (none when the bin was empty)
    move_id: Mapped[int | None] = mapped_column(ForeignKey("stock_move.id"), unique=True)
    reference: Mapped[str | None] = mapped_column(String(60))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(server_default=func.now(), index=True)


class AppSetting(Base):
    """Plant-wide settings kept in the database, so every PC plans with the same figures."""

    __tablename__ = "app_setting"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
