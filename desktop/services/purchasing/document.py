"""The data of a purchase order's printed document (desktop/reports/purchase_order.py renders it)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.models import Supplier
from desktop.reports.purchase_order import PoDocLine, PoDocument
from desktop.services.admin.plant_settings import read_identity
from desktop.services.purchasing.orders import order_dto


def po_document(db: Database, order_id: int, *, today: date | None = None) -> PoDocument:
    def op(s: Session) -> PoDocument:
        order = order_dto(s, order_id)
        sup = s.get(Supplier, order.supplier_id)
        assert sup is not None  # an order's supplier is a foreign key
        plant = read_identity(s)
        contact = " / ".join(x for x in (sup.contact, sup.email, sup.phone) if x) or None
        issued = order.sent_at.date() if order.sent_at else (today or date.today())
        return PoDocument(
            order.number,
            order.state,
            issued,
            plant.name,
            plant.address,
            plant.deliver_to,
            sup.name,
            sup.address,
            contact,
            order.currency,
            order.needed_by,
            order.notes,
            order.created_by,
            tuple(
                PoDocLine(
                    x.line_no,
                    x.part_number,
                    x.supplier_part_number,
                    x.description,
                    x.unit,
                    x.packs,
                    x.pack_size,
                    x.unit_price,
                    x.needed_by,
                )
                for x in order.lines
            ),
        )

    return db.read(op)
