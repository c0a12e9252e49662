"""Issue 24: the catalogue's reference data as their own kinds of file; each exports and re-imports
unchanged; the dry run applies the services' own rules (a supersession circle is found by the check)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from desktop.db import Database
from desktop.errors import UserError
from desktop.services.actor import Actor
from desktop.services.catalogue import parts, scan
from desktop.services.catalogue.suppliers import PartSupplierInput
from desktop.services.io import exports, imports
from desktop.services.io.tabular import parse_csv, read_table
from tests.services.test_imports_inventree import _import_all
from tests.services.test_imports_partial import _check, _run

KINDS = (
    "locations",
    "suppliers",
    "manufacturers",
    "categories",
    "parts",
    "supplier-parts",
    "manufacturer-parts",
    "alternates",
    "stock",
)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_every_kind_exports_and_reimports_unchanged(
    db: Database, admin: Actor, tmp_path: Path, suffix: str
) -> None:
    _import_all(db, admin)
    for kind in KINDS:
        out = tmp_path / f"{kind}{suffix}"
        count = exports.export(db, admin, kind, out)
        assert count > 0, kind
        table = read_table(out)
        assert len(table.rows) == count
        plan = imports.check(db, admin, kind, table, imports.auto_map(kind, table.headers))
        assert plan.ok and (plan.creates, plan.updates) == (0, 0) and not plan.changes, (kind, plan)
    supplier_parts = read_table(tmp_path / f"supplier-parts{suffix}")
    assert sum(1 for row in supplier_parts.rows if row[0] == "R-0603-10K" and row[1] == "DigiKey") == 2


def test_the_check_finds_a_supersession_circle_the_service_refuses(db: Database, admin: Actor) -> None:
    _run(db, admin, "parts", "Part number,Description\nA,Pump A\nB,Pump B\nC,Pump C\n")
    text = "Part number,Other part number,Kind\nA,B,superseded by\nB,C,superseded by\nC,A,superseded by\n"
    plan = _check(db, admin, "alternates", text)
    assert [(p.row, p.column, p.message) for p in plan.problems] == [
        (4, "Other part number", "That supersession would go round in a circle.")
    ]
    with pytest.raises(UserError, match="round in a circle"):
        _run(db, admin, "alternates", text)
    assert _check(db, admin, "alternates", text.replace("C,A,superseded by\n", "C,A,alternate\n")).ok


def test_several_supplier_part_numbers_per_supplier_on_the_part_card(db: Database, admin: Actor) -> None:
    pump = parts.create_part(
        db,
        admin,
        parts.PartInput(
            "P-1",
            "Pump",
            suppliers=(
                PartSupplierInput("Acme", "AC-1", Decimal("10"), Decimal(1)),
                PartSupplierInput("Acme", "ac-1-box", Decimal("90"), Decimal(10)),
            ),
            category_path="Hydraulics / Pumps",
        ),
    )
    assert [(x.supplier_part_number, x.pack_qty) for x in pump.suppliers] == [("AC-1", 1), ("ac-1-box", 10)]
    assert pump.category_path == "Hydraulics > Pumps"
    for code in ("AC-1", "ac-1-box", "AC-1-BOX"):
        assert scan.resolve(db, code).part == parts.get_part(db, pump.id), code
    with pytest.raises(UserError, match="listed twice with part number AC-1-BOX"):
        parts.update_part(
            db,
            admin,
            pump.id,
            parts.PartInput(
                "P-1",
                "Pump",
                suppliers=(PartSupplierInput("Acme", "ac-1-box"), PartSupplierInput("ACME", "AC-1-BOX")),
            ),
        )


def test_supplier_part_details_keep_what_the_file_leaves_out(db: Database, admin: Actor) -> None:
    _run(db, admin, "parts", "Part number,Description\nP-1,Pump\n")
    _run(db, admin, "supplier-parts", "Part number,Supplier,SKU,Pack qty,Price\nP-1,Acme,AC-1,10,4.20\n")
    plan = _check(db, admin, "supplier-parts", "Part number,Supplier,SKU,Price\nP-1,Acme,AC-1,4.50\n")
    assert [(c.record, c.field, c.old, c.new) for c in plan.changes] == [
        ("P-1 / Acme AC-1", "Price", "4.2", "4.5")
    ]
    _run(db, admin, "supplier-parts", "Part number,Supplier,SKU,Price\nP-1,Acme,AC-1,4.50\n")
    (link,) = parts.get_part(db, parts.get_part_id(db, "P-1")).suppliers
    assert (link.pack_qty, link.price) == (10, Decimal("4.5"))
    plan = _check(db, admin, "supplier-parts", "Part number,Supplier,SKU,Pack qty\nP-9,Acme,AC-9,0\n")
    assert {(p.column, p.message) for p in plan.problems} == {
        ("Part number", "no part P-9: import the parts first"),
        ("Pack qty", "a pack holds more than nothing"),
    }


def test_a_category_path_cell_that_is_broken_is_a_problem(db: Database, admin: Actor) -> None:
    table = parse_csv(b"Part number,Description,Category\nP-1,Pump,Hydraulics >> Pumps\n")
    plan = imports.check(db, admin, "parts", table, imports.auto_map("parts", table.headers))
    assert [(p.column, p.message[:40]) for p in plan.problems] == [
        ("Category", "'Hydraulics >> Pumps' has an empty categ")
    ]


def test_stock_by_category_covers_a_subtree(db: Database, admin: Actor, tmp_path: Path) -> None:
    from desktop.services.insight import report_data as rd

    _import_all(db, admin)
    table = rd.build(db, admin, "by-category", rd.ReportParams(category="electronics/passives"))
    assert [(r[0], r[1], r[4]) for r in table.rows] == [
        ("Electronics > Passives > Capacitors", "C-0603-100N", 9250),
        ("Electronics > Passives > Resistors", "R-0603-10K", 4870),
        ("Electronics > Passives > Resistors", "R-0603-1K", 2500),
    ]
    everything = rd.build(db, admin, "by-category", rd.ReportParams())
    assert [r[0] for r in everything.rows][:2] == ["Consumables > Lubricants"] * 2
    assert len(everything.rows) == 9  # the active parts; the obsolete op-amp is left out
    assert everything.totals is not None and everything.totals[6] == sum(
        r[6] for r in everything.rows
    ).quantize(Decimal("0.01"))
    with pytest.raises(UserError, match="There is no category Electronics > Nope"):
        rd.build(db, admin, "by-category", rd.ReportParams(category="Electronics > Nope"))
