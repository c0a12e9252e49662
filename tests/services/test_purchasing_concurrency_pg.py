"""Keepers at several PCs receiving the same order line at the same moment, on a real PostgreSQL server:
the order-row lock makes exactly the ordered quantity (plus tolerance) go in, and everyone else hears
what is left; the line, its receipts and the ledger agree."""

from __future__ import annotations

import multiprocessing as mp
from decimal import Decimal

import pytest
from sqlalchemy import select

from desktop.db import Database
from desktop.errors import Conflict
from desktop.models import Supplier
from desktop.models.enums import Role
from desktop.services import purchasing as po
from desktop.services.admin.users import ensure_user
from desktop.services.catalogue.suppliers import PartSupplierInput
from desktop.services.purchasing import LineInput, ReceiptRequest
from desktop.services.stock import history as stock_history
from desktop.services.stock import moves as stock
from tests.factories import make_part, make_tree
from tests.processes import run_at_once, wait_for

pytestmark = pytest.mark.postgres


def _worker(
    url: str,
    user: str,
    order_id: int,
    part_id: int,
    bin_id: int,
    tries: int,
    start: float,
    out: mp.Queue[tuple[int, int, list[str]]],
) -> None:
    database = Database(url)
    actor = ensure_user(database, user, role=Role.KEEPER)
    ok = refused = 0
    messages: set[str] = set()
    wait_for(start)
    for _n in range(tries):
        try:
            po.receive(database, actor, ReceiptRequest(order_id, part_id, Decimal(1), bin_id))
            ok += 1
        except Conflict as exc:
            refused += 1
            messages.add(str(exc))
    database.dispose()
    out.put((ok, refused, sorted(messages)))


@pytest.mark.parametrize(("procs", "tries", "ordered"), [(2, 1, 1), (4, 6, 10)])
def test_receiving_the_same_line_at_once_never_over_receives(
    pg_db: Database, procs: int, tries: int, ordered: int
) -> None:
    admin = ensure_user(pg_db, "admin")
    tree = make_tree(pg_db, admin)
    part = make_part(pg_db, admin, suppliers=(PartSupplierInput("SKF"),))
    order = po.create_order(pg_db, admin, _supplier(pg_db), [LineInput(part.id, Decimal(ordered))])
    po.send_order(pg_db, admin, order.id)
    po.save_purchasing(pg_db, admin, po.PurchasingSettings(over_receipt_pct=Decimal(0)))
    bin_id = tree["A-01-01"].id
    args = [(pg_db.url, f"keeper{n}", order.id, part.id, bin_id, tries) for n in range(procs)]
    results = run_at_once(_worker, args)
    assert sum(r[0] for r in results) == ordered
    assert sum(r[1] for r in results) == procs * tries - ordered
    after = po.get_order(pg_db, order.id)
    assert after.lines[0].received_qty == ordered and after.state == "RECEIVED"
    assert stock.balance(pg_db, part.id, bin_id) == ordered
    assert len(stock_history.history(pg_db, part_id=part.id)) == ordered
    messages = {m for r in results for m in r[2]}
    assert messages == {
        f"6205-2RS on {order.number} line 1: ordered {ordered} EA, received {ordered}, 0 left "
        "(up to 0 with the 0 % tolerance): cannot receive 1. A supervisor can confirm an over-receipt."
    }


def _supplier(database: Database) -> int:
    found = database.read(lambda s: s.scalar(select(Supplier.id).where(Supplier.name == "SKF")))
    assert found is not None
    return found


def _clerk(url: str, job: str, ids: list[int], start: float, out: mp.Queue[tuple[str, list[int]]]) -> None:
    """`job` "send": sends each order; "edit": changes each draft line to 5 packs, and returns the lines
    it changed (the others were sent first)."""
    database = Database(url)
    actor = ensure_user(database, f"clerk-{job}", role=Role.CLERK)
    changed = []
    wait_for(start)
    for n in ids:
        if job == "send":
            po.send_order(database, actor, n)
            continue
        try:
            po.edit_line(database, actor, n, po.LineChange(Decimal(5), Decimal(1), None))
            changed.append(n)
        except Conflict:
            pass  # sent meanwhile: lines are changed on drafts only
    database.dispose()
    out.put((job, changed))


def test_a_draft_line_edited_while_the_order_is_sent_is_never_half_changed(pg_db: Database) -> None:
    """Two clerks: one sends 30 drafts while the other changes their lines. The order row's lock orders
    them: a line changed before its send goes out changed, an edit after the send is refused; never a
    sent order changed afterwards, or an edit reported done that did not stick."""
    from desktop.models import AuditEvent

    admin = ensure_user(pg_db, "admin")
    part = make_part(pg_db, admin, suppliers=(PartSupplierInput("SKF"),))
    supplier = _supplier(pg_db)
    orders = [po.create_order(pg_db, admin, supplier, [LineInput(part.id, Decimal(2))]) for _ in range(30)]
    lines = [o.lines[0].id for o in orders]
    results = dict(
        run_at_once(_clerk, [(pg_db.url, "send", [o.id for o in orders]), (pg_db.url, "edit", lines)])
    )
    changed = set(results["edit"])

    def actions(oid: int) -> list[str]:
        return pg_db.read(
            lambda s: [
                a
                for a in s.scalars(
                    select(AuditEvent.action)
                    .where(AuditEvent.entity == "purchase_order", AuditEvent.entity_id == oid)
                    .order_by(AuditEvent.id)
                )
                if a in ("po.edit_line", "po.state")
            ]
        )

    for order in orders:
        after = po.get_order(pg_db, order.id)
        line_id = order.lines[0].id
        assert after.state == "SENT" and after.lines[0].packs == (5 if line_id in changed else 2)
        # the edit, when it happened, came before the send
        assert actions(order.id) == (["po.edit_line", "po.state"] if line_id in changed else ["po.state"])
