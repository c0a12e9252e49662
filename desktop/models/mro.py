"""MRO spares: the asset tree, where-used (asset <-> part), part cross-references, reservations for
work orders, the asset an issue went to, and repairable units tracked by serial number."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, Stamped


class Asset(Stamped, Base):
    """A node of the plant tree site > line > machine > component; its tag is printed as `A-<code>`."""

    __tablename__ = "asset"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("asset.id"), index=True)
    level: Mapped[str] = mapped_column(String(12))
    criticality: Mapped[str | None] = mapped_column(String(12))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    notes: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)


class AssetSpare(Stamped, Base):
    """Where-used: `part` is a spare of `asset`, with how many are fitted and how many to keep."""

    __tablename__ = "asset_spare"
    __table_args__ = (UniqueConstraint("asset_id", "part_id"), Index("ix_asset_spare_part", "part_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id"))
    part_id: Mapped[int] = mapped_column(ForeignKey("part.id"))
    qty_installed: Mapped[Decimal]
    recommended_qty: Mapped[Decimal]
    usage: Mapped[str] = mapped_column(String(12))


class PartXref(Stamped, Base):
    """A manufacturer number, an alternate part, or the part that supersedes this one.

    Kept out of the `part` table so other modules' migrations never collide on it.
    """

    __tablename__ = "part_xref"
    __table_args__ = (
        CheckConstraint(
            "(kind = 'MANUFACTURER' AND value_key IS NOT NULL) OR other_part_id IS NOT NULL",
            name="has_target",
        ),
        Index("ix_part_xref_part", "part_id"),
        Index("ix_part_xref_value_key", "value_key"),
        Index("ix_part_xref_other_part", "other_part_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("part.id"))
    kind: Mapped[str] = mapped_column(String(16))
    manufacturer: Mapped[str | None] = mapped_column(String(80))
    value: Mapped[str | None] = mapped_column(String(60))
    # Upper-cased manufacturer number, for scans of a manufacturer's barcode.
    value_key: Mapped[str | None] = mapped_column(String(60))
    other_part_id: Mapped[int | None] = mapped_column(ForeignKey("part.id"))
    note: Mapped[str | None] = mapped_column(String(200))


class Reservation(Stamped, Base):
    """Units of a part held for a work order. Open qty = qty - issued - released (returns re-open nothing:
    what comes back goes to a bin and is free for anyone)."""

    __tablename__ = "reservation"
    __table_args__ = (
        CheckConstraint("qty > 0", name="qty_positive"),
        CheckConstraint("issued_qty >= 0 AND released_qty >= 0", name="done_not_negative"),
        CheckConstraint("issued_qty + released_qty <= qty", name="not_overdrawn"),
        Index("ix_reservation_part_status", "part_id", "status"),
        Index("ix_reservation_work_order", "work_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("part.id"))
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("asset.id"), index=True)
    work_order: Mapped[str] = mapped_column(String(60))
    qty: Mapped[Decimal]
    issued_qty: Mapped[Decimal] = mapped_column(default=Decimal(0))
    released_qty: Mapped[Decimal] = mapped_column(default=Decimal(0))
    needed_by: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))


class AssetMove(Base):
    """The asset and/or reservation a ledger move (an ISSUE or a RETURN) was for.

    A link table rather than columns on `stock_move`, so the ledger table stays as other modules see it.
    """

    __tablename__ = "asset_move"
    __table_args__ = (
        CheckConstraint("asset_id IS NOT NULL OR reservation_id IS NOT NULL", name="links_something"),
    )

    move_id: Mapped[int] = mapped_column(ForeignKey("stock_move.id"), primary_key=True)
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("asset.id"), index=True)
    reservation_id: Mapped[int | None] = mapped_column(ForeignKey("reservation.id"), index=True)


class SerialUnit(Stamped, Base):
    """One repairable (rotable) unit of a part. Never reordered: it goes round service and repair."""

    __tablename__ = "serial_unit"
    __table_args__ = (UniqueConstraint("part_id", "serial_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("part.id"))
    serial: Mapped[str] = mapped_column(String(60))
    serial_key: Mapped[str] = mapped_column(String(60), index=True)
    state: Mapped[str] = mapped_column(String(12))
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("asset.id"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    reference: Mapped[str | None] = mapped_column(String(60))


class SerialEvent(Base):
    """Every state change of a serial unit, with who, when and why; never edited."""

    __tablename__ = "serial_event"
    __table_args__ = (Index("ix_serial_event_unit_at", "serial_unit_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    serial_unit_id: Mapped[int] = mapped_column(ForeignKey("serial_unit.id"))
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("asset.id"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"))
    reference: Mapped[str | None] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(String(200))
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    at: Mapped[datetime] = mapped_column(server_default=func.now())
