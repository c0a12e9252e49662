"""Purchase orders to suppliers, their lines, and the receipts posted against each line."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from desktop.models.base import Base, Money, Stamped


class PurchaseOrder(Stamped, Base):
    __tablename__ = "purchase_order"
    __table_args__ = (Index("ix_purchase_order_state_supplier", "state", "supplier_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)  # PO-000001, from the id
    supplier_id: Mapped[int] = mapped_column(ForeignKey("supplier.id"), index=True)
    state: Mapped[str] = mapped_column(String(16))  # enums.PoState
    notes: Mapped[str | None] = mapped_column(Text)
    needed_by: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"))
    # when it went to the supplier: the start of every lead time measured on its receipts
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # the ERP's number of an order placed there and imported to be received here (re-imports match on it)
    external_number: Mapped[str | None] = mapped_column(String(40), unique=True)


class PurchaseOrderLine(Stamped, Base):
    """One part on an order, in the supplier's packs: `packs` x `pack_size` part units are ordered at
    `unit_price` per pack. `received_qty` (part units) is the sum of the line's receipts."""

    __tablename__ = "purchase_order_line"
    __table_args__ = (
        UniqueConstraint("order_id", "line_no"),
        CheckConstraint("packs > 0", name="packs_positive"),
        CheckConstraint("pack_size > 0", name="pack_size_positive"),
        CheckConstraint("received_qty >= 0", name="received_not_negative"),
        Index("ix_purchase_order_line_part_order", "part_id", "order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("purchase_order.id", ondelete="CASCADE"))
    line_no: Mapped[int]
    part_id: Mapped[int] = mapped_column(ForeignKey("part.id"))
    supplier_part_number: Mapped[str | None] = mapped_column(String(60))
    packs: Mapped[Decimal]
    pack_size: Mapped[Decimal] = mapped_column(default=Decimal(1))
    unit_price: Mapped[Decimal | None] = mapped_column(Money)  # per pack, in the supplier's currency
    needed_by: Mapped[date | None] = mapped_column(Date)
    received_qty: Mapped[Decimal] = mapped_column(default=Decimal(0))
    # the purchase-kanban card this line re-fills: it becomes FULL when the line is received in full
    kanban_card_id: Mapped[int | None] = mapped_column(ForeignKey("kanban_card.id"), index=True)


class PurchaseReceipt(Base):
    """Which ledger RECEIPT was posted against which line (the move holds part, quantity, bin, who, when)."""

    __tablename__ = "purchase_receipt"

    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("purchase_order_line.id", ondelete="CASCADE"), index=True)
    move_id: Mapped[int] = mapped_column(ForeignKey("stock_move.id"), unique=True)
    # above the tolerance: the supervisor or admin who confirmed it
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"))
