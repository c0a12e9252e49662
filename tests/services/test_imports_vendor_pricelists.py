"""Issue 24: the files where Odoo and SAP keep every vendor's number, price and lead time import as
supplier part numbers (kind "supplier-parts") with no column mapped by hand: Odoo's vendor pricelist
(product.supplierinfo) and SAP's purchasing info records (ME1M). Each after its system's product or
material list, as a plant moves; every vendor code then scans to its part.

What each column becomes: tests/fixtures/odoo/README.md and tests/fixtures/erp/README.md.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import select

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import Part, PartSupplier, Supplier
from desktop.services.actor import Actor
from desktop.services.catalogue import scan
from desktop.services.catalogue.suppliers import create_supplier
from desktop.services.io import imports
from desktop.services.io.imports import Plan
from desktop.services.io.tabular import parse_csv
from tests.services.test_imports_odoo_sap import FIXTURES, _check, _import, _part

KIND = "supplier-parts"
PRICELIST = "odoo/product_supplierinfo.csv"
INFO_RECORDS = "erp/sap_me1m_info_records.csv"
LONG = "SEAL-KIT-DDA7.5-16-FKM-PVDF-CERAMIC-BALL"  # 40 characters, the longest part number


def _run(db: Database, actor: Actor, name: str) -> Plan:
    table = parse_csv((FIXTURES / name).read_bytes())
    return imports.run(db, actor, KIND, table, imports.auto_map(KIND, table.headers), source=name)


def _text(db: Database, actor: Actor, text: str, *, run: bool = False) -> Plan:
    table = parse_csv(text.encode())
    do = imports.run if run else imports.check
    return do(db, actor, KIND, table, imports.auto_map(KIND, table.headers))


def _links(db: Database) -> dict[tuple[str, str, str | None], tuple[Decimal | None, int | None]]:
    """Every supplier part number: (part, supplier, code) -> (price, lead time)."""
    return db.read(
        lambda s: {
            (number, supplier, link.supplier_part_number): (link.price, link.lead_time_days)
            for link, number, supplier in s.execute(
                select(PartSupplier, Part.part_number, Supplier.name)
                .join(Part, Part.id == PartSupplier.part_id)
                .join(Supplier, Supplier.id == PartSupplier.supplier_id)
            ).tuples()
        }
    )


def _default_supplier(db: Database, number: str) -> str | None:
    return db.read(
        lambda s: s.scalar(
            select(Supplier.name)
            .join(Part, Part.default_supplier_id == Supplier.id)
            .where(Part.part_number == number)
        )
    )


def _same(check: Plan, done: Plan) -> None:
    """The dry run said exactly what the import did."""
    assert (check.creates, check.updates, check.unchanged, check.notes, check.changes) == (
        done.creates,
        done.updates,
        done.unchanged,
        done.notes,
        done.changes,
    )


def test_odoos_vendor_pricelist_imports_end_to_end(db: Database, admin: Actor) -> None:
    _import(db, admin, (("parts", "odoo/product_template.csv"),))
    before = _links(db)

    check = _check(db, admin, KIND, PRICELIST)
    assert check.ok, check.problems
    # 12 rows: two ended, one a price break above a lower one; 3 links new, 6 the products file made
    assert (check.rows, check.creates, check.updates, check.unchanged) == (12, 3, 6, 0)
    assert set(check.notes) == {
        "2 row(s) whose End Date is past are left out",
        "1 row(s) are another price of a part, vendor and code (price breaks): the price at the lowest "
        "minimum quantity valid today is kept",
        "1 row(s) without a vendor code add the vendor as a supplier of the part, with no number to scan",
        "2 new supplier(s) will be added",
    }
    assert ("BOLT-M8X25 / Fastenal 11104432", "Price", "(empty)", "0.16") in {
        (c.record, c.field, c.old, c.new) for c in check.changes
    }
    _same(check, _run(db, admin, PRICELIST))

    # every vendor code scans to its part (the variant's [REF] for the seal kit: its template has none)
    codes = {
        "DDA 7.5-16": "PUMP-7",
        "HS-97721": "PUMP-7",
        "11104432": "BOLT-M8X25",
        "6205-2RSH": "6205-2RS",
        "49900047": "CABLE-3G15",
        "2702106": "IO-8DI",
        "97751531": LONG,
        "KL-EP2-400": "GREASE-EP2",
    }
    for code, number in codes.items():
        found = scan.resolve(db, code)
        assert found.part is not None and found.part.part_number == number, code
    assert not scan.resolve(db, "0057 8 25").found  # Würth's row had ended

    # the price at the lowest minimum quantity valid today, the lead time in days; the ended rows and
    # the break at 1,000 changed nothing, and Würth was not added
    after = _links(db)
    assert {k: v for k, v in after.items() if before.get(k) != v} == {
        ("PUMP-7", "Grundfos", "DDA 7.5-16"): (Decimal("398"), 21),
        ("PUMP-7", "Hydro-Service GmbH", "HS-97721"): (Decimal("405"), 14),
        ("BOLT-M8X25", "Fastenal", "11104432"): (Decimal("0.16"), 3),
        ("6205-2RS", "SKF", "6205-2RSH"): (Decimal("4.55"), 10),
        ("OIL-HLP46", "Shell", None): (Decimal("3.8"), 7),  # no vendor code: bought there all the same
        ("CABLE-3G15", "Lapp", "49900047"): (Decimal("0.82"), 5),
        ("IO-8DI", "Phoenix Contact", "2702106"): (Decimal("91.5"), 5),
        (LONG, "Grundfos", "97751531"): (Decimal("112.4"), 28),
        ("GREASE-EP2", "Klüber Lubrication", "KL-EP2-400"): (Decimal("6.1"), 10),
    }
    assert len(after) == len(before) + 3
    assert db.read(lambda s: s.scalar(select(Supplier.id).where(Supplier.name_key == "WÜRTH"))) is None
    # a part without a supplier takes the first its pricelist names; one with a supplier keeps it
    assert (_default_supplier(db, LONG), _default_supplier(db, "IO-8DI")) == ("Grundfos", "Phoenix Contact")
    assert _default_supplier(db, "PUMP-7") == "Grundfos"
    # the part's own supplier list, as the part dialog shows it
    pump = {(x.supplier_name, x.supplier_part_number, x.price) for x in _part(db, "PUMP-7").suppliers}
    assert pump == {
        ("Grundfos", "DDA 7.5-16", Decimal("398")),
        ("Hydro-Service GmbH", "HS-97721", Decimal("405")),
    }

    again = _check(db, admin, KIND, PRICELIST)
    assert (again.ok, again.creates, again.updates, again.unchanged, again.changes) == (True, 0, 0, 9, ())


def test_a_row_naming_no_known_part_imports_nothing(db: Database, admin: Actor) -> None:
    """A row whose product is not a part is a problem of its row; the import is all or nothing, so no
    row of the file is written (the check still plans every other row)."""
    _import(db, admin, (("parts", "odoo/product_template.csv"),))
    before = _links(db)
    text = (FIXTURES / PRICELIST).read_text(encoding="utf-8")
    text += "Grundfos,[DDA-200] Dosing pump DDA 200,,,DDA 200-4,1.0,1290.0,EUR,30,,,Werk Nord GmbH\n"
    text += "Grundfos,Dosing pump,,,DDA 7.5-16,1.0,398.0,EUR,21,,,Werk Nord GmbH\n"  # no [REF]: no part
    check = _text(db, admin, text)
    assert [(p.row, p.column, p.message) for p in check.problems] == [
        (14, "Part number", "no part DDA-200: import the parts first"),
        (15, "Part number", "no part Dosing pump: import the parts first"),
    ]
    assert (check.creates, check.updates) == (3, 6)  # the other rows as they would go
    with pytest.raises(UserError, match="2 problem\\(s\\), nothing imported"):
        _text(db, admin, text, run=True)
    assert _links(db) == before
    assert not scan.resolve(db, "HS-97721").found


def test_sap_info_records_import_end_to_end(db: Database, admin: Actor) -> None:
    _import(db, admin, (("parts", "erp/sap_mm60_materials.csv"),))

    # GREASE-1KG's vendor has only its number: no supplier is called by it yet
    refused = _check(db, admin, KIND, INFO_RECORDS)
    assert [(p.row, p.column) for p in refused.problems] == [(7, "Vendor number")]
    assert "vendor 100400 has no name in the file" in refused.problems[0].message
    with pytest.raises(UserError, match="nothing imported"):
        _run(db, admin, INFO_RECORDS)
    assert _links(db) == {}

    # the plant's vendor master came in by number (as SE16N writes LFA1, with leading zeros)
    create_supplier(db, admin, "0000100400")
    check = _check(db, admin, KIND, INFO_RECORDS)
    assert check.ok, check.problems
    assert (check.rows, check.creates, check.updates) == (6, 6, 0)
    assert set(check.notes) == {
        "1 row(s) without a vendor code add the vendor as a supplier of the part, with no number to scan",
        "4 new supplier(s) will be added",
    }
    _same(check, _run(db, admin, INFO_RECORDS))

    # the net price per price unit down to one unit (16,00 per 100, 1.180,00 per 1.000)
    assert _links(db) == {
        ("BOLT-M8", "Fastenal", "11104432"): (Decimal("0.16"), 5),
        ("NUT-M8", "Fastenal", "11104500"): (Decimal("0.045"), 5),
        ("OIL-5L", "Shell", "550046405"): (Decimal("36.5"), 3),
        ("GLOVE-NBR", "Ansell", "37-675/9"): (Decimal("1.18"), 10),
        ("HOSE-DN25", "Parker Hannifin", None): (Decimal("11.9"), 7),
        ("GREASE-1KG", "0000100400", "KL-EP2-1000"): (Decimal("8.95"), 10),
    }
    for code, number in {"11104432": "BOLT-M8", "37-675/9": "GLOVE-NBR", "KL-EP2-1000": "GREASE-1KG"}.items():
        found = scan.resolve(db, code)
        assert found.part is not None and found.part.part_number == number, code

    again = _check(db, admin, KIND, INFO_RECORDS)
    assert (again.ok, again.creates, again.updates, again.unchanged) == (True, 0, 0, 6)


HEAD = "Vendor,Product Template,Vendor Product Code,Quantity,Price,Delivery Lead Time,Start Date,End Date\n"


def test_which_price_a_vendor_line_keeps(db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    """A price that starts later is left out; the lowest minimum quantity wins in any order, also across
    batches; two prices at one minimum quantity are a problem; a line without a code beside one with a
    code says nothing more; a product is found by its exact part number too."""
    _import(db, admin, (("parts", "odoo/product_template.csv"),))
    monkeypatch.setitem(imports.HANDLERS, KIND, replace(imports.HANDLERS[KIND], batch=2))
    text = HEAD + (
        "Acme,[PUMP-7] Dosing pump,AC-7,10,380,9,,\n"
        "Acme,[PUMP-7] Dosing pump,AC-7,50,360,9,,\n"
        "Acme,PUMP-7,AC-7,1,399,9,,\n"  # the next batch: the lowest quantity, found by the part number
        "Acme,[PUMP-7] Dosing pump,AC-7,1,350,9,2099-01-01,\n"  # not yet valid
        "Acme,[PUMP-7] Dosing pump,,1,395,9,,\n"  # no code, and Acme has one for the pump
    )
    check = _text(db, admin, text)
    assert check.ok, check.problems
    assert set(check.notes) == {
        "2 row(s) are another price of a part, vendor and code (price breaks): the price at the lowest "
        "minimum quantity valid today is kept",
        "1 row(s) whose Start Date is still to come are left out",
        "1 row(s) without a vendor code name a vendor that has a code for the part: left out",
        "1 new supplier(s) will be added",
    }
    _same(check, _text(db, admin, text, run=True))
    assert {k: v for k, v in _links(db).items() if k[1] == "Acme"} == {
        ("PUMP-7", "Acme", "AC-7"): (Decimal("399"), 9)
    }
    clash = _text(db, admin, HEAD + "Acme,PUMP-7,AC-7,1,399,9,,\nAcme,PUMP-7,AC-7,1,398,9,,\n")
    assert [(p.row, p.message) for p in clash.problems] == [
        (3, "Acme AC-7 for this part is also on row 2 at the same minimum quantity, both valid today")
    ]


def test_a_number_fills_the_link_of_a_vendor_named_without_one(db: Database, admin: Actor) -> None:
    """A material list names the vendor without its number; the info record brings the number later: the
    part keeps one link to that vendor, now with the number (which scans), not a second one beside it."""
    parts_file = "Part number,Description,Supplier\nPUMP-9,Dosing pump,Grundfos\n"
    table = parse_csv(parts_file.encode())
    assert imports.run(db, admin, "parts", table, imports.auto_map("parts", table.headers)).ok
    assert _links(db) == {("PUMP-9", "Grundfos", None): (None, None)}
    plan = _text(
        db, admin, "Part number,Supplier,Supplier part number,Price\nPUMP-9,Grundfos,GF-99,12.5\n", run=True
    )
    assert plan.ok, plan.problems
    assert _links(db) == {("PUMP-9", "Grundfos", "GF-99"): (Decimal("12.5"), None)}
    assert scan.resolve(db, "GF-99").part is not None
