from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, Money, Stamped


class Supplier(Stamped, Base):
    __tablename__ = "supplier"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    # Upper-cased name: suppliers are unique regardless of case or spacing.
    name_key: Mapped[str] = mapped_column(String(120), unique=True)
    contact: Mapped[str | None] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(300))
    website: Mapped[str | None] = mapped_column(String(200))
    currency: Mapped[str | None] = mapped_column(String(3))  # ISO 4217 code of its prices
    active: Mapped[bool] = mapped_column(default=True)


class PartSupplier(Stamped, Base):
    """One supplier part number (SKU) of a part, with its pack and price: a supplier may sell a part
    under several (a reel and cut tape)."""

    __tablename__ = "part_supplier"
    __table_args__ = (UniqueConstraint("part_id", "supplier_id", "sku_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("part.id", ondelete="CASCADE"), index=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"), index=True)
    supplier_part_number: Mapped[str | None] = mapped_column(String(60), index=True)
    # Upper-cased supplier part number: what a scan of the supplier's barcode is compared with.
    sku_key: Mapped[str | None] = mapped_column(String(60), index=True)
    price: Mapped[Decimal | None] = mapped_column(Money)
    pack_qty: Mapped[Decimal | None]
    lead_time_days: Mapped[int | None]
