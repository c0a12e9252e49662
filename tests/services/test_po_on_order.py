"""On order everywhere, on SQLite and PostgreSQL: the parts list's On order column (its rows and its SQL
sort) counts what open orders have not received and ordered kanban cards on no order line."""

from __future__ import annotations

from decimal import Decimal

from desktop.db import Database
from desktop.services import kanban as kb
from desktop.services import parts
from desktop.services import purchasing as po
from desktop.services.actor import Actor
from desktop.services.inventory_position import positions
from desktop.services.kanban import CardStatus, LoopInput, LoopKind, StationMode
from desktop.services.purchasing import LineInput, ReceiptRequest
from desktop.services.suppliers import PartSupplierInput, supplier_id_for_name
from tests.factories import make_part, make_tree

LONGEST = "L" * 40  # a part number at its maximum length


def test_the_parts_list_shows_on_order_and_sorts_by_it(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    sup = (PartSupplierInput("Fastenal", "FA-1", None, Decimal(100)),)
    bolt = make_part(db, admin, LONGEST, suppliers=sup)
    nut = make_part(db, admin, "NUT-M8", suppliers=(PartSupplierInput("Fastenal"),))
    oil = make_part(db, admin, "OIL-5L", suppliers=(PartSupplierInput("Fastenal"),))
    idle = make_part(db, admin, "IDLE", suppliers=(PartSupplierInput("Fastenal"),))
    fastenal = supplier_id_for_name(db, "Fastenal")
    po.create_order(db, admin, fastenal, [LineInput(bolt.id, Decimal(2))])  # a draft counts: 200 EA
    sent = po.send_order(db, admin, po.create_order(db, admin, fastenal, [LineInput(nut.id, Decimal(50))]).id)
    po.receive(db, admin, ReceiptRequest(sent.id, nut.id, Decimal(20), tree["A-01-01"].id))  # 30 still due
    gone = po.create_order(db, admin, fastenal, [LineInput(idle.id, Decimal(9))])
    po.cancel_order(db, admin, gone.id)  # a cancelled order is nothing on order
    loop = kb.create_loop(db, admin, LoopInput(oil.id, LoopKind.PURCHASE, tree["A-01-02"].id, Decimal(4), 2))
    card = kb.cards(db, loop.id)[0]
    kb.scan(db, admin, card.code, StationMode.LINE)
    kb.mark(db, admin, [card.id], CardStatus.ORDERED)  # an ordered card on no order line: one container
    ids = [bolt.id, nut.id, oil.id, idle.id]
    rows = {r.part_number: r.on_order for r in parts.part_rows(db, ids)}
    assert rows == {LONGEST: 200, "NUT-M8": 30, "OIL-5L": 4, "IDLE": 0}
    # the same figure What to order decides on
    assert {pid: p.on_order for pid, p in db.read(positions).items() if p.on_order} == {
        bolt.id: 200,
        nut.id: 30,
        oil.id: 4,
    }
    ordered = parts.search_part_ids(db, sort="on_order", descending=True)
    assert ordered == [bolt.id, nut.id, oil.id, idle.id]
    assert parts.search_part_ids(db, sort="on_order")[:1] == [idle.id]
    kb.scan(db, admin, kb.cards(db, loop.id)[1].code, StationMode.LINE)
    (carded,) = po.orders_from_cards(db, admin, [kb.cards(db, loop.id)[1].id])
    # the card on an order line counts once, by its line
    assert parts.part_rows(db, [oil.id])[0].on_order == 8 and carded.lines[0].ordered_qty == 4
