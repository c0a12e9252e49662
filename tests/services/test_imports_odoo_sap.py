"""Issue 24: a plant moving from Odoo or SAP imports the lists those systems export, as they are, with
every column matched on its header: Odoo's locations (full location names), products (category paths
"All / MRO / Pumps", unit names "Units" and "Liters", the vendor and its product code) and stock quants;
SAP's plants and storage locations, material master (material type, material group, prices per price
unit, unit codes PC / PAK / PAA) and MB52 stock (unrestricted stock per storage location and batch).
Every file checks clean, imports exactly the figures it holds, and imports again unchanged.

Odoo's product export names each product's tracking (By Lots, By Unique Serial Number, By Quantity) and
shelf life, so its quants come in with their lots with nothing set by hand. SAP's material list does not
carry the batch management flag: as with InvenTree (test_imports_inventree.py), its batch-managed
materials are marked tracked in the part dialog before the stock is imported. The fixtures and what each
column becomes are in tests/fixtures/odoo/README.md and tests/fixtures/erp/README.md.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from desktop.db import Database
from desktop.models import Location, Part, StockBalance
from desktop.services import lots
from desktop.services.actor import Actor
from desktop.services.catalogue import location_paths, parts
from desktop.services.catalogue.categories import list_categories
from desktop.services.catalogue.locations import list_locations
from desktop.services.io import imports
from desktop.services.io.imports import Plan
from desktop.services.io.tabular import file_number, parse_csv, read_table
from desktop.services.stock import balance_check

FIXTURES = Path(__file__).parent.parent / "fixtures"
ODOO = (
    ("locations", "odoo/stock_location.csv"),
    ("parts", "odoo/product_template.csv"),
    ("stock", "odoo/stock_quant.csv"),
)
SAP = (
    ("locations", "erp/sap_t001w_plants.csv"),
    ("locations", "erp/sap_t001l_storage_locations.csv"),
    ("parts", "erp/sap_mm60_materials.csv"),
    ("stock", "erp/sap_mb52_stock.csv"),
)
TRACKED = {"GREASE-1KG": "LOT"}  # SAP's batch-managed material, set in the part dialog


def _check(db: Database, actor: Actor, kind: str, name: str) -> Plan:
    table = read_table(FIXTURES / name)
    return imports.check(db, actor, kind, table, imports.auto_map(kind, table.headers))


def _import(db: Database, actor: Actor, files: tuple[tuple[str, str], ...]) -> None:
    for kind, name in files:
        if kind == "stock":
            for number, how in TRACKED.items():
                if number in {row["Material"] or row["Internal Reference"] for row in _parts(name)}:
                    lots.set_tracking(db, actor, parts.get_part_id(db, number), lots.TrackingInput(how))
        plan = _check(db, actor, kind, name)
        assert plan.ok and plan.creates == plan.rows, (name, plan.problems[:5])  # every row new
        table = read_table(FIXTURES / name)
        imports.run(db, actor, kind, table, imports.auto_map(kind, table.headers), source=name)


def _parts(stock_file: str) -> list[dict[str, str]]:
    """The parts file imported before a stock file, with both systems' part number columns."""
    name = "erp/sap_mm60_materials.csv" if "erp/" in stock_file else "odoo/product_template.csv"
    return [{"Material": "", "Internal Reference": "", **row} for row in _rows(name)]


def _rows(name: str) -> list[dict[str, str]]:
    path = FIXTURES / name
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";" if "erp/" in name else ","))


def _held(db: Database) -> dict[tuple[str, str], Decimal]:
    return db.read(
        lambda s: {
            (number, code): Decimal(qty)
            for number, code, qty in s.execute(
                select(Part.part_number, Location.code, StockBalance.qty)
                .join(Part, Part.id == StockBalance.part_id)
                .join(Location, Location.id == StockBalance.location_id)
                .where(StockBalance.qty != 0)
            ).tuples()
        }
    )


def _part(db: Database, number: str) -> parts.PartDTO:
    return parts.get_part(db, parts.get_part_id(db, number))


def _unchanged(db: Database, actor: Actor, files: tuple[tuple[str, str], ...]) -> None:
    for kind, name in files:
        plan = _check(db, actor, kind, name)
        assert plan.ok and plan.creates == 0 and plan.updates == 0 and not plan.changes, (name, plan)


