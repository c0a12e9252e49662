"""Issue 24: a re-import changes only what the file names; the dry run is the import rolled back; units
by any name; opening stock sums repeated rows and offers a default location; supplier details."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import AuditEvent, Location, Part, StockMove, Supplier
from desktop.services.actor import Actor
from desktop.services.catalogue import parts, parts_list, suppliers, units
from desktop.services.io import imports
from desktop.services.io.imports import Options, Plan
from desktop.services.io.tabular import parse_csv
from desktop.services.stock import balance_check
from desktop.services.stock import moves as stock


def _check(db: Database, actor: Actor, kind: str, text: str, options: Options | None = None) -> Plan:
    table = parse_csv(text.encode())
    return imports.check(db, actor, kind, table, imports.auto_map(kind, table.headers), options)


def _run(db: Database, actor: Actor, kind: str, text: str, options: Options | None = None) -> Plan:
    table = parse_csv(text.encode())
    return imports.run(db, actor, kind, table, imports.auto_map(kind, table.headers), options)


FULL = (
    "Part number,Description,Inventory type,Unit,Unit cost,Minimum,Maximum,Notes,Category\n"
    "P-100,Hydraulic pump,WIP,EA,120.50,5,20,Keep one on the shelf by line 2,Hydraulics > Pumps\n"
    "P-200,Seal kit,RAW,SET,9.90,2,10,,Hydraulics > Seals\n"
)


def _part(db: Database, number: str) -> parts.PartDTO:
    return parts.get_part(db, parts.get_part_id(db, number))


def test_a_partial_reimport_keeps_every_field_it_does_not_name(db: Database, admin: Actor) -> None:
    assert _check(db, admin, "parts", FULL).creates == 2
    assert (
        db.read(lambda s: s.scalar(select(func.count()).select_from(Part))) == 0
    )  # the dry run kept nothing
    _run(db, admin, "parts", FULL)
    assert parts_list.search_part_ids(db, "hydraulic") == [parts.get_part_id(db, "P-100")]
    # the file that wiped WIP, Minimum 5 and the notes in the issue: part number, description, supplier
    four = (
        "Part number,Description,Supplier,Supplier part number\nP-100,Hydraulic pump,Acme Hydraulics,AC-77\n"
    )
    plan = _check(db, admin, "parts", four)
    assert plan.ok and (plan.creates, plan.updates, plan.unchanged) == (0, 1, 0)
    assert {(c.field, c.old, c.new) for c in plan.changes} == {
        ("Supplier", "(empty)", "Acme Hydraulics"),
        ("Supplier part number", "(not yet)", "AC-77 added (Acme Hydraulics)"),
    }
    _run(db, admin, "parts", four)
    pump = _part(db, "P-100")
    assert (pump.category, pump.min_qty, pump.max_qty, pump.unit_cost) == ("WIP", 5, 20, Decimal("120.5"))
    assert pump.notes == "Keep one on the shelf by line 2"
    assert [(x.supplier_name, x.supplier_part_number) for x in pump.suppliers] == [
        ("Acme Hydraulics", "AC-77")
    ]
    # a 3-column file changes those columns only, and the dry run says old -> new for each
    three = "Part number,Minimum,Maximum\nP-100,6,24\nP-200,2,10\n"
    plan = _check(db, admin, "parts", three)
    assert (plan.updates, plan.unchanged) == (1, 1)
    assert [(c.row, c.record, c.field, c.old, c.new) for c in plan.changes] == [
        (2, "P-100", "Minimum", "5", "6"),
        (2, "P-100", "Maximum", "20", "24"),
    ]
    before = {n: _part(db, n) for n in ("P-100", "P-200")}
    _run(db, admin, "parts", three)
    after = _part(db, "P-100")
    assert (after.min_qty, after.max_qty) == (6, 24)
    changed = {f for f in parts.PART_FIELDS if getattr(after, f) != getattr(before["P-100"], f)}
    assert changed == {"min_qty", "max_qty"}
    assert after.suppliers == before["P-100"].suppliers
    assert _part(db, "P-200") == before["P-200"]


def test_blank_cells_clear_only_when_the_user_says_so(db: Database, admin: Actor) -> None:
    _run(db, admin, "parts", FULL)
    blank = "Part number,Description,Notes,Minimum,Category\nP-100,,,,\n"
    plan = _check(db, admin, "parts", blank)
    assert plan.ok and plan.unchanged == 1 and not plan.changes
    plan = _check(db, admin, "parts", blank, Options(blank_clears=True))
    assert {(c.field, c.new) for c in plan.changes} == {
        ("Notes", "(empty)"),
        ("Minimum", "(empty)"),
        ("Category", "(empty)"),
    }  # a description cannot be empty: a blank keeps it
    _run(db, admin, "parts", blank, Options(blank_clears=True))
    pump = _part(db, "P-100")
    assert pump.notes is None and pump.min_qty is None and pump.description == "Hydraulic pump"
    assert pump.max_qty == 20  # a column the file does not have is never cleared


def test_a_new_part_still_needs_a_description(db: Database, admin: Actor) -> None:
    plan = _check(db, admin, "parts", "Part number,Minimum\nP-NEW,3\n")
    assert [(p.row, p.column) for p in plan.problems] == [(2, "Description")]


def test_the_dry_run_finds_what_only_the_import_refused(db: Database, admin: Actor) -> None:
    """A bin inside a bin passed the old check and failed the import ("Row 19: ...")."""
    text = (
        "Code,Name,Level,Parent\n"
        "PLANT,Plant,SITE,\n"
        "MAIN,Main stores,AREA,PLANT\n"
        "B-01,Bin 1,BIN,MAIN\n"
        "B-01-A,Bin in a bin,BIN,B-01\n"
    )
    plan = _check(db, admin, "locations", text)
    assert [(p.row, p.message) for p in plan.problems] == [(5, "A bin cannot sit inside a bin.")]
    assert db.read(lambda s: s.scalar(select(func.count()).select_from(Location))) == 0  # rolled back
    assert db.read(lambda s: s.scalar(select(func.count()).select_from(AuditEvent))) == 0
    with pytest.raises(UserError, match="row 5, Level: A bin cannot sit inside a bin"):
        _run(db, admin, "locations", text)
    good = text.replace("B-01-A,Bin in a bin,BIN,B-01\n", "")
    assert _check(db, admin, "locations", good).ok
    _run(db, admin, "locations", good)  # a clean check: the import passes


def test_a_partial_location_reimport_keeps_type_and_walk_order(db: Database, admin: Actor) -> None:
    _run(
        db,
        admin,
        "locations",
        "Code,Name,Level,Type,Parent,Walk order\nPLANT,Plant,SITE,,,\nRECV,Dock,AREA,RECEIVING,PLANT,40\n",
    )
    plan = _check(db, admin, "locations", "Code,Name\nRECV,Receiving dock\n")
    assert [(c.field, c.old, c.new) for c in plan.changes] == [("Name", "Dock", "Receiving dock")]
    _run(db, admin, "locations", "Code,Name\nRECV,Receiving dock\n")
    row = db.read(
        lambda s: s.execute(select(Location.type, Location.walk_order).where(Location.code == "RECV")).one()
    )
    assert tuple(row) == ("RECEIVING", 40)


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("L", "L"),
        ("litre", "L"),
        ("Liter", "L"),
        ("litres", "L"),
        ("LITERS", "L"),
        ("pcs", "PC"),
        ("pc", "PC"),
        ("piece", "PC"),
        ("Pieces", "PC"),
        ("ea", "EA"),
        ("each", "EA"),
        ("kg", "KG"),
        ("kilogram", "KG"),
        ("kilograms", "KG"),
        ("m", "M"),
        ("metre", "M"),
        ("meter", "M"),
        ("metres", "M"),
        ("box", "BOX"),
        ("boxes", "BOX"),
        ("roll", "ROLL"),
        ("rolls", "ROLL"),
        ("pair", "PR"),
        ("pairs", "PR"),
        ("set", "SET"),
        ("sets", "SET"),
        ("gallons", "GAL"),
        ("mm", "MM"),
    ],
)
def test_units_by_any_common_name(written: str, code: str) -> None:
    assert units.BUILT_IN.resolve(written) == code


def test_a_close_miss_names_the_unit_meant_and_an_admin_adds_units(db: Database, admin: Actor) -> None:
    with pytest.raises(UserError, match=r"'litrs' is not a known unit\. Did you mean L \(litre\)\?"):
        units.BUILT_IN.resolve("litrs")
    plan = _check(
        db, admin, "parts", "Part number,Description,Unit\nOIL-1,Hydraulic oil,litres\nGRIT,Grit,sacks\n"
    )
    assert [(p.row, p.column) for p in plan.problems] == [(3, "Unit")]
    assert units.add_unit(db, admin, "bag", "bag", "sack, sacks") == "BAG"
    with pytest.raises(UserError, match="already means"):
        units.add_unit(db, admin, "LTR", "litre")
    _run(db, admin, "parts", "Part number,Description,Unit\nOIL-1,Hydraulic oil,litres\nGRIT,Grit,sacks\n")
    assert (_part(db, "OIL-1").unit, _part(db, "GRIT").unit) == ("L", "BAG")
    assert "BAG" in units.list_units(db).units


def _plant(db: Database, admin: Actor) -> None:
    _run(
        db,
        admin,
        "locations",
        "Code,Name,Level,Type,Parent\nPLANT,Plant,SITE,,\nRECV,Receiving,AREA,RECEIVING,PLANT\n"
        "MAIN,Main,AREA,,PLANT\nA-01,Bin A-01,BIN,,MAIN\n",
    )
    _run(db, admin, "parts", "Part number,Description,Unit\nP-1,Pump,EA\nOIL,Oil,L\n")


def test_repeated_part_and_bin_rows_are_summed_with_a_line_in_the_report(db: Database, admin: Actor) -> None:
    _plant(db, admin)
    text = "Part number,Location,Quantity\nP-1,A-01,3\nOIL,A-01,1.5\nP-1,A-01,4\nP-1,A-01,1\n"
    plan = _check(db, admin, "stock", text)
    assert plan.ok and plan.creates == 2
    assert "2 row(s) repeat a part and location of an earlier row: their quantities are added" in plan.notes
    _run(db, admin, "stock", text)
    p1 = parts.get_part_id(db, "P-1")
    a01 = db.read(lambda s: s.scalars(select(Location.id).where(Location.code == "A-01")).one())
    assert stock.balance(db, p1, a01) == 8
    assert db.read(lambda s: s.scalar(select(func.count()).select_from(StockMove))) == 2
    assert balance_check.check_balances(db, admin) == []


def test_stock_with_no_location_goes_to_the_default_the_check_offers(db: Database, admin: Actor) -> None:
    _plant(db, admin)
    text = "Part number,Location,Quantity\nP-1,,5\nOIL,A-01,2\nOIL,,1\n"
    plan = _check(db, admin, "stock", text)
    assert [(p.row, p.column) for p in plan.problems] == [(2, "Location"), (4, "Location")]
    assert any("such as RECV (receiving)" in n for n in plan.notes)
    plan = _check(db, admin, "stock", text, Options(default_location="RECV"))
    assert plan.ok and "2 row(s) without a location go to RECV" in plan.notes
    _run(db, admin, "stock", text, Options(default_location="L-RECV"))  # a scanned label works too
    recv = db.read(lambda s: s.scalars(select(Location.id).where(Location.code == "RECV")).one())
    assert stock.balance(db, parts.get_part_id(db, "P-1"), recv) == 5
    assert stock.balance(db, parts.get_part_id(db, "OIL"), recv) == 1
    with pytest.raises(UserError, match="NOWHERE does not exist"):
        _check(db, admin, "stock", text, Options(default_location="NOWHERE"))


def test_supplier_address_contact_currency_and_website(db: Database, admin: Actor) -> None:
    text = (
        "Name,Contact,Email,Phone,Address,Website,Currency\n"
        '"Würth Industrie Service","Anna Maier",anna@example.com,+49 7940 15-0,'
        '"Industriepark Würth, 97980 Bad Mergentheim",https://www.wuerth-industrie.com,eur\n'
    )
    _run(db, admin, "suppliers", text)
    (sup,) = suppliers.list_suppliers(db)
    assert (sup.contact, sup.address, sup.website, sup.currency) == (
        "Anna Maier",
        "Industriepark Würth, 97980 Bad Mergentheim",
        "https://www.wuerth-industrie.com",
        "EUR",
    )
    plan = _check(db, admin, "suppliers", "Name,Currency\nWürth Industrie Service,EURO\n")
    assert [(p.column, p.message.split(" (")[0]) for p in plan.problems] == [
        ("Currency", "'EURO' is not a currency code")
    ]
    plan = _check(db, admin, "suppliers", "Name,Phone\nWürth Industrie Service,+49 7940 150\n")
    assert [(c.field, c.old, c.new) for c in plan.changes] == [("Phone", "+49 7940 15-0", "+49 7940 150")]
    _run(db, admin, "suppliers", "Name,Phone\nWürth Industrie Service,+49 7940 150\n")
    assert (
        db.read(lambda s: s.scalar(select(Supplier.address))) == "Industriepark Würth, 97980 Bad Mergentheim"
    )


def test_an_old_export_with_the_type_under_category_still_reads(db: Database, admin: Actor) -> None:
    plan = _check(db, admin, "parts", "Part number,Description,Category\nP-9,Valve,MRO\n")
    assert plan.ok and any("read as the inventory type" in n for n in plan.notes)
    _run(db, admin, "parts", "Part number,Description,Category\nP-9,Valve,MRO\n")
    assert _part(db, "P-9").category == "MRO"
    assert db.read(lambda s: s.scalar(select(func.count()).select_from(Part))) == 1
