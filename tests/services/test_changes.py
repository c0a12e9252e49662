"""The change markers: every table a screen shows moves its marker when another client writes there, and
`changes.changed` names the topics the pages listen for."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal

from desktop.db import Database
from desktop.models.enums import AssetLevel, Role
from desktop.services import changes, mro
from desktop.services import purchasing as po
from desktop.services.actor import Actor
from desktop.services.admin.plant_settings import planning, save_planning
from desktop.services.admin.users import ensure_user
from desktop.services.catalogue import categories, manufacturers, suppliers
from desktop.services.catalogue.suppliers import PartSupplierInput
from desktop.services.counts import sessions as counts
from desktop.services.kanban import loops as kb
from desktop.services.kanban import scanning
from desktop.services.kanban.loops import LoopInput, LoopKind, StationMode
from desktop.services.purchasing import LineInput, ReceiptRequest
from desktop.services.purchasing.order_changes import LineChange
from desktop.services.stock.history import reverse_move
from desktop.services.topics import Topic
from tests.factories import make_part, make_tree, receive


def _step(db: Database, write: Callable[[], object]) -> tuple[set[str], frozenset[Topic]]:
    """Which tables' markers moved, and the topics announced, for one write by another client."""
    before = changes.marks(db)
    write()
    after = changes.marks(db)
    return {t for t in after if after[t] != before[t]}, changes.changed(before, after)


def test_every_watched_table_moves_its_marker_and_announces_its_topics(db: Database, admin: Actor) -> None:
    other = Database(db.url)  # the writes come from another client's engine
    tree = make_tree(db, admin)
    bin1 = tree["A-01-01"]
    part = make_part(db, admin, "SCREW-M6", suppliers=(PartSupplierInput("Fastenal"),))
    receive(db, admin, part.id, bin1.id, "10")
    loop = kb.create_loop(db, admin, LoopInput(part.id, LoopKind.PURCHASE, bin1.id, Decimal(100), 2))
    press = mro.create_asset(db, admin, mro.AssetInput("PRESS-01", "Press 1", AssetLevel.MACHINE.value))
    seen: set[str] = set()

    def expect(write: Callable[[], object], tables: set[str], topics: set[str]) -> None:
        moved, announced = _step(db, write)
        assert tables <= moved, f"{tables - moved} did not move"
        assert topics <= announced
        seen.update(tables)

    expect(lambda: receive(other, admin, part.id, bin1.id, "1"), {"stock_move"}, {"stock"})
    expect(lambda: make_part(other, admin, "NUT-M6"), {"audit_event"}, {"parts"})
    expect(lambda: ensure_user(other, "kim", role=Role.KEEPER), {"app_user"}, {"users"})
    expect(
        lambda: other.write(
            lambda s: categories.ensure_paths(s, [categories.parse_path("Fasteners/Screws")])
        ),
        {"category"},
        {"parts"},
    )
    expect(lambda: other.write(lambda s: manufacturers.ensure(s, ["Würth"])), {"manufacturer"}, {"parts"})
    expect(lambda: suppliers.create_supplier(other, admin, "Bossard"), {"supplier"}, {"parts", "purchasing"})
    expect(
        lambda: kb.create_loop(other, admin, LoopInput(part.id, LoopKind.PURCHASE, bin1.id, Decimal(50), 1)),
        {"kanban_loop", "kanban_card"},
        {"kanban"},
    )
    card = kb.cards(db, loop.id)[0]
    expect(
        lambda: scanning.scan(other, admin, card.code, StationMode.LINE), {"kanban_card_event"}, {"kanban"}
    )
    expect(
        lambda: mro.create_asset(
            other, admin, mro.AssetInput("PRESS-02", "Press 2", AssetLevel.MACHINE.value)
        ),
        {"asset"},
        {"mro"},
    )
    spare = (press.id, part.id)
    expect(
        lambda: mro.set_spare(other, admin, *spare, qty_installed=Decimal(2), recommended_qty=Decimal(1)),
        {"asset_spare"},
        {"mro"},
    )
    expect(lambda: mro.remove_spare(other, admin, *spare), {"asset_spare"}, {"mro"})  # a delete
    expect(
        lambda: mro.add_xref(other, admin, part.id, "MANUFACTURER", manufacturer="Würth", value="W-6"),
        {"part_xref"},
        {"mro"},
    )
    expect(
        lambda: mro.reserve(
            other, admin, mro.ReservationInput(part.id, Decimal(2), "WO-1", asset_id=press.id)
        ),
        {"reservation"},
        {"mro"},
    )
    expect(
        lambda: mro.add_serial(other, admin, part.id, "SN-1", location_id=bin1.id),
        {"serial_unit", "serial_event"},
        {"mro"},
    )
    expect(
        lambda: counts.start_session(other, admin, "Aisle A", [bin1.id]),
        {"count_session", "count_line"},
        {"counts"},
    )
    fastenal = suppliers.get_supplier_id(db, "Fastenal")
    order = po.create_order(db, admin, fastenal, [LineInput(part.id, Decimal(1))])
    expect(
        lambda: po.create_order(other, admin, fastenal, [LineInput(part.id, Decimal(2))]),
        {"purchase_order"},
        {"purchasing"},
    )
    po.send_order(db, admin, order.id)
    expect(
        lambda: po.receive(other, admin, ReceiptRequest(order.id, part.id, Decimal(1), bin1.id)),
        {"purchase_receipt", "stock_move"},
        {"purchasing", "stock"},
    )
    plan = dataclasses.replace(planning(db), service_level=Decimal("0.99"))
    expect(lambda: save_planning(other, admin, plan), {"app_setting"}, {"planning", "counts"})
    assert seen == {w.table for w in changes.WATCHED}  # a table added to WATCHED gets a step here
    assert _step(db, lambda: None) == (set(), set())  # nothing written: nothing announced
    other.dispose()


