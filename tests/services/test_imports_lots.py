"""Opening stock with lots, serial numbers and expiry, on both databases: the columns other systems name
them by, each tracked row posted into its (part, bin, lot), every wrong row found by the check (which is
the import rolled back) with nothing half-imported, and the export re-importing to the same balances."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import Lot, StockMove
from desktop.models.enums import MoveKind
from desktop.services import lots
from desktop.services.actor import Actor
from desktop.services.catalogue import parts, parts_list
from desktop.services.io import exports, imports
from desktop.services.io.tabular import parse_csv, read_table
from desktop.services.lots import LotReceipt, TrackingInput
from desktop.services.stock import balance_check
from desktop.services.stock import issue as stock_issue
from desktop.services.stock import moves as stock
from desktop.services.stock.moves import MoveRequest
from tests.factories import make_part, make_tree, receive

ODOO = Path(__file__).parent.parent / "fixtures" / "odoo" / "stock_quant.csv"
LONGEST = "Z" * 39 + "9"  # a lot number at its maximum, 40 characters


@pytest.fixture
def plant(db: Database, admin: Actor) -> dict[str, int]:
    """GREASE-EP2 tracked by lot (shelf life 365 days), PUMP-7 by serial number, an untracked bearing."""
    tree = make_tree(db, admin)
    grease = make_part(db, admin, "GREASE-EP2", description="Grease EP2 400 g")
    lots.set_tracking(db, admin, grease.id, TrackingInput("LOT", 365))
    pump = make_part(db, admin, "PUMP-7", description="Dosing pump")
    lots.set_tracking(db, admin, pump.id, TrackingInput("SERIAL"))
    bearing = make_part(db, admin)
    return {
        "grease": grease.id,
        "pump": pump.id,
        "bearing": bearing.id,
        "bin1": tree["A-01-01"].id,
        "bin2": tree["A-01-02"].id,
    }


def _check(db: Database, actor: Actor, text: str) -> imports.Plan:
    table = parse_csv(text.encode())
    return imports.check(db, actor, "stock", table, imports.auto_map("stock", table.headers))


def _run(db: Database, actor: Actor, text: str) -> imports.Plan:
    table = parse_csv(text.encode())
    return imports.run(db, actor, "stock", table, imports.auto_map("stock", table.headers))


def _count(db: Database, model: type) -> int:
    return db.read(lambda s: s.scalar(select(func.count()).select_from(model)) or 0)


def _stock(db: Database) -> dict[tuple[str, str, str | None], Decimal]:
    """Every (part, bin, lot) with stock; lot None for an untracked part's bin."""
    held: dict[tuple[str, str, str | None], Decimal] = {}
    for number in ("GREASE-EP2", "PUMP-7", "6205-2RS"):
        part_id = parts.get_part_id(db, number)
        for x in lots.lots_of_part(db, part_id):
            held[(number, x.location_code, x.lot.lot_number)] = x.qty
    for b in parts.get_part(db, parts.get_part_id(db, "6205-2RS")).stock:
        held[("6205-2RS", b.location_code, None)] = b.qty
    return held


def test_the_columns_other_systems_name_lots_by() -> None:
    for headers, expect in (
        (
            ("Part number", "Bin", "Qty", "Batch", "Best before", "Serial number"),
            ("Batch", "Best before", "Serial number"),
        ),
        (("Item", "Location", "Count", "Lot number", "Use by", "Serial"), ("Lot number", "Use by", "Serial")),
        (
            ("IPN", "Location", "Quantity", "Batch Code", "Expiry Date", "Serial"),
            ("Batch Code", "Expiry Date", "Serial"),
        ),
        (("SKU", "Bin", "On hand", "Lot", "Expiry date", "Serial no"), ("Lot", "Expiry date", "Serial no")),
        (
            ("Product/Internal Reference", "Location", "Lot/Serial Number", "Expiration Date", "Quantity"),
            ("Lot/Serial Number", "Expiration Date", None),
        ),
    ):
        found = imports.auto_map("stock", headers)
        named = tuple(
            headers[i] if i is not None else None for i in (found["lot"], found["expiry"], found["serial"])
        )
        assert named == expect, headers
        assert found["part_number"] == 0


