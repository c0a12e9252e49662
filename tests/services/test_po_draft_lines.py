"""Changing and deleting the lines of a DRAFT purchase order, on SQLite and PostgreSQL: only drafts, only
purchasers, every change audited old -> new, a deleted kanban line's card back to EMPTY."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from desktop.db import Database
from desktop.errors import Conflict, NotFound, PermissionDenied, UserError
from desktop.models import AuditEvent
from desktop.models.enums import Role
from desktop.services import purchasing as po
from desktop.services.actor import Actor
from desktop.services.admin.users import ensure_user
from desktop.services.catalogue.suppliers import PartSupplierInput, get_supplier_id
from desktop.services.kanban import loops as kb
from desktop.services.kanban import scanning
from desktop.services.kanban.loops import CardStatus, LoopInput, LoopKind, StationMode
from desktop.services.purchasing import LineChange, LineInput
from tests.factories import make_part, make_tree

LONGEST = "B" * 40  # a part number at its maximum length


def _trail(db: Database, action: str) -> list[str]:
    return db.read(
        lambda s: list(
            s.scalars(select(AuditEvent.summary).where(AuditEvent.action == action).order_by(AuditEvent.id))
        )
    )


def _draft(db: Database, admin: Actor) -> po.OrderDTO:
    sup = (PartSupplierInput("Fastenal", "FA-88", Decimal("18.00"), Decimal(100)),)
    bolt = make_part(db, admin, LONGEST, suppliers=sup)
    nut = make_part(
        db, admin, "NUT-M8", unit_cost=Decimal("0.05"), suppliers=(PartSupplierInput("Fastenal"),)
    )
    lines = [LineInput(bolt.id, Decimal(2), needed_by=date(2027, 1, 5)), LineInput(nut.id, Decimal(50))]
    return po.create_order(db, admin, get_supplier_id(db, "Fastenal"), lines)


def test_a_drafts_line_changes_quantity_price_and_needed_by_audited(db: Database, admin: Actor) -> None:
    order = _draft(db, admin)
    bolt = order.lines[0]
    clerk = ensure_user(db, "clara", role=Role.CLERK)
    changed = po.edit_line(db, clerk, bolt.id, LineChange(Decimal(3), Decimal("17.5"), None))
    line = changed.lines[0]
    assert (line.packs, line.ordered_qty, line.unit_price, line.needed_by) == (3, 300, Decimal("17.5"), None)
    assert changed.total == Decimal("52.50") + Decimal("2.50") and changed.changed_by == "clara"
    assert _trail(db, "po.edit_line") == [
        f"{order.number}/1 {LONGEST}: packs 2 -> 3, price 18.00 -> 17.50, needed by 2027-01-05 -> (none)"
    ]
    po.edit_line(db, clerk, bolt.id, LineChange(Decimal(3), Decimal("17.50"), None))  # nothing changes
    assert len(_trail(db, "po.edit_line")) == 1
    po.edit_line(db, clerk, bolt.id, LineChange(Decimal(3), Decimal("17.50"), date(2027, 2, 1)))
    assert _trail(db, "po.edit_line")[-1] == f"{order.number}/1 {LONGEST}: needed by (none) -> 2027-02-01"


def test_bad_line_changes_are_refused_and_change_nothing(db: Database, admin: Actor) -> None:
    order = _draft(db, admin)
    bolt, nut = order.lines
    with pytest.raises(PermissionDenied):
        po.edit_line(
            db, ensure_user(db, "kim", role=Role.KEEPER), bolt.id, LineChange(Decimal(1), Decimal(1), None)
        )
    with pytest.raises(UserError, match="above zero"):
        po.edit_line(db, admin, bolt.id, LineChange(Decimal(0), Decimal(1), None))
    with pytest.raises(UserError, match="cannot be negative"):
        po.edit_line(db, admin, bolt.id, LineChange(Decimal(1), Decimal(-1), None))
    with pytest.raises(UserError, match="whole numbers"):
        po.edit_line(db, admin, nut.id, LineChange(Decimal("1.5"), Decimal(1), None))
    with pytest.raises(NotFound, match="does not exist"):
        po.edit_line(db, admin, nut.id + 1000, LineChange(Decimal(1), Decimal(1), None))
    po.send_order(db, admin, order.id)
    with pytest.raises(Conflict, match="is sent: lines are changed on drafts only"):
        po.edit_line(db, admin, bolt.id, LineChange(Decimal(1), Decimal(1), None))
    with pytest.raises(Conflict, match="is sent: lines are deleted from drafts only"):
        po.delete_line(db, admin, nut.id)
    assert po.get_order(db, order.id).lines == order.lines
    assert _trail(db, "po.edit_line") == [] and _trail(db, "po.delete_line") == []


def test_deleting_a_line_keeps_the_others_numbers_and_frees_its_kanban_card(
    db: Database, admin: Actor
) -> None:
    tree = make_tree(db, admin)
    order = _draft(db, admin)
    bolt, nut = order.lines
    loop = kb.create_loop(
        db, admin, LoopInput(nut.part_id, LoopKind.PURCHASE, tree["A-01-02"].id, Decimal(10), 1)
    )
    card = kb.cards(db, loop.id)[0]
    scanning.scan(db, admin, card.code, StationMode.LINE)
    (carded,) = po.orders_from_cards(db, admin, [card.id])
    assert kb.cards(db, loop.id)[0].status == CardStatus.ORDERED
    with pytest.raises(
        Conflict, match=f"Line 1 is the last line of {carded.number}: cancel the order instead"
    ):
        po.delete_line(db, admin, carded.lines[0].id)
    po.add_lines(db, admin, carded.id, [LineInput(bolt.part_id, Decimal(1))])
    after = po.delete_line(db, admin, carded.lines[0].id)
    assert [(x.line_no, x.part_number) for x in after.lines] == [(2, LONGEST)]
    assert kb.cards(db, loop.id)[0].status == CardStatus.EMPTY  # to be ordered again
    left = po.delete_line(db, admin, bolt.id)
    assert [x.line_no for x in left.lines] == [2]
    assert _trail(db, "po.delete_line") == [
        f"{carded.number}: deleted line 1 (10 EA of NUT-M8)",
        f"{order.number}: deleted line 1 (200 EA of {LONGEST})",
    ]
    with pytest.raises(NotFound, match="deleted meanwhile"):
        po.delete_line(db, admin, bolt.id)