def test_an_odoo_export_imports_end_to_end(db: Database, admin: Actor) -> None:
    _import(db, admin, ODOO)

    # the locations tree as Odoo's full names give it: WH is the site, WH/Stock an area, Rack A a rack
    tree = {x.code: x for x in list_locations(db)}
    assert {c: (x.level, x.type, x.path) for c, x in tree.items()} == {
        "WH": ("SITE", "STOREROOM", "WH/"),
        "STOCK": ("AREA", "STOREROOM", "WH/STOCK/"),
        "SHELF-1": ("BIN", "STOREROOM", "WH/STOCK/SHELF-1/"),
        "SHELF-2": ("BIN", "STOREROOM", "WH/STOCK/SHELF-2/"),
        "RACK-A": ("RACK", "STOREROOM", "WH/STOCK/RACK-A/"),
        "BIN-01": ("BIN", "STOREROOM", "WH/STOCK/RACK-A/BIN-01/"),
        "BIN-02": ("BIN", "STOREROOM", "WH/STOCK/RACK-A/BIN-02/"),
        "INPUT": ("BIN", "STOREROOM", "WH/INPUT/"),
        "QUALITY-CONTROL": ("BIN", "STOREROOM", "WH/QUALITY-CONTROL/"),
    }
    assert tree["SHELF-1"].name == "Shelf 1"

    # products: Odoo's unit names, its cost, its category path (root "All" kept), the vendor's code
    products = _rows("odoo/product_template.csv")
    units = {"Units": "EA", "Liters": "L", "kg": "KG", "m": "M"}
    for row in products:
        part = _part(db, row["Internal Reference"])
        assert (part.description, part.unit, part.unit_cost) == (
            row["Name"],
            units[row["Unit of Measure"]],
            Decimal(row["Cost"]),
        )
        assert part.category_path == row["Product Category"].replace(" / ", " > ")
        vendors = [(x.supplier_name, x.supplier_part_number) for x in part.suppliers]
        expected = row["Vendors/Vendor"]
        assert vendors == ([(expected, row["Vendors/Vendor Product Code"] or None)] if expected else [])
    assert _part(db, "IO-8DI").category_path == "All > Electrical > I/O Modules"  # a '/' in a name
    # tracking and shelf life as Odoo's Traceability and expiry fields say
    tracking = {
        r["Internal Reference"]: (r["Tracking"], r["Expiration Time"], r["Alert Time"]) for r in products
    }
    names = {"By Lots": "LOT", "By Unique Serial Number": "SERIAL", "By Quantity": "NONE", "": "NONE"}
    for number, (how, life, alert) in tracking.items():
        part = _part(db, number)
        assert (part.tracking, part.shelf_life_days, part.expiry_warning_days) == (
            names[how],
            int(life) if life else None,
            int(alert) if alert else None,
        ), number
    categories = {c.path for c in list_categories(db)}
    assert categories == {
        "All",
        "All > MRO",
        "All > MRO > Lubricants",
        "All > MRO > Pumps",
        "All > MRO > Bearings",
        "All > Raw Materials",
        "All > Raw Materials > Sheet",
        "All > Electrical",
        "All > Electrical > Cable",
        "All > Electrical > I/O Modules",
        "All > Saleable",
        "All > Saleable > Fasteners",
    }

    # stock: every quant's quantity in its bin and lot, and nothing else
    by_names = db.read(location_paths.name_paths)
    expected_bin: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    expected_lot: dict[tuple[str, str, str], Decimal] = {}
    for row in _rows("odoo/stock_quant.csv"):
        code = by_names[row["Location"].upper()][1]
        expected_bin[(row["Product/Internal Reference"], code)] += Decimal(row["Quantity"])
        if row["Lot/Serial Number"]:
            expected_lot[(row["Product/Internal Reference"], code, row["Lot/Serial Number"])] = Decimal(
                row["Quantity"]
            )
    assert _held(db) == dict(expected_bin)
    in_lots = {
        (x.lot.part_number, x.location_code, x.lot.lot_number): x.qty
        for number in ("GREASE-EP2", "PUMP-7")
        for x in lots.lots_of_part(db, parts.get_part_id(db, number))
    }
    assert in_lots == expected_lot
    assert balance_check.check_balances(db, admin) == []

    _unchanged(db, admin, ODOO)