def test_tracked_rows_post_into_their_lots(db: Database, admin: Actor, plant: dict[str, int]) -> None:
    plan = _run(
        db,
        admin,
        "Part number,Location,Quantity,Batch,Best before,Serial number\n"
        "GREASE-EP2,A-01-01,4,HEAT-1,2027-03-31,\n"
        f"GREASE-EP2,A-01-01,2,{LONGEST},,\n"
        "grease-ep2,A-01-01,3,heat-1,31.03.2027,\n"  # the same lot again, any case: added up
        "GREASE-EP2,A-01-02,5,(01)04012345678901(17)280131(10)HEAT-2,,\n"  # the supplier's GS1-128 label
        "PUMP-7,A-01-02,1,,,SN-1\n"
        "PUMP-7,A-01-02,1,SN-2,,\n"  # a serial under Lot, as Odoo's one Lot/Serial Number column has it
        "6205-2RS,A-01-01,10,,,\n"
        "6205-2RS,A-01-01,2,,,\n",
    )
    assert plan.ok and plan.creates == 6
    assert (
        "1 row(s) repeat a part, location and lot of an earlier row: their quantities are added" in plan.notes
    )
    assert "1 row(s) repeat a part and location of an earlier row: their quantities are added" in plan.notes
    assert _stock(db) == {
        ("GREASE-EP2", "A-01-01", "HEAT-1"): 7,
        ("GREASE-EP2", "A-01-01", LONGEST): 2,
        ("GREASE-EP2", "A-01-02", "HEAT-2"): 5,
        ("PUMP-7", "A-01-02", "SN-1"): 1,
        ("PUMP-7", "A-01-02", "SN-2"): 1,
        ("6205-2RS", "A-01-01", None): 12,
    }
    assert lots.trace(db, "HEAT-1").lot.expires_on == date(2027, 3, 31)
    assert lots.trace(db, "HEAT-2").lot.expires_on == date(2028, 1, 31)
    assert lots.trace(db, LONGEST).lot.expires_on == date.today() + timedelta(365)  # the shelf life
    assert stock.balance(db, plant["grease"], plant["bin1"]) == 9
    assert balance_check.check_balances(db, admin) == []
    # a corrected count of one lot: an adjustment of that lot alone
    plan = _run(db, admin, "Part number,Location,Quantity,Lot\nGREASE-EP2,A-01-01,5,HEAT-1\n")
    assert (plan.creates, plan.updates) == (0, 1)
    assert _stock(db)[("GREASE-EP2", "A-01-01", "HEAT-1")] == 5
    assert _stock(db)[("GREASE-EP2", "A-01-01", LONGEST)] == 2  # a lot the file does not name stays
    last = db.read(lambda s: s.scalars(select(StockMove).order_by(StockMove.id.desc()).limit(1)).one())
    assert (last.kind, last.qty, last.from_location_id) == (MoveKind.ADJUSTMENT.value, 2, plant["bin1"])
    assert balance_check.check_balances(db, admin) == []


