"""Measured lead times count the newest LAST_N receipts (the receipts are sorted in Python, not in SQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.models import PurchaseOrder, PurchaseOrderLine, PurchaseReceipt, StockMove, Supplier
from desktop.services import purchasing as po
from desktop.services.actor import Actor
from desktop.services.catalogue.suppliers import PartSupplierInput
from desktop.services.purchasing import LineInput, ReceiptRequest
from desktop.services.purchasing.lead_times import LAST_N, lead_times
from tests.factories import make_part, make_tree, place_at


def test_the_newest_receipts_count(db: Database, admin: Actor) -> None:
    """12 orders sent the same day, received 1 to 12 days later, the later ones received later: the
    newest 10 took 3 to 12 days (median 7.5, spread 9); the oldest 10 would say 5.5."""
    bin_id = make_tree(db, admin)["A-01-01"].id
    part = make_part(db, admin, "PIN-6", suppliers=(PartSupplierInput("Acme"),))
    supplier = db.read(lambda s: s.scalar(select(Supplier.id).where(Supplier.name == "Acme")))
    assert supplier is not None
    sent = datetime.now(UTC) - timedelta(days=40)
    sqlite = db.engine.dialect.name == "sqlite"
    received: dict[int, datetime] = {}
    for days in range(1, LAST_N + 3):
        order = po.send_order(
            db, admin, po.create_order(db, admin, supplier, [LineInput(part.id, Decimal(1))]).id
        )

        def arrange(s: Session, order_id: int = order.id) -> int:
            s.execute(
                update(PurchaseOrder)
                .where(PurchaseOrder.id == order_id)
                .values(sent_at=sent.replace(tzinfo=None) if sqlite else sent)
            )
            return int(
                s.scalar(
                    select(PurchaseReceipt.move_id)
                    .join(PurchaseOrderLine, PurchaseOrderLine.id == PurchaseReceipt.line_id)
                    .where(PurchaseOrderLine.order_id == order_id)
                )
                or 0
            )

        po.receive(db, admin, ReceiptRequest(order.id, part.id, Decimal(1), bin_id))
        received[db.write(arrange)] = sent + timedelta(days=days)
    place_at(db, StockMove, received)
    (timed,) = lead_times(db)
    assert (timed.receipts, timed.median_days, round(timed.spread_days, 6)) == (LAST_N, 7.5, 9)
