"""Purchasing on SQLite and PostgreSQL: orders by hand, from What to order and from kanban cards, state
changes and their permissions, receipts with tolerance, bins, kanban cards, and the on-order figure."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import Conflict, PermissionDenied, UserError
from desktop.models import AuditEvent, PurchaseReceipt, Supplier
from desktop.models.enums import PoState, Role
from desktop.services import purchasing as po
from desktop.services.actor import Actor
from desktop.services.admin.users import ensure_user
from desktop.services.catalogue.parts import PartDTO
from desktop.services.catalogue.suppliers import PartSupplierInput
from desktop.services.insight import replenishment
from desktop.services.kanban import board, scanning
from desktop.services.kanban import loops as kb
from desktop.services.kanban.loops import CardStatus, LoopInput, LoopKind, StationMode
from desktop.services.purchasing import LineInput, ReceiptRequest, Wanted
from desktop.services.stock import history as stock_history
from desktop.services.stock import moves as stock
from desktop.services.stock.position import positions
from tests.factories import make_part, make_tree, receive


@pytest.fixture
def plant(db: Database, admin: Actor) -> dict[str, int]:
    tree = make_tree(db, admin)
    bolt = make_part(
        db,
        admin,
        "BOLT-M8",
        unit_cost=Decimal("0.20"),
        suppliers=(PartSupplierInput("Fastenal", "FA-88", Decimal("18.00"), Decimal(100), 5),),
    )
    nut = make_part(
        db, admin, "NUT-M8", unit_cost=Decimal("0.05"), suppliers=(PartSupplierInput("Fastenal"),)
    )
    oil = make_part(db, admin, "OIL-5L", unit="EA", suppliers=(PartSupplierInput("Shell", "SH-1"),))
    bare = make_part(db, admin, "NO-SUPPLIER")
    sup = db.read(lambda s: s.scalar(select(Supplier.id).where(Supplier.name == "Fastenal")))
    return {
        "bolt": bolt.id,
        "nut": nut.id,
        "oil": oil.id,
        "bare": bare.id,
        "fastenal": int(sup or 0),
        "bin": tree["A-01-01"].id,
        "bin2": tree["A-01-02"].id,
        "q": tree["Q-01"].id,
    }


def _clerk(db: Database) -> Actor:
    return ensure_user(db, "clara", role=Role.CLERK)


def _order(db: Database, who: Actor, p: dict[str, int], packs: str = "2") -> po.OrderDTO:
    return po.create_order(
        db, who, p["fastenal"], [LineInput(p["bolt"], Decimal(packs)), LineInput(p["nut"], Decimal(50))]
    )


def test_an_order_by_hand_takes_the_suppliers_pack_price_and_number(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    order = _order(db, _clerk(db), plant)
    assert (
        order.number == f"PO-{order.id:06d}" and order.state == "DRAFT" and order.supplier_name == "Fastenal"
    )
    bolt, nut = order.lines
    assert (bolt.line_no, bolt.supplier_part_number, bolt.packs, bolt.pack_size) == (1, "FA-88", 2, 100)
    assert bolt.ordered_qty == 200 and bolt.unit_price == Decimal("18.00") and bolt.value == 36
    # no supplier row with a pack or price: packs of 1 at the part's cost
    assert (nut.pack_size, nut.unit_price, nut.ordered_qty) == (1, Decimal("0.05"), 50)
    assert order.total == Decimal("38.50") and order.created_by == "clara"
    assert po.get_order_id(db, "po-" + str(order.id)) == order.id
    assert po.get_order_id(db, order.number.lower()) == order.id
    trail = db.read(
        lambda s: list(s.scalars(select(AuditEvent.summary).where(AuditEvent.action == "po.create")))
    )
    assert trail == [f"created {order.number} for Fastenal (2 line(s), by hand)"]


def test_bad_orders_are_refused_and_write_nothing(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    keeper = ensure_user(db, "kim", role=Role.KEEPER)
    with pytest.raises(PermissionDenied, match="may not create, send and cancel purchase orders"):
        _order(db, keeper, plant)
    with pytest.raises(UserError, match="at least one line"):
        po.create_order(db, admin, plant["fastenal"], [])
    with pytest.raises(UserError, match="whole numbers"):
        po.create_order(db, admin, plant["fastenal"], [LineInput(plant["nut"], Decimal("1.5"))])
    with pytest.raises(UserError, match="above zero"):
        po.create_order(db, admin, plant["fastenal"], [LineInput(plant["nut"], Decimal(0))])
    with pytest.raises(UserError, match="control character"):
        po.create_order(db, admin, plant["fastenal"], [LineInput(plant["nut"], Decimal(1))], notes="a\x00b")
    assert po.list_orders(db) == []


def test_state_changes_need_their_permissions_and_are_audited(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    clerk, keeper = _clerk(db), ensure_user(db, "kim", role=Role.KEEPER)
    order = _order(db, clerk, plant)
    with pytest.raises(PermissionDenied):
        po.send_order(db, keeper, order.id)
    sent = po.send_order(db, clerk, order.id)
    assert sent.state == "SENT" and sent.sent_at is not None
    with pytest.raises(Conflict, match="is sent: it cannot be sent"):
        po.send_order(db, clerk, order.id)
    with pytest.raises(Conflict, match="lines are added to drafts only"):
        po.add_lines(db, clerk, order.id, [LineInput(plant["nut"], Decimal(1))])
    with pytest.raises(PermissionDenied, match="close purchase orders short"):
        po.close_order(db, clerk, order.id)
    po.receive(db, keeper, ReceiptRequest(order.id, plant["bolt"], Decimal(50), plant["bin"]))
    with pytest.raises(Conflict, match="is partly received: it cannot be cancelled"):
        po.cancel_order(db, clerk, order.id)
    supervisor = ensure_user(db, "sam", role=Role.SUPERVISOR)
    closed = po.close_order(db, supervisor, order.id, "supplier discontinued the nut")
    assert closed.state == "CLOSED"
    with pytest.raises(Conflict, match="is closed: nothing can be received"):
        po.receive(db, keeper, ReceiptRequest(order.id, plant["bolt"], Decimal(1), plant["bin"]))
    trail = db.read(
        lambda s: list(
            s.scalars(
                select(AuditEvent.summary).where(AuditEvent.action == "po.state").order_by(AuditEvent.id)
            )
        )
    )
    n = order.number
    assert trail == [
        f"{n}: draft -> sent",
        f"{n}: sent -> partly received",
        f"{n}: partly received -> closed (supplier discontinued the nut)",
    ]


def test_receipts_post_one_receipt_each_and_move_the_order_state(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    keeper = ensure_user(db, "kim", role=Role.KEEPER)
    order = po.send_order(db, admin, _order(db, admin, plant).id)
    with pytest.raises(PermissionDenied):
        po.receive(db, _clerk(db), ReceiptRequest(order.id, plant["bolt"], Decimal(1), plant["bin"]))
    first = po.receive(db, keeper, ReceiptRequest(order.id, plant["bolt"], Decimal(120), plant["bin"]))
    assert first.state == "PARTLY_RECEIVED" and first.line.received_qty == 120 and first.line.open_qty == 80
    assert first.move.kind == "RECEIPT" and first.move.reference == f"{order.number}/1"
    assert first.message.startswith(
        f"{order.number} line 1: Receipt 120 EA of BOLT-M8 to A-01-01; 80 EA still open"
    )
    # no bin given: where its last receipt went
    second = po.receive(db, keeper, ReceiptRequest(order.id, plant["bolt"], Decimal(80)))
    assert second.move.to_code == "A-01-01" and second.line.open_qty == 0
    done = po.receive(db, keeper, ReceiptRequest(order.id, plant["nut"], Decimal(50), plant["bin2"]))
    assert done.state == "RECEIVED" and done.open_lines == 0
    assert (
        stock.balance(db, plant["bolt"], plant["bin"]) == 200
        and stock.balance(db, plant["nut"], plant["bin2"]) == 50
    )
    refs = [m.reference for m in stock_history.history(db, part_id=plant["bolt"])]
    assert refs == [f"{order.number}/1", f"{order.number}/1"]
    assert db.read(lambda s: len(list(s.scalars(select(PurchaseReceipt))))) == 3


def test_bad_receipts_say_why_and_post_nothing(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    keeper = ensure_user(db, "kim", role=Role.KEEPER)
    draft = _order(db, admin, plant)
    with pytest.raises(Conflict, match="is draft: send it first"):
        po.receive(db, keeper, ReceiptRequest(draft.id, plant["bolt"], Decimal(1), plant["bin"]))
    order = po.send_order(db, admin, draft.id)
    with pytest.raises(Conflict, match=f"OIL-5L is not on {order.number}"):
        po.receive(db, keeper, ReceiptRequest(order.id, plant["oil"], Decimal(1), plant["bin"]))
    with pytest.raises(UserError, match="NUT-M8 has no usual bin yet"):
        po.receive(db, keeper, ReceiptRequest(order.id, plant["nut"], Decimal(1)))
    with pytest.raises(UserError, match="more than zero"):
        po.receive(db, keeper, ReceiptRequest(order.id, plant["nut"], Decimal(0), plant["bin"]))
    cancelled = po.cancel_order(
        db, admin, po.create_order(db, admin, plant["fastenal"], [LineInput(plant["nut"], Decimal(1))]).id
    )
    with pytest.raises(Conflict, match="is cancelled"):
        po.receive(db, keeper, ReceiptRequest(cancelled.id, plant["nut"], Decimal(1), plant["bin"]))
    assert (
        stock_history.history(db, part_id=plant["nut"]) == []
        and stock_history.history(db, part_id=plant["oil"]) == []
    )
    assert po.get_order(db, order.id).state == "SENT"


def test_over_receipt_within_tolerance_beyond_it_a_supervisor_confirms(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    keeper, supervisor = (
        ensure_user(db, "kim", role=Role.KEEPER),
        ensure_user(db, "sam", role=Role.SUPERVISOR),
    )
    order = po.send_order(db, admin, _order(db, admin, plant).id)  # 200 bolts, 10 % tolerance: up to 220
    po.receive(db, keeper, ReceiptRequest(order.id, plant["bolt"], Decimal(150), plant["bin"]))
    with pytest.raises(
        Conflict, match=r"ordered 200 EA, received 150, 50 left \(up to 70 with the 10 % tolerance\)"
    ):
        po.receive(db, keeper, ReceiptRequest(order.id, plant["bolt"], Decimal(71), plant["bin"]))
    with pytest.raises(PermissionDenied, match="may not confirm an over-receipt"):
        po.receive(
            db, keeper, ReceiptRequest(order.id, plant["bolt"], Decimal(71), plant["bin"], confirm_over=True)
        )
    ok = po.receive(db, keeper, ReceiptRequest(order.id, plant["bolt"], Decimal(70), plant["bin"]))
    assert ok.line.received_qty == 220 and ok.line.open_qty == 0
    big = po.receive(
        db, supervisor, ReceiptRequest(order.id, plant["bolt"], Decimal(30), plant["bin"], confirm_over=True)
    )
    assert big.line.received_qty == 250
    confirmed = db.read(lambda s: list(s.scalars(select(PurchaseReceipt.confirmed_by_id))))
    assert confirmed.count(supervisor.user_id) == 1 and confirmed.count(None) == 2
    po.save_purchasing(db, admin, po.PurchasingSettings(over_receipt_pct=Decimal(0)))
    with pytest.raises(Conflict, match="0 left"):
        po.receive(db, keeper, ReceiptRequest(order.id, plant["bolt"], Decimal(1), plant["bin"]))
    with pytest.raises(UserError, match="0 % to 100 %"):
        po.save_purchasing(db, admin, po.PurchasingSettings(over_receipt_pct=Decimal(101)))


def test_a_retried_receipt_with_its_key_posts_once(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    order = po.send_order(db, admin, _order(db, admin, plant).id)
    req = ReceiptRequest(order.id, plant["bolt"], Decimal(10), plant["bin"], posting_key="scan-1")
    first = po.receive(db, admin, req)
    again = po.receive(db, admin, req)
    assert again.duplicate and again.move.id == first.move.id and again.line.received_qty == 10
    with pytest.raises(Conflict, match="differs in quantity"):
        po.receive(
            db,
            admin,
            ReceiptRequest(order.id, plant["bolt"], Decimal(11), plant["bin"], posting_key="scan-1"),
        )
    assert stock.balance(db, plant["bolt"], plant["bin"]) == 10


def test_orders_from_what_to_order_one_per_supplier_in_whole_packs(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    with pytest.raises(UserError, match="No default supplier for NO-SUPPLIER"):
        po.orders_from_suggestions(
            db, admin, [Wanted(plant["bolt"], Decimal(1)), Wanted(plant["bare"], Decimal(1))]
        )
    assert po.list_orders(db) == []
    made = po.orders_from_suggestions(
        db,
        admin,
        [
            Wanted(plant["bolt"], Decimal(250)),
            Wanted(plant["oil"], Decimal(4)),
            Wanted(plant["nut"], Decimal(30)),
        ],
    )
    assert sorted((o.supplier_name, len(o.lines)) for o in made) == [("Fastenal", 2), ("Shell", 1)]
    fastenal = next(o for o in made if o.supplier_name == "Fastenal")
    bolt = fastenal.lines[0]
    assert (bolt.packs, bolt.pack_size, bolt.ordered_qty) == (3, 100, 300)  # 250 rounded up to whole packs
    assert bolt.needed_by is not None and (bolt.needed_by - fastenal.created_at.date()).days in (4, 5, 6)
    # on order now, DRAFT included: What to order does not suggest it twice
    on = db.read(positions)
    assert (on[plant["bolt"]].on_order, on[plant["oil"]].on_order, on[plant["nut"]].on_order) == (300, 4, 30)


def test_inventory_position_counts_open_lines_once(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    receive(db, admin, plant["bolt"], plant["bin"], "40")
    order = po.send_order(db, admin, _order(db, admin, plant).id)
    po.receive(db, admin, ReceiptRequest(order.id, plant["bolt"], Decimal(150), plant["bin"]))
    pos = db.read(positions)[plant["bolt"]]
    assert (pos.on_hand, pos.on_order, pos.position) == (190, 50, 240)
    po.receive(db, admin, ReceiptRequest(order.id, plant["bolt"], Decimal(60), plant["bin"]))  # 10 over
    assert db.read(positions)[plant["bolt"]].on_order == 0  # never negative
    assert db.read(positions)[plant["nut"]].on_order == 50
    po.close_order(db, admin, order.id)
    assert plant["nut"] not in db.read(positions)


def test_orders_from_empty_kanban_cards_fill_the_card_on_receipt(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    loop = kb.create_loop(
        db, admin, LoopInput(plant["bolt"], LoopKind.PURCHASE, plant["bin2"], Decimal(200), 2, Decimal(3))
    )
    card, other = kb.cards(db, loop.id)
    with pytest.raises(Conflict, match="is full, not empty"):
        po.orders_from_cards(db, admin, [card.id])
    scanning.scan(db, admin, card.code, StationMode.LINE)
    (order,) = po.orders_from_cards(db, admin, [card.id])
    line = order.lines[0]
    assert (line.packs, line.pack_size, line.kanban_card_code) == (2, 100, card.code)
    assert kb.cards(db, loop.id)[0].status == "ORDERED" and po.card_line(db, card.id) == (order.number, 1)
    assert db.read(positions)[plant["bolt"]].on_order == 200  # the card and its line count once
    with pytest.raises(Conflict, match="is ordered, not empty"):
        po.orders_from_cards(db, admin, [card.id])
    po.send_order(db, admin, order.id)
    half = po.receive(db, admin, ReceiptRequest(order.id, plant["bolt"], Decimal(100)))
    assert half.move.to_code == "A-01-02" and half.card_filled is None  # into the loop's line location
    full = po.receive(db, admin, ReceiptRequest(order.id, plant["bolt"], Decimal(100)))
    assert full.card_filled == card.code and full.state == "RECEIVED"
    assert [c.status for c in kb.cards(db, loop.id)] == ["FULL", other.status]
    assert plant["bolt"] not in db.read(positions) or db.read(positions)[plant["bolt"]].on_order == 0


def _card_on_order(
    db: Database, admin: Actor, plant: dict[str, int], container: Decimal
) -> tuple[kb.LoopDTO, kb.CardDTO, po.OrderDTO]:
    """A one-card purchase loop of bolts at A-01-02, its card emptied and put on a new order."""
    loop = kb.create_loop(
        db, admin, LoopInput(plant["bolt"], LoopKind.PURCHASE, plant["bin2"], container, 1, Decimal(3))
    )
    (card,) = kb.cards(db, loop.id)
    scanning.scan(db, admin, card.code, StationMode.LINE)
    (order,) = po.orders_from_cards(db, admin, [card.id])
    return loop, card, order


def test_a_cancelled_order_sends_its_cards_back_to_empty(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    loop, card, order = _card_on_order(db, admin, plant, Decimal(150))
    assert order.lines[0].pack_size == 1 and order.lines[0].packs == 150  # 150 is not whole packs of 100
    po.cancel_order(db, admin, order.id, "wrong supplier")
    assert kb.cards(db, loop.id)[0].status == CardStatus.EMPTY.value
    assert [line.card_ids for line in board.replenishment_list(db)] == [(card.id,)]
    assert po.get_order(db, order.id).state == PoState.CANCELLED.value


def test_a_part_on_two_lines_fills_the_line_that_takes_the_quantity(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    lines = [LineInput(plant["nut"], Decimal(5)), LineInput(plant["nut"], Decimal(20))]
    order = po.send_order(db, admin, po.create_order(db, admin, plant["fastenal"], lines).id)
    first = po.receive(db, admin, ReceiptRequest(order.id, plant["nut"], Decimal(12), plant["bin"]))
    assert first.line.line_no == 2  # 12 does not fit line 1 (5)
    second = po.receive(db, admin, ReceiptRequest(order.id, plant["nut"], Decimal(5), plant["bin"]))
    assert second.line.line_no == 1 and second.state == "PARTLY_RECEIVED"
    last = po.receive(db, admin, ReceiptRequest(order.id, plant["nut"], Decimal(8), plant["bin"]))
    assert last.line.line_no == 2 and last.state == "RECEIVED"


def _washer(db: Database, admin: Actor, supplier: PartSupplierInput) -> PartDTO:
    """A part What to order lists once its position is at or below 100."""
    return make_part(db, admin, "WASHER-M8", reorder_point=Decimal(100), suppliers=(supplier,))


def test_what_to_order_stops_suggesting_a_part_once_it_is_on_order(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    washer = _washer(db, admin, PartSupplierInput("Fastenal", None, None, Decimal(50)))
    receive(db, admin, washer.id, plant["bin"], "30")
    (wanted,) = replenishment.suggestions(db, admin)
    assert wanted.on_order == 0 and wanted.order_qty > 0
    (order,) = po.orders_from_suggestions(db, admin, [Wanted(wanted.part_id, wanted.order_qty)])
    assert [x.part_id for x in replenishment.suggestions(db, admin)] == []
    po.cancel_order(db, admin, order.id)
    (again,) = replenishment.suggestions(db, admin)
    assert again.part_id == washer.id and again.on_order == 0


def test_a_receiving_scan_of_an_ordered_card_receives_against_its_order(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    _loop, card, order = _card_on_order(db, admin, plant, Decimal(200))
    with pytest.raises(Conflict, match="is draft: send it first"):
        scanning.scan(db, admin, card.code, StationMode.RECEIVING)
    po.send_order(db, admin, order.id)
    po.receive(db, admin, ReceiptRequest(order.id, plant["bolt"], Decimal(50)))
    out = scanning.scan(db, admin, card.code, StationMode.RECEIVING)
    assert (
        out.after == "FULL" and f"{order.number} line 1: Receipt 150 EA of BOLT-M8 to A-01-02" in out.message
    )
    after = po.get_order(db, order.id)
    assert after.state == "RECEIVED" and after.lines[0].received_qty == 200
    assert stock.balance(db, plant["bolt"], plant["bin2"]) == 200
    assert [m.reference for m in stock_history.history(db, part_id=plant["bolt"])] == [
        f"{order.number}/1"
    ] * 2


def test_the_scan_box_resolves_a_po_number(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    from desktop.services.catalogue import scan

    order = po.send_order(db, admin, _order(db, admin, plant).id)
    po.receive(db, admin, ReceiptRequest(order.id, plant["nut"], Decimal(50), plant["bin"]))
    found = scan.resolve(db, order.number.lower())
    assert found.found and found.order is not None and found.order.id == order.id
    assert found.message == f"{order.number} from Fastenal is partly received; 1 open line(s): 200 EA BOLT-M8"
    assert not scan.resolve(db, "PO-999999").found


def test_lead_times_are_measured_from_receipts_and_used_by_what_to_order(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from desktop.models import PurchaseOrder
    from desktop.services.purchasing.lead_times import lead_times

    washer = _washer(db, admin, PartSupplierInput("Fastenal", None, None, None, 5))
    sqlite = db.engine.dialect.name == "sqlite"

    def sent_at(s: Session, order_id: int, at: datetime) -> None:
        s.execute(update(PurchaseOrder).where(PurchaseOrder.id == order_id).values(sent_at=at))

    for days in (20, 22, 26):
        order = po.send_order(
            db, admin, po.create_order(db, admin, plant["fastenal"], [LineInput(washer.id, Decimal(1))]).id
        )
        sent = datetime.now(UTC) - timedelta(days=days)
        value = sent.replace(tzinfo=None) if sqlite else sent
        db.write(partial(sent_at, order_id=order.id, at=value))
        (wanted,) = replenishment.suggestions(db, admin)
        assert (wanted.lead_days, "measured" in wanted.reason) == (
            5,
            False,
        )  # fewer than 3 receipts: as typed
        po.receive(db, admin, ReceiptRequest(order.id, washer.id, Decimal(1), plant["bin"]))
    (timed,) = lead_times(db)
    assert (timed.part_id, timed.receipts, round(timed.median_days), round(timed.spread_days)) == (
        washer.id,
        3,
        22,
        6,
    )
    (wanted,) = replenishment.suggestions(db, admin)
    assert (
        wanted.lead_days == 22 and wanted.reason == "below reorder point; lead time measured over 3 receipts"
    )


def test_a_part_is_found_on_the_order_by_any_of_its_numbers(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    seal = make_part(
        db, admin, "SEAL-30", manufacturer_part_number="skf-30x47", suppliers=(PartSupplierInput("Fastenal"),)
    )
    lines = [
        LineInput(plant["bolt"], Decimal(1)),
        LineInput(plant["nut"], Decimal(1), supplier_part_number="NUT/8"),
    ]
    order = po.create_order(db, admin, plant["fastenal"], [*lines, LineInput(seal.id, Decimal(2))])
    assert po.part_on_order(db, order.id, " fa-88 ") == plant["bolt"]  # the supplier's number on its box
    assert po.part_on_order(db, order.id, "nut/8") == plant["nut"]  # the line's own supplier number
    assert po.part_on_order(db, order.id, "P-NUT-M8") == plant["nut"]  # our label
    assert po.part_on_order(db, order.id, "SKF-30X47") == seal.id  # the manufacturer's number
    with pytest.raises(Conflict, match=f"OIL-5L is not on {order.number}"):
        po.part_on_order(db, order.id, "oil-5l")
    with pytest.raises(Conflict, match=f"NOTHING is not on {order.number}"):
        po.part_on_order(db, order.id, "nothing")


def test_the_spares_view_says_when_a_spare_on_order_is_due(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    from datetime import date

    from desktop.services import mro
    from desktop.services.mro import AssetInput

    press = mro.create_asset(db, admin, AssetInput("PRESS-1", "Press 1", criticality="HIGH"))
    mro.set_spare(db, admin, press.id, plant["bolt"], qty_installed=Decimal(4), recommended_qty=Decimal(2))
    (spare,) = mro.asset_spares(db, press.id).spares
    assert spare.flag == "none available" and spare.coming == ""
    lines = [LineInput(plant["bolt"], Decimal(1), needed_by=date(2027, 2, 1))]
    po.create_order(db, admin, plant["fastenal"], lines)
    po.create_order(
        db, admin, plant["fastenal"], [LineInput(plant["bolt"], Decimal(2), needed_by=date(2027, 1, 5))]
    )
    (spare,) = mro.asset_spares(db, press.id).spares
    assert spare.coming == "on order 300 EA due 2027-01-05"


def test_supplier_performance_and_open_lines_reports(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    from datetime import date, timedelta

    from desktop.services.insight import report_data as rd

    today = date.today()

    def sent_order(part: int, needed: date) -> po.OrderDTO:
        made = po.create_order(db, admin, plant["fastenal"], [LineInput(part, Decimal(1), needed_by=needed)])
        return po.send_order(db, admin, made.id)

    late_in = sent_order(plant["nut"], today - timedelta(days=2))  # arrives today: in full, not on time
    on_time = sent_order(plant["nut"], today + timedelta(days=5))
    missing = sent_order(plant["bolt"], today - timedelta(days=1))  # nothing came: due, open and late
    sent_order(plant["bolt"], today + timedelta(days=9))  # not due yet: open, not late, not counted
    for order in (late_in, on_time):
        po.receive(db, admin, ReceiptRequest(order.id, plant["nut"], Decimal(1), plant["bin"]))
    table = rd.build(db, admin, "suppliers", rd.ReportParams(months=12))
    (row,) = table.rows
    assert row[:4] == ("Fastenal", 3, 1, Decimal("33.33")) and row[5:] == (2, 1)
    lines = rd.build(db, admin, "open-po-lines", rd.ReportParams())
    assert [(r[0], r[4], r[5], r[8]) for r in lines.rows] == [
        (missing.number, "BOLT-M8", Decimal(100), 1),
        (f"PO-{missing.id + 1:06d}", "BOLT-M8", Decimal(100), ""),
    ]
    # the dashboard's order accuracy reads only the lines that can be judged in its months: the same
    # counts as judging every line (judged: late_in today-2, missing today-1, on_time today)
    from functools import partial

    from desktop.services.purchasing import performance

    month = f"{today:%Y-%m}"
    every = [x.judged for x in db.read(lambda s: performance.line_outcomes(s, today=today)) if x.judged]
    for back, judged in ((3, 3), (2, 3), (1, 2), (0, 1)):
        since = today - timedelta(days=back)
        assert len([day for day in every if day >= since]) == judged
        by_month = db.read(partial(performance.order_accuracy_by_month, since=since, today=today))
        assert sum(n for n, _ in by_month.values()) == judged
        assert sum(good for _, good in by_month.values()) == 1 and month in by_month


def test_reversing_a_receipt_counts_it_back_out_of_its_line(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    order = po.send_order(db, admin, _order(db, admin, plant).id)
    first = po.receive(db, admin, ReceiptRequest(order.id, plant["bolt"], Decimal(120), plant["bin"]))
    second = po.receive(db, admin, ReceiptRequest(order.id, plant["bolt"], Decimal(80), plant["bin"]))
    po.receive(db, admin, ReceiptRequest(order.id, plant["nut"], Decimal(50), plant["bin"]))
    assert po.get_order(db, order.id).state == "RECEIVED"
    stock_history.reverse_move(db, admin, second.move.id, "counted 80 short: wrong box")
    after = po.get_order(db, order.id)
    assert after.state == "PARTLY_RECEIVED" and after.lines[0].received_qty == 120
    assert db.read(positions)[plant["bolt"]].on_order == 80  # expected again
    stock_history.reverse_move(db, admin, first.move.id, "wrong order")
    assert po.get_order(db, order.id).lines[0].received_qty == 0
    assert po.get_order(db, order.id).state == "PARTLY_RECEIVED"  # the nuts are still in
    stock_history.reverse_move(db, admin, stock_history.history(db, part_id=plant["nut"])[0].id, "wrong part")
    assert po.get_order(db, order.id).state == "SENT"
    plain = receive(db, admin, plant["oil"], plant["bin"], "2")  # not on an order: only the ledger
    stock_history.reverse_move(db, admin, plain.move.id, "typo")
    assert stock.balance(db, plant["oil"], plant["bin"]) == 0
