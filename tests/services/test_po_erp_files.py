"""Open purchase orders to and from an ERP's files, on SQLite and PostgreSQL: SAP ME2N-shaped rows become
SENT orders keyed by the ERP's number, re-imports update or leave them, broken rows are named and
nothing is half-imported, the export neutralises formulas and re-imports unchanged."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import AuditEvent, PurchaseOrder
from desktop.services import purchasing as po
from desktop.services.actor import Actor
from desktop.services.catalogue.suppliers import PartSupplierInput, get_supplier_id
from desktop.services.io import imports
from desktop.services.io.tabular import Table, read_table
from desktop.services.purchasing import ReceiptRequest
from desktop.services.purchasing.erp_files import KIND, export_open_lines
from tests.factories import make_part, make_tree

SAP = Path(__file__).parent.parent / "fixtures" / "erp" / "sap_me2n_open_pos.csv"


@pytest.fixture
def plant(db: Database, admin: Actor) -> dict[str, int]:
    tree = make_tree(db, admin)
    ids = {"bin": tree["A-01-01"].id}
    for number, supplier in (("BOLT-M8", "Fastenal"), ("NUT-M8", "Fastenal"), ("OIL-5L", "Shell")):
        ids[number] = make_part(db, admin, number, unit="PC", suppliers=(PartSupplierInput(supplier),)).id
    return ids


def _mapping(table: Table) -> dict[str, int | None]:
    mapping = imports.auto_map(KIND, table.headers)
    mapping["supplier"] = table.headers.index("Name 1")  # SAP's Vendor column holds its vendor number
    return mapping


def _orders(db: Database) -> dict[str, po.OrderDTO]:
    found = db.read(
        lambda s: dict(s.execute(select(PurchaseOrder.external_number, PurchaseOrder.id)).tuples().all())
    )
    return {key: po.get_order(db, oid) for key, oid in found.items() if key}


def test_an_erp_list_of_open_orders_becomes_sent_orders_to_receive(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    table = read_table(SAP)
    mapping = _mapping(table)
    picked = (mapping["order"], mapping["line"], mapping["part_number"])
    assert [table.headers[i] for i in picked if i is not None] == [
        "Purchasing Document",
        "Item",
        "Material",
    ]
    check = imports.check(db, admin, KIND, table, mapping)
    assert check.ok and (check.creates, check.updates) == (3, 0), check.problems
    assert po.list_orders(db) == []  # the check is the import rolled back
    plan = imports.run(db, admin, KIND, table, mapping, source=SAP.name)
    assert plan.creates == 3
    orders = _orders(db)
    fastenal, shell = orders["4500000123"], orders["4500000124"]
    assert (fastenal.state, fastenal.supplier_name, shell.supplier_name) == ("SENT", "Fastenal", "Shell")
    assert fastenal.sent_at is not None and fastenal.sent_at.astimezone().date() == date(2026, 12, 2)
    bolt, nut = fastenal.lines
    assert (bolt.line_no, bolt.part_number, bolt.ordered_qty, bolt.unit_price) == (
        10,
        "BOLT-M8",
        1200,
        Decimal("0.18"),
    )
    assert (nut.line_no, nut.ordered_qty, nut.needed_by) == (20, 500, date(2027, 1, 15))
    assert shell.lines[0].unit_price == Decimal("38.90") and shell.total == Decimal("155.60")
    # received here against the ERP's order; the line number is the ERP's item
    got = po.receive(db, admin, ReceiptRequest(fastenal.id, plant["BOLT-M8"], Decimal(700), plant["bin"]))
    assert got.move.reference == f"{fastenal.number}/10"
    again = imports.run(db, admin, KIND, table, mapping, source=SAP.name)
    assert (again.creates, again.updates, again.unchanged) == (0, 0, 3)
    assert len(po.list_orders(db)) == 2


def test_a_changed_erp_file_updates_the_order_and_a_broken_one_imports_nothing(
    db: Database, admin: Actor, plant: dict[str, int], tmp_path: Path
) -> None:
    table = read_table(SAP)
    imports.run(db, admin, KIND, table, _mapping(table))
    order = _orders(db)["4500000123"]
    po.receive(db, admin, ReceiptRequest(order.id, plant["NUT-M8"], Decimal(300), plant["bin"]))
    lines = SAP.read_text(encoding="utf-8").splitlines()
    changed = [
        lines[0],
        lines[1].replace(";1.200;PC;0,18;", ";1.500;PC;0,17;"),
        lines[2].replace(";500;", ";300;"),
    ]
    changed.append(
        "4500000123;00030;02.12.2026;100123;Fastenal;OIL-5L;ENGINE OIL;2;PC;40,00;EUR;20.01.2027;2"
    )
    (tmp_path / "me2n.csv").write_text("\r\n".join(changed) + "\r\n", encoding="utf-8")
    table = read_table(tmp_path / "me2n.csv")
    plan = imports.run(db, admin, KIND, table, _mapping(table), source="me2n.csv")
    assert (plan.creates, plan.updates, plan.unchanged) == (1, 2, 0)
    assert [(c.row, c.record, c.field, c.old, c.new) for c in plan.changes] == [
        (2, "4500000123/10", "Quantity", "1200", "1500"),
        (2, "4500000123/10", "Price per unit", "0.18", "0.17"),
        (3, "4500000123/20", "Quantity", "500", "300"),
    ]
    after = po.get_order(db, order.id)
    assert [(x.line_no, x.ordered_qty) for x in after.lines] == [(10, 1500), (20, 300), (30, 2)]
    assert after.state == "PARTLY_RECEIVED"
    trail = db.read(
        lambda s: list(s.scalars(select(AuditEvent.summary).where(AuditEvent.action == "po.import")))
    )
    assert trail == [f"{order.number} (ERP 4500000123): 2 line(s) changed, 1 added from me2n.csv"]
    longest = "9" * 40
    broken = [
        lines[0],
        lines[2].replace(";500;", ";200;"),  # below the 300 received
        lines[1].replace("BOLT-M8", "BOLT-M9"),
        lines[3].replace("22.01.2027", "01/22/2027"),
        f"{longest};00010;04.12.2026;100123;Fastenal;BOLT-M8;X;5;KG;1;EUR;;5",
        f"{longest}0;00010;04.12.2026;100123;Fastenal;BOLT-M8;X;5;PC;1;EUR;;5",
    ]
    (tmp_path / "broken.csv").write_text("\r\n".join(broken) + "\r\n", encoding="utf-8")
    table = read_table(tmp_path / "broken.csv")
    check = imports.check(db, admin, KIND, table, _mapping(table))
    assert sorted((p.row, p.column, p.message) for p in check.problems) == [
        (2, "Quantity", "300 already received: the quantity cannot be less"),
        (3, "Part number", "no part 'BOLT-M9'"),
        (4, "Needed by", "'01/22/2027' is not a date: write 2027-01-31 or 31.01.2027"),
        (5, "Unit", "ordered in KG, but BOLT-M8 is counted in PC"),
        (6, "ERP order", "The ERP order number is too long (41 characters, at most 40)."),
    ]
    with pytest.raises(UserError, match=r"5 problem\(s\), nothing imported. First: row 3, Part number"):
        imports.run(db, admin, KIND, table, _mapping(table))
    assert po.get_order(db, order.id) == after and len(po.list_orders(db)) == 2


def test_the_export_of_open_lines_neutralises_formulas_and_reimports_unchanged(
    db: Database, admin: Actor, plant: dict[str, int], tmp_path: Path
) -> None:
    made = po.create_order(
        db,
        admin,
        get_supplier_id(db, "Fastenal"),
        [
            po.LineInput(plant["BOLT-M8"], Decimal(3), Decimal(100), Decimal("18.00"), '=HYPERLINK("x")'),
            po.LineInput(plant["NUT-M8"], Decimal(5), needed_by=date(2027, 3, 1)),
        ],
    )
    sent = po.send_order(db, admin, made.id)
    po.receive(db, admin, ReceiptRequest(sent.id, plant["NUT-M8"], Decimal(5), plant["bin"]))  # complete
    table = read_table(SAP)
    imports.run(db, admin, KIND, table, _mapping(table))
    for name in ("open.csv", "open.xlsx"):
        assert export_open_lines(db, admin, tmp_path / name) == 4  # the received nut line is not open
    raw = (tmp_path / "open.csv").read_text(encoding="utf-8")
    assert "'=HYPERLINK" in raw  # no live formula in a spreadsheet
    out = read_table(tmp_path / "open.csv")
    assert out.headers[:3] == ("ERP order", "Supplier", "ERP line") and out.headers[-2:] == (
        "Received",
        "Open",
    )
    first = out.rows[0]
    assert first[:9] == (sent.number, "Fastenal", "1", "BOLT-M8", '=HYPERLINK("x")', "300", "PC", "0.18", "")
    assert [r[0] for r in out.rows[1:]] == ["4500000123", "4500000123", "4500000124"]
    for name in ("open.csv", "open.xlsx"):
        again = read_table(tmp_path / name)
        plan = imports.run(db, admin, KIND, again, imports.auto_map(KIND, again.headers))
        assert (plan.creates, plan.updates, plan.unchanged) == (0, 0, 4), plan.problems
