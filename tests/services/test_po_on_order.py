"""Purchasing figures used elsewhere, on SQLite and PostgreSQL: the parts list's On order column (its rows
and its SQL sort), order accuracy (OTIF) on the dashboard and in the supplier report, and kanban sizing
with the supplier's measured lead time."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from desktop.db import Database
from desktop.services import purchasing as po
from desktop.services.actor import Actor
from desktop.services.catalogue import parts_list
from desktop.services.catalogue.suppliers import PartSupplierInput, get_supplier_id
from desktop.services.kanban import loops as kb
from desktop.services.kanban import scanning, sizing
from desktop.services.kanban.loops import CardStatus, LoopInput, LoopKind, StationMode
from desktop.services.purchasing import LineInput, ReceiptRequest
from desktop.services.stock.position import positions
from tests.factories import make_part, make_tree, receive

LONGEST = "L" * 40  # a part number at its maximum length


def test_the_parts_list_shows_on_order_and_sorts_by_it(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    sup = (PartSupplierInput("Fastenal", "FA-1", None, Decimal(100)),)
    bolt = make_part(db, admin, LONGEST, suppliers=sup)
    nut = make_part(db, admin, "NUT-M8", suppliers=(PartSupplierInput("Fastenal"),))
    oil = make_part(db, admin, "OIL-5L", suppliers=(PartSupplierInput("Fastenal"),))
    idle = make_part(db, admin, "IDLE", suppliers=(PartSupplierInput("Fastenal"),))
    fastenal = get_supplier_id(db, "Fastenal")
    po.create_order(db, admin, fastenal, [LineInput(bolt.id, Decimal(2))])  # a draft counts: 200 EA
    sent = po.send_order(db, admin, po.create_order(db, admin, fastenal, [LineInput(nut.id, Decimal(50))]).id)
    po.receive(db, admin, ReceiptRequest(sent.id, nut.id, Decimal(20), tree["A-01-01"].id))  # 30 still due
    gone = po.create_order(db, admin, fastenal, [LineInput(idle.id, Decimal(9))])
    po.cancel_order(db, admin, gone.id)  # a cancelled order is nothing on order
    loop = kb.create_loop(db, admin, LoopInput(oil.id, LoopKind.PURCHASE, tree["A-01-02"].id, Decimal(4), 2))
    card = kb.cards(db, loop.id)[0]
    scanning.scan(db, admin, card.code, StationMode.LINE)
    scanning.mark(db, admin, [card.id], CardStatus.ORDERED)  # an ordered card on no order line: one container
    ids = [bolt.id, nut.id, oil.id, idle.id]
    rows = {r.part_number: r.on_order for r in parts_list.part_rows(db, ids)}
    assert rows == {LONGEST: 200, "NUT-M8": 30, "OIL-5L": 4, "IDLE": 0}
    # the same figure What to order decides on
    assert {pid: p.on_order for pid, p in db.read(positions).items() if p.on_order} == {
        bolt.id: 200,
        nut.id: 30,
        oil.id: 4,
    }
    ordered = parts_list.search_part_ids(db, sort="on_order", descending=True)
    assert ordered == [bolt.id, nut.id, oil.id, idle.id]
    assert parts_list.search_part_ids(db, sort="on_order")[:1] == [idle.id]
    scanning.scan(db, admin, kb.cards(db, loop.id)[1].code, StationMode.LINE)
    (carded,) = po.orders_from_cards(db, admin, [kb.cards(db, loop.id)[1].id])
    # the card on an order line counts once, by its line
    assert parts_list.part_rows(db, [oil.id])[0].on_order == 8 and carded.lines[0].ordered_qty == 4


def test_judging_a_line_for_on_time_in_full() -> None:
    from datetime import date

    from desktop.services.purchasing.performance import judge

    today, need = date(2027, 3, 10), date(2027, 3, 5)
    early: dict[str, Any] = {
        "sent": True,
        "cancelled": False,
        "complete": True,
        "needed": need,
        "today": today,
    }
    assert judge(**early, arrived=date(2027, 3, 5)) == (date(2027, 3, 5), True)  # by the day: on time
    assert judge(**early, arrived=date(2027, 3, 6)) == (need, False)  # a day late: missed on its day
    assert judge(**{**early, "needed": None}, arrived=date(2027, 3, 9)) == (date(2027, 3, 9), True)
    short: dict[str, Any] = {**early, "complete": False, "arrived": None}
    assert judge(**short) == (need, False)  # past due, not in full
    assert judge(**{**short, "needed": today}) == (None, False)  # due today: it may still come
    assert judge(**{**short, "cancelled": True}) == (None, False)  # nothing was expected any more
    assert judge(**{**early, "sent": False}, arrived=need) == (None, False)  # a draft is no order yet


def test_order_accuracy_is_the_supplier_reports_otif_over_the_kpi_period(db: Database, admin: Actor) -> None:
    from datetime import date, timedelta

    from desktop.services.insight import kpis
    from desktop.services.insight import report_data as rd

    tree = make_tree(db, admin)
    bolt = make_part(db, admin, "BOLT-M8", suppliers=(PartSupplierInput("Fastenal"),))
    make_part(db, admin, "SEAL", suppliers=(PartSupplierInput("Z" * 120),))  # a supplier name at its longest
    fastenal = get_supplier_id(db, "Fastenal")
    today = date.today()

    def sent(needed: date, qty: int = 1) -> int:
        made = po.create_order(db, admin, fastenal, [LineInput(bolt.id, Decimal(qty), needed_by=needed)])
        return po.send_order(db, admin, made.id).id

    def take(order: int, qty: int) -> None:
        po.receive(db, admin, ReceiptRequest(order, bolt.id, Decimal(qty), tree["A-01-01"].id))

    take(sent(today + timedelta(days=3)), 1)  # complete before it is needed: on time in full
    take(sent(today - timedelta(days=2)), 1)  # complete, but after its needed-by date: missed
    take(short := sent(today - timedelta(days=1), 4), 3)  # needed yesterday, 1 of 4 missing: missed
    sent(today + timedelta(days=9))  # not due yet: not judged
    po.cancel_order(db, admin, sent(today - timedelta(days=5)))  # cancelled: not judged
    k = kpis.compute(db, months=3)
    assert (k.po_judged, k.po_on_time) == (3, 1) and k.order_accuracy == Decimal(100) / 3
    assert sum(m.po_judged for m in k.months) == 3 and sum(m.po_on_time for m in k.months) == 1
    this_month = {m.month: m.po_on_time for m in k.months}.get(f"{today:%Y-%m}")
    assert this_month == 1  # judged the day it came in: this month
    table = rd.build(db, admin, "suppliers", rd.ReportParams(months=3))
    assert table.totals is not None and table.totals[1:4] == (3, 1, Decimal("33.33"))
    po.close_order(db, admin, short, "the last one is not coming")  # closed short: still a miss
    assert kpis.compute(db, months=3).order_accuracy == Decimal(100) / 3


def test_kanban_sizing_plans_with_the_suppliers_measured_lead_time(db: Database, admin: Actor) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from desktop.models import PurchaseOrder, StockMove
    from desktop.models.enums import MoveKind
    from desktop.services.stock.moves import MoveRequest, post_move
    from tests.factories import place_at, receive

    tree = make_tree(db, admin)
    part = make_part(db, admin, "SCREW-M6", suppliers=(PartSupplierInput("Fastenal"),))
    line, stores = tree["A-01-02"].id, tree["A-01-01"].id
    data = LoopInput(part.id, LoopKind.PURCHASE, line, Decimal(10), 1, Decimal(3), Decimal(0))
    loop = kb.create_loop(db, admin, data)
    stocked = receive(db, admin, part.id, line, "900")
    used = post_move(db, admin, MoveRequest(MoveKind.ISSUE, part.id, Decimal(900), from_location_id=line))
    yesterday = datetime.now(UTC).astimezone() - timedelta(days=1)
    place_at(db, StockMove, {stocked.move.id: yesterday - timedelta(days=59), used.move.id: yesterday})
    fastenal = get_supplier_id(db, "Fastenal")

    def bought(days_ago: int) -> None:
        made = po.send_order(
            db, admin, po.create_order(db, admin, fastenal, [LineInput(part.id, Decimal(1))]).id
        )
        sent = datetime.now(UTC) - timedelta(days=days_ago)
        value = sent.replace(tzinfo=None) if db.is_sqlite else sent
        db.write(
            lambda s: s.execute(
                update(PurchaseOrder).where(PurchaseOrder.id == made.id).values(sent_at=value)
            )
        )
        po.receive(db, admin, ReceiptRequest(made.id, part.id, Decimal(1), stores))  # not at the line

    (rec,) = sizing.recommendations(db, admin, window_days=30)  # 900 over 30 complete days = 30 a day
    assert (rec.lead_source, rec.lead_days, rec.recommended) == ("planned", 3, 9)  # ceil(30 * 3 / 10)
    bought(6)
    bought(7)
    (rec,) = sizing.recommendations(db, admin, window_days=30)
    assert rec.lead_source == "planned"  # two receipts are not enough to plan on
    bought(6)
    (rec,) = sizing.recommendations(db, admin, window_days=30)
    assert (rec.lead_source, rec.lead_days, rec.recommended) == ("measured over 3 receipts", 6, 18)
    assert rec.loop.id == loop.id


def test_the_part_page_and_the_spares_view_count_what_the_parts_list_counts(
    db: Database, admin: Actor
) -> None:
    """On order is one figure everywhere: the part page's On order tab and the MRO spares view list the
    kanban cards on order on no line beside the order lines, with when each is due."""
    from datetime import date, timedelta

    from desktop.services import mro

    tree = make_tree(db, admin)
    belt = make_part(db, admin, LONGEST, suppliers=(PartSupplierInput("Fastenal", "FA-9", None, Decimal(1)),))
    fastenal = get_supplier_id(db, "Fastenal")
    due = date.today() + timedelta(days=30)
    order = po.create_order(db, admin, fastenal, [LineInput(belt.id, Decimal(3), needed_by=due)])
    loop = kb.create_loop(
        db,
        admin,
        LoopInput(belt.id, LoopKind.PURCHASE, tree["A-01-02"].id, Decimal(2), 2, lead_time_days=Decimal(5)),
    )
    for card in kb.cards(db, loop.id):
        scanning.scan(db, admin, card.code, StationMode.LINE)
    first, second = kb.cards(db, loop.id)
    scanning.mark(db, admin, [first.id], CardStatus.ORDERED)  # ordered by phone: on no order line
    po.orders_from_cards(db, admin, [second.id])  # the other card on an order line: counted by its line
    listed = po.open_lines_for_part(db, belt.id)
    assert [(x.reference, x.open_qty, x.state) for x in listed] == [
        (first.code, 2, "ORDERED"),  # due in 5 days (the loop's lead time): the soonest first
        (listed[1].reference, 2, "DRAFT"),  # the other card's order line, needed as soon
        (f"{order.number}/1", 3, "DRAFT"),
    ]
    assert listed[0].needed_by == date.today() + timedelta(days=5) and listed[2].needed_by == due
    assert sum(x.open_qty for x in listed) == parts_list.part_rows(db, [belt.id])[0].on_order == 7
    press = mro.create_asset(db, admin, mro.AssetInput("PRESS-01", "Press 1"))
    mro.set_spare(db, admin, press.id, belt.id, qty_installed=Decimal(1), recommended_qty=Decimal(2))
    spare = mro.asset_spares(db, press.id).spares[0]
    assert (spare.on_order, spare.due) == (7, date.today() + timedelta(days=5))


def test_positions_are_exact_sums_of_fractional_quantities(db: Database, admin: Actor) -> None:
    """SQLite sums decimals as doubles (0.1 + 0.2 = 0.30000000000000004): the position read for every part
    of the plant is made exact to the ledger's places, and a whole sum stays whole, on both databases."""
    tree = make_tree(db, admin)
    oil = make_part(db, admin, "OIL-5L", unit="L", suppliers=(PartSupplierInput("Fastenal"),))
    bolt = make_part(db, admin, "BOLT", suppliers=(PartSupplierInput("Fastenal"),))
    for qty, where in (("0.1", "A-01-01"), ("0.2", "A-01-02"), ("0.0003", "Q-01")):
        receive(db, admin, oil.id, tree[where].id, qty)
    receive(db, admin, bolt.id, tree["A-01-01"].id, "7")
    receive(db, admin, bolt.id, tree["A-01-02"].id, "5")
    fastenal = get_supplier_id(db, "Fastenal")
    po.create_order(db, admin, fastenal, [LineInput(oil.id, Decimal("0.7"))])
    got = db.read(positions)
    assert got[oil.id].on_hand == Decimal("0.3003") and str(got[oil.id].on_hand) == "0.3003"
    assert str(got[oil.id].on_order) == "0.7" and str(got[oil.id].position) == "1.0003"
    assert str(got[bolt.id].on_hand) == "12" and got[bolt.id].on_order == 0
