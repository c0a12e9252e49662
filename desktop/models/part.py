from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, Money, Stamped


class Part(Stamped, Base):
    __tablename__ = "part"

    id: Mapped[int] = mapped_column(primary_key=True)
    part_number: Mapped[str] = mapped_column(String(40))
    # Upper-cased part number: uniqueness and look-ups are case-insensitive on every database.
    number_key: Mapped[str] = mapped_column(String(40), unique=True)
    description: Mapped[str] = mapped_column(String(200), index=True)
    category: Mapped[str] = mapped_column(String(12), index=True)
    unit: Mapped[str] = mapped_column(String(8))
    unit_cost: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    abc_class: Mapped[str | None] = mapped_column(String(1))
    abc_override: Mapped[str | None] = mapped_column(String(1))
    criticality: Mapped[str | None] = mapped_column(String(12))
    min_qty: Mapped[Decimal | None]
    max_qty: Mapped[Decimal | None]
    reorder_point: Mapped[Decimal | None]
    safety_stock: Mapped[Decimal | None]
    lead_time_days: Mapped[int | None]
    default_supplier_id: Mapped[int | None] = mapped_column(ForeignKey("supplier.id"))
    manufacturer: Mapped[str | None] = mapped_column(String(80))
    manufacturer_part_number: Mapped[str | None] = mapped_column(String(60))
    # Upper-cased manufacturer number, for scans of a manufacturer's own barcode.
    mpn_key: Mapped[str | None] = mapped_column(String(60), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    notes: Mapped[str | None] = mapped_column(Text)
    # Lots (migration 0021): NONE, LOT or SERIAL (desktop.services.lots); a shelf life stamps each new
    # lot's expiry, and the warning window says how early the expiry report lists it.
    tracking: Mapped[str] = mapped_column(String(8), default="NONE", server_default="NONE")
    shelf_life_days: Mapped[int | None]
    expiry_warning_days: Mapped[int | None]
