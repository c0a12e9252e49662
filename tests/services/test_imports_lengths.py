"""Every new name and number at its maximum length imports (and scans), one character more is a problem
on its row, on SQLite and on PostgreSQL (which would refuse a longer value mid-import)."""

from __future__ import annotations

from desktop.db import Database
from desktop.services.actor import Actor
from desktop.services.catalogue import parts, scan, suppliers, units
from desktop.services.catalogue.categories import list_categories
from desktop.services.catalogue.manufacturers import list_manufacturers
from tests.services.test_imports_partial import _check, _run


def test_longest_names_and_numbers(db: Database, admin: Actor) -> None:
    name, address, site = "S" * 120, "A" * 300, "https://" + "w" * 192
    _run(
        db,
        admin,
        "suppliers",
        f"Name,Contact,Address,Website,Currency\n{name},{'C' * 120},{address},{site},chf\n",
    )
    (sup,) = suppliers.list_suppliers(db)
    assert (len(sup.name), len(sup.contact or ""), sup.address, sup.website, sup.currency) == (
        120,
        120,
        address,
        site,
        "CHF",
    )
    too_long = _check(db, admin, "suppliers", f"Name,Address\n{name},{address}X\n")
    assert [(p.row, p.column) for p in too_long.problems] == [(2, "Address")]

    maker = "M" * 80
    _run(db, admin, "manufacturers", f"Name,Website\n{maker},{site}\n")
    assert [(m.name, m.website) for m in list_manufacturers(db)] == [(maker, site)]
    assert [(p.row, p.column) for p in _check(db, admin, "manufacturers", f"Name\n{maker}X\n").problems] == [
        (2, "Manufacturer")
    ]

    # six names of 60 characters: a path of 6 * 60 + 5 * 3 = 375 characters (at most 400)
    path = " > ".join(chr(65 + i) * 60 for i in range(6))
    _run(db, admin, "categories", f"Path\n{path}\n")
    assert list_categories(db)[-1].path == path and len(list_categories(db)) == 6
    assert (
        _check(db, admin, "categories", "Path\n" + "N" * 61 + "\n")
        .problems[0]
        .message.startswith("A category name is too long")
    )
    assert (
        "longer than 400"
        in _check(db, admin, "categories", "Path\n" + " > ".join(["x" * 60] * 7) + "\n").problems[0].message
    )

    number, sku, mpn = "P" * 40, "K" * 60, "Z" * 60
    _run(db, admin, "parts", f"Part number,Description,Category\n{number},{'D' * 200},{path}\n")
    _run(
        db,
        admin,
        "supplier-parts",
        f"Part number,Supplier,SKU,Pack qty,Price\n{number},{name},{sku},99999999,99999.9999\n",
    )
    _run(db, admin, "manufacturer-parts", f"Part number,Manufacturer,MPN\n{number},{maker},{mpn}\n")
    part = parts.get_part(db, parts.get_part_id(db, number))
    assert part.category_path == path and part.manufacturer_part_number == mpn
    for code in (sku, mpn, number):
        assert scan.resolve(db, code).part == part, code
    plan = _check(db, admin, "supplier-parts", f"Part number,Supplier,SKU\n{number},{name},{sku}K\n")
    assert [(p.row, p.column) for p in plan.problems] == [(2, "Supplier part number")]

    assert units.add_unit(db, admin, "U" * 8, "n" * 40, ", ".join(["alias"] * 32)[:200]) == "U" * 8


def test_a_location_path_with_long_names_gets_codes_within_30(db: Database, admin: Actor) -> None:
    long = "Warehouse " + "x" * 110
    text = f"Path\n{long}/{long}/Shelf\n{long}/Dock/Shelf\n"
    _run(db, admin, "locations", text)
    from sqlalchemy import select

    from desktop.models import Location

    codes = db.read(lambda s: sorted(s.scalars(select(Location.code))))
    assert all(len(c) <= 30 for c in codes) and len(codes) == len(set(codes)) == 5
    assert _check(db, admin, "locations", text).updates == 0  # the same paths again: the same places