def test_every_wrong_row_is_found_by_the_check_and_nothing_is_imported(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    lots.receive(db, admin, LotReceipt(plant["grease"], plant["bin2"], Decimal(1), "OLD", date(2027, 1, 1)))
    lots.receive(db, admin, LotReceipt(plant["pump"], plant["bin2"], Decimal(1), serials=("SN-9",)))
    moves, made = _count(db, StockMove), _count(db, Lot)
    text = (
        "Part number,Location,Quantity,Lot,Expiry,Serial\n"
        "GREASE-EP2,A-01-01,4,GOOD-1,,\n"  # row 2: fine, but not imported with the others wrong
        "6205-2RS,A-01-01,1,B-1,,\n"  # row 3: a lot for an untracked part
        "6205-2RS,A-01-01,1,,2027-01-01,\n"  # row 4: an expiry for it
        "GREASE-EP2,A-01-01,4,,,\n"  # row 5: a tracked part without its lot
        "PUMP-7,A-01-01,2,,,SN-1\n"  # row 6: a serial with a quantity of 2
        "PUMP-7,A-01-01,1,,,SN-3\n"  # row 7
        "PUMP-7,A-01-02,1,,,sn-3\n"  # row 8: the same serial twice
        "PUMP-7,A-01-01,1,,,SN-9\n"  # row 9: a serial that is in A-01-02 already
        "GREASE-EP2,A-01-01,1,OLD,2027-02-02,\n"  # row 10: another expiry for a lot made before
        "GREASE-EP2,A-01-01,1,NEW,2027-05-01,\n"  # row 11
        "GREASE-EP2,A-01-02,1,NEW,2027-06-01,\n"  # row 12: the same new lot, another expiry
        "GREASE-EP2,A-01-01,1,N-2,01/02/2027,\n"  # row 13: a date either way round
        f"GREASE-EP2,A-01-01,1,{LONGEST}X,,\n"  # row 14: a lot number one character too long
        "GREASE-EP2,A-01-01,1,N-3,,SN-4\n"  # row 15: a serial for a part tracked by lot
    )
    plan = _check(db, admin, text)
    assert [(p.row, p.column) for p in plan.problems] == [
        (3, "Lot"),
        (4, "Expiry"),
        (5, "Lot"),
        (6, "Quantity"),
        (8, "Serial"),
        (9, "Serial"),
        (10, "Expiry"),
        (12, "Expiry"),
        (13, "Expiry"),
        (14, "Lot"),
        (15, "Serial"),
    ]
    said = {p.row: p.message for p in plan.problems}
    assert (
        said[3]
        == said[4].replace("Expiry", "Lot")
        == ("6205-2RS is not tracked by lot: leave Lot empty, or set its tracking in the part dialog first")
    )
    assert said[5] == "GREASE-EP2 is tracked by lot: give its lot"
    assert said[6] == "PUMP-7 is tracked by serial number: one row per unit, quantity 1"
    assert said[8] == "serial sn-3 of PUMP-7 is also on row 7"
    assert said[9].startswith("serial SN-9 of PUMP-7 is in A-01-02 already: a serial number is in one place")
    assert said[10] == "Lot OLD of GREASE-EP2 expires on 2027-01-01, not 2027-02-02: check the file."
    assert (
        said[12]
        == "Lot NEW of GREASE-EP2 expires on 2027-05-01, not 2027-06-01: row 11 says so; check the file."
    )
    assert "'01/02/2027' is not a date" in said[13]
    assert said[14] == "Lot is too long (41 characters, at most 40)."
    assert said[15] == "GREASE-EP2 is tracked by lot, not by serial number: give its lot"
    with pytest.raises(UserError, match="11 problem"):
        _run(db, admin, text)
    assert (_count(db, StockMove), _count(db, Lot)) == (moves, made)  # not even row 2 or its lot
    # without the Lot column at all, the tracked rows say what the file lacks
    plan = _check(db, admin, "Part number,Location,Quantity\nGREASE-EP2,A-01-01,4\n6205-2RS,A-01-01,1\n")
    assert [(p.row, p.message) for p in plan.problems] == [
        (2, "GREASE-EP2 is tracked by lot: give its lot (the file has no Lot column)")
    ]


def test_the_check_passes_exactly_when_the_import_does(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    good = "Part number,Location,Quantity,Lot\nGREASE-EP2,A-01-01,4,HEAT-1\nPUMP-7,A-01-01,1,SN-1\n"
    plan = _check(db, admin, good)
    assert plan.ok and _count(db, Lot) == 0 and _count(db, StockMove) == 0  # the check keeps nothing
    assert _run(db, admin, good).summary() == plan.summary()
    assert _check(db, admin, good).unchanged == 2  # and a second time changes nothing


def test_the_stock_export_reimports_to_the_same_balances(
    db: Database, admin: Actor, plant: dict[str, int], tmp_path: Path
) -> None:
    lots.receive(
        db, admin, LotReceipt(plant["grease"], plant["bin1"], Decimal(6), "HEAT-1", date(2027, 3, 31))
    )
    lots.receive(db, admin, LotReceipt(plant["grease"], plant["bin1"], Decimal(2), LONGEST))
    lots.receive(db, admin, LotReceipt(plant["grease"], plant["bin2"], Decimal(3), "HEAT-1"))
    lots.receive(db, admin, LotReceipt(plant["pump"], plant["bin2"], Decimal(2), serials=("SN-1", "SN-2")))
    receive(db, admin, plant["bearing"], plant["bin1"], "7")
    stock_issue.issue(db, admin, MoveRequest(MoveKind.ISSUE, plant["grease"], Decimal(1), plant["bin1"]))
    before = _stock(db)
    for suffix in (".csv", ".xlsx"):
        out = tmp_path / f"stock{suffix}"
        assert exports.export(db, admin, "stock", out) == 6
        table = read_table(out)
        mapping = imports.auto_map("stock", table.headers)
        plan = imports.check(db, admin, "stock", table, mapping)
        assert plan.ok and (plan.creates, plan.updates, plan.unchanged) == (0, 0, 6), (suffix, plan.problems)
    headers, rows = exports.table(db, admin, "stock")
    assert headers == ["Part number", "Location", "Quantity", "Lot", "Expiry", "Serial"]
    assert ["GREASE-EP2", "A-01-01", Decimal(5), "HEAT-1", "2027-03-31", None] in [
        [r[0], r[1], Decimal(r[2]), *r[3:]] for r in rows
    ]
    assert ["PUMP-7", "A-01-02", Decimal(1), None, None, "SN-2"] in [
        [r[0], r[1], Decimal(r[2]), *r[3:]] for r in rows
    ]
    # stock moves on; the file re-imported brings every lot and bin back to what it says
    stock_issue.issue(db, admin, MoveRequest(MoveKind.ISSUE, plant["grease"], Decimal(3), plant["bin1"]))
    stock.post_move(
        db, admin, MoveRequest(MoveKind.RECEIPT, plant["bearing"], Decimal(4), None, plant["bin1"])
    )
    table = read_table(tmp_path / "stock.csv")
    imports.run(db, admin, "stock", table, imports.auto_map("stock", table.headers))
    assert _stock(db) == before
    assert balance_check.check_balances(db, admin) == []


def test_an_odoo_stock_quant_export_imports_as_it_is(
    db: Database, admin: Actor, plant: dict[str, int]
) -> None:
    locations = parse_csv(b"Path\nWH/Stock/Shelf 1\nWH/Stock/Shelf 2\n")
    imports.run(db, admin, "locations", locations, imports.auto_map("locations", locations.headers))
    table = read_table(ODOO)
    mapping = imports.auto_map("stock", table.headers)
    # the internal reference, not the display name "[GREASE-EP2] Grease EP2 400 g" under Product
    assert mapping["part_number"] == table.headers.index("Product/Internal Reference")
    plan = imports.check(db, admin, "stock", table, mapping)
    assert plan.ok and plan.creates == 6, plan.problems
    imports.run(db, admin, "stock", table, mapping, source=ODOO.name)
    shelf = {
        x.lot.lot_number: x for x in lots.lots_of_part(db, plant["grease"]) if x.location_code == "SHELF-1"
    }
    assert {k: v.qty for k, v in shelf.items()} == {"HEAT-4711": 24, "HEAT-4712": 12}
    assert shelf["HEAT-4711"].lot.expires_on == date(2027, 3, 31)
    assert {x.lot.lot_number for x in lots.lots_of_part(db, plant["pump"])} == {"SN-000101", "SN-000102"}
    assert parts.get_part(db, plant["grease"]).on_hand == 42
    assert parts.get_part(db, plant["bearing"]).on_hand == 40
    again = imports.check(db, admin, "stock", read_table(ODOO), mapping)
    assert again.ok and again.unchanged == 6  # the same export again changes nothing


def test_a_parts_file_sets_tracking_and_shelf_life_but_never_under_stock(db: Database, admin: Actor) -> None:
    """The parts file names how each part is tracked (our values or Odoo's labels, SAP's batch flag)
    and its shelf life, so the stock file that follows comes in with lots. A part holding stock keeps
    its tracking: the check says so on its row and nothing is written; a bad value is a row problem."""
    tree = make_tree(db, admin)
    held = make_part(db, admin, "HELD-1", description="In stock")
    receive(db, admin, held.id, tree["A-01-01"].id, "3")
    head = "Part number,Description,Unit,Tracking,Shelf life days,Expiry warning days\n"
    good = [
        "GLUE-1,Glue,EA,By Lots,365,30",
        "PUMP-1,Pump,EA,By Unique Serial Number,,",
        "BOLT-1,Bolt,EA,By Quantity,,",
        "OIL-1,Oil,L,X,730,",  # SAP's batch management flag
        "SEAL-1,Seal,EA,lot,,",
    ]

    def plan_of(lines: list[str]) -> tuple[imports.Plan, imports.Table]:
        table = parse_csv((head + "\n".join(lines) + "\n").encode())
        return imports.check(db, admin, "parts", table, imports.auto_map("parts", table.headers)), table

    bad, _t = plan_of([*good, "HELD-1,In stock,EA,By Lots,,", "ODD-1,Odd,EA,Maybe,,", "OLD-1,Old,EA,LOT,0,"])
    assert sorted((p.row, p.column) for p in bad.problems) == [
        (7, "Tracking"),
        (8, "Tracking"),
        (9, "Shelf life days"),
    ], bad.problems
    said = {p.row: p.message for p in bad.problems}
    assert "HELD-1 holds stock tracked NONE: its tracking can change to LOT only at zero stock" in said[7]
    assert "'Maybe' is not one of NONE, LOT, SERIAL" in said[8] and "1 to 36,500 days" in said[9]
    assert parts_list.search_part_ids(db, "GLUE") == []  # nothing written by a refused file
    plan, table = plan_of(good)
    assert plan.ok and plan.creates == 5
    imports.run(db, admin, "parts", table, imports.auto_map("parts", table.headers))
    got = {
        n: (p.tracking, p.shelf_life_days, p.expiry_warning_days)
        for n in ("GLUE-1", "PUMP-1", "BOLT-1", "OIL-1", "SEAL-1")
        for p in [parts.get_part(db, parts.get_part_id(db, n))]
    }
    assert got == {
        "GLUE-1": ("LOT", 365, 30),
        "PUMP-1": ("SERIAL", None, None),
        "BOLT-1": ("NONE", None, None),
        "OIL-1": ("LOT", 730, None),
        "SEAL-1": ("LOT", None, None),
    }
    # the stock file now comes in with its lots, the expiry from the shelf life where it gives none
    _run(db, admin, "Part number,Location,Quantity,Lot\nGLUE-1,A-01-01,4,G-77\n")
    lot = lots.trace(db, "G-77").lot
    assert lot.expires_on == date.today() + timedelta(days=365)
    again, _t = plan_of(good)  # the same file again: nothing changes
    assert (again.creates, again.updates, again.unchanged) == (0, 0, 5)
    changed, _t = plan_of(["GLUE-1,Glue,EA,By Quantity,,"])  # GLUE-1 now holds stock in a lot
    assert [p.column for p in changed.problems] == ["Tracking"]