def test_an_edit_without_a_new_row_moves_the_marker(pg_db: Database) -> None:
    # PostgreSQL stamps updated_at to the microsecond (SQLite to the second: see desktop.services.changes).
    admin = ensure_user(pg_db, "root", role=Role.ADMIN)
    tree = make_tree(pg_db, admin)
    part = make_part(pg_db, admin)
    receive(pg_db, admin, part.id, tree["A-01-01"].id, "3")
    held = mro.reserve(pg_db, admin, mro.ReservationInput(part.id, Decimal(2), "WO-1"))
    moved, announced = _step(pg_db, lambda: mro.release(pg_db, admin, held.id))
    assert moved == {"reservation"} and announced == {"mro"}


def test_a_change_to_an_orders_lines_moves_the_orders_marker(pg_db: Database) -> None:
    """Other PCs watch the orders, not their lines (tens of thousands in a plant's history): editing a
    draft's line, or reversing a receipt, stamps its order."""
    admin = ensure_user(pg_db, "root", role=Role.ADMIN)
    tree = make_tree(pg_db, admin)
    part = make_part(pg_db, admin, suppliers=(PartSupplierInput("Fastenal"),))
    fastenal = suppliers.get_supplier_id(pg_db, "Fastenal")
    draft = po.create_order(pg_db, admin, fastenal, [LineInput(part.id, Decimal(2))])
    change = LineChange(Decimal(5), Decimal("1.25"), None)
    moved, announced = _step(pg_db, lambda: po.edit_line(pg_db, admin, draft.lines[0].id, change))
    assert moved >= {"purchase_order"} and "purchasing" in announced
    sent = po.send_order(pg_db, admin, draft.id)
    got = po.receive(pg_db, admin, ReceiptRequest(sent.id, part.id, Decimal(1), tree["A-01-01"].id))
    moved, announced = _step(pg_db, lambda: reverse_move(pg_db, admin, got.move.id, "wrong part"))
    assert {"purchase_order", "stock_move"} <= moved and {"purchasing", "stock"} <= announced