def test_a_sap_export_imports_end_to_end(db: Database, admin: Actor) -> None:
    _import(db, admin, SAP)

    # the plant is the site, its storage locations the places stock is kept in
    tree = {x.code: x for x in list_locations(db)}
    assert {c: (x.level, x.name, x.path) for c, x in tree.items()} == {
        "1000": ("SITE", "Werk Hamburg", "1000/"),
        "0001": ("BIN", "Main store", "1000/0001/"),
        "0002": ("BIN", "Maintenance crib", "1000/0002/"),
        "0003": ("BIN", "Oil store", "1000/0003/"),
    }

    # materials: the price per price unit down to one unit; material types as inventory types; unit codes
    assert {
        n: (p.unit, p.unit_cost, p.category, p.category_path)
        for n in (r["Material"] for r in _rows("erp/sap_mm60_materials.csv"))
        for p in (_part(db, n),)
    } == {
        "BOLT-M8": ("PC", Decimal("0.18"), "RAW", "FAST01"),
        "NUT-M8": ("PC", Decimal("0.05"), "RAW", "FAST01"),
        "OIL-5L": ("EA", Decimal("38.90"), "MRO", "LUB01"),
        "GREASE-1KG": ("KG", Decimal("9.40"), "MRO", "LUB01"),
        "HOSE-DN25": ("M", Decimal("12.75"), "MRO", "HYD01"),
        "SEAL-KIT-7": ("PK", Decimal("64"), "MRO", "HYD01"),
        "GLOVE-NBR": ("PR", Decimal("1.25"), "MRO", "PPE01"),
        "BRKT-A12": ("PC", Decimal("14.30"), "WIP", "ASSY01"),
    }
    assert _part(db, "BOLT-M8").description == "HEX BOLT M8X25 8.8 ZN"

    # stock: the unrestricted-use quantity of each row in its storage location and batch
    expected_bin: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    expected_lot: dict[tuple[str, str, str], Decimal] = {}
    for row in _rows("erp/sap_mb52_stock.csv"):
        qty = file_number(row["Unrestricted"], decimal_comma=True)
        expected_bin[(row["Material"], row["Storage Location"])] += qty
        if row["Batch"]:
            expected_lot[(row["Material"], row["Storage Location"], row["Batch"])] = qty
    assert _held(db) == dict(expected_bin)
    assert expected_bin[("BOLT-M8", "0001")] == 1200 and expected_bin[("GREASE-1KG", "0003")] == Decimal(
        "11.75"
    )
    in_lots = {
        (x.lot.part_number, x.location_code, x.lot.lot_number): x.qty
        for x in lots.lots_of_part(db, parts.get_part_id(db, "GREASE-1KG"))
    }
    assert in_lots == expected_lot
    assert balance_check.check_balances(db, admin) == []

    _unchanged(db, admin, SAP)


def test_a_price_unit_of_zero_is_a_problem_of_its_row(db: Database, admin: Actor, tmp_path: Path) -> None:
    path = tmp_path / "materials.csv"
    path.write_text("Material;Material Description;Standard price;Price Unit\nX-1;Thing;5,00;0\n")
    table = read_table(path)
    plan = imports.check(db, admin, "parts", table, imports.auto_map("parts", table.headers))
    assert [(p.row, p.column) for p in plan.problems] == [(2, "Price unit")]


def test_odoos_further_vendors_of_a_product_come_in_on_their_rows(
    db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Odoo writes a product's second and later vendors on the next rows with the product's columns
    empty: each is another vendor of the part above (its default supplier stays the first), also when
    the rows fall into the next batch; the same file again changes nothing; a vendor row with no part
    above it is a problem saying so."""
    from dataclasses import replace

    monkeypatch.setitem(imports.HANDLERS, "parts", replace(imports.HANDLERS["parts"], batch=2))
    head = "Internal Reference,Name,Unit of Measure,Vendors/Vendor,Vendors/Vendor Product Code\n"
    text = (
        head + "BOLT-M8X25,Hex bolt M8x25,Units,Fastenal,11104432\n"
        ",,,Würth,0057 8 25\n"  # the next batch starts here
        ",,,Bossard,BN 56\n"
        "NUT-M8,Hex nut M8,Units,Fastenal,11104500\n"
        ",,,Würth,\n"  # a vendor without its product code
    )
    table = parse_csv(text.encode())
    mapping = imports.auto_map("parts", table.headers)
    plan = imports.check(db, admin, "parts", table, mapping)
    assert plan.ok and plan.creates == 2, plan.problems
    assert "3 row(s) with only a vendor add it to the part above them" in "; ".join(plan.notes)
    imports.run(db, admin, "parts", table, mapping)
    bolt, nut = _part(db, "BOLT-M8X25"), _part(db, "NUT-M8")
    assert {(x.supplier_name, x.supplier_part_number) for x in bolt.suppliers} == {
        ("Fastenal", "11104432"),
        ("Würth", "0057 8 25"),
        ("Bossard", "BN 56"),
    }
    assert {(x.supplier_name, x.supplier_part_number) for x in nut.suppliers} == {
        ("Fastenal", "11104500"),
        ("Würth", None),
    }
    defaults = db.read(
        lambda s: set(s.scalars(select(Part.default_supplier_id).where(Part.id.in_([bolt.id, nut.id]))))
    )
    assert len(defaults) == 1  # Fastenal, the first row's, for both
    again = imports.check(db, admin, "parts", table, mapping)
    assert (again.creates, again.updates, again.problems) == (0, 0, ())
    more = parse_csv((head + "BOLT-M8X25,,,,\n,,,Hoffmann,HO-77\n").encode())
    added = imports.check(db, admin, "parts", more, imports.auto_map("parts", more.headers))
    assert added.updates == 1 and [c.new for c in added.changes] == ["HO-77 added (Hoffmann)"]
    orphan = parse_csv((head + ",,,Würth,0057\n").encode())
    refused = imports.check(db, admin, "parts", orphan, imports.auto_map("parts", orphan.headers))
    assert [p.row for p in refused.problems] == [2]
    assert (
        "adds it to the part on the row above, and this one has none above it" in refused.problems[0].message
    )
