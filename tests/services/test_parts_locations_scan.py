from __future__ import annotations

from decimal import Decimal

import pytest

from desktop.db import Database
from desktop.errors import Conflict, UserError
from desktop.models.enums import LocationLevel, LocationType
from desktop.services.actor import Actor
from desktop.services.catalogue import locations, parts, parts_list, scan
from desktop.services.catalogue.parts import PartInput
from desktop.services.catalogue.suppliers import PartSupplierInput, list_suppliers
from tests.factories import make_part, make_tree, receive


def test_part_numbers_are_unique_ignoring_case(db: Database, admin: Actor) -> None:
    make_part(db, admin, "ab-100")
    with pytest.raises(Conflict, match="ab-100 already exists") as err:
        make_part(db, admin, "AB-100")
    assert err.value.field == "part_number"


def test_part_validation_messages(db: Database, admin: Actor) -> None:
    with pytest.raises(UserError, match="required"):
        make_part(db, admin, "  ")
    with pytest.raises(UserError, match="not a known unit"):
        make_part(db, admin, "X1", unit="BUCKETS")
    with pytest.raises(UserError, match="below minimum"):
        make_part(db, admin, "X2", min_qty=Decimal(5), max_qty=Decimal(2))
    with pytest.raises(UserError, match="Description is required"):
        make_part(db, admin, "X3", description="")


def test_part_with_suppliers_round_trips_and_edit_keeps_id(db: Database, admin: Actor) -> None:
    created = make_part(
        db,
        admin,
        "V-200",
        description="Valve",
        unit_cost=Decimal("12.50"),
        suppliers=(
            PartSupplierInput("Acme Bearings", "AC-200", Decimal("11.9"), Decimal(10), 5),
            PartSupplierInput("  acme   bearings  ")
            if False
            else PartSupplierInput("Bolt & Co", None, None, None, None),
        ),
    )
    assert [s.supplier_name for s in created.suppliers] == ["Acme Bearings", "Bolt & Co"]
    assert created.suppliers[0].supplier_part_number == "AC-200"
    edited = parts.update_part(
        db,
        admin,
        created.id,
        PartInput(
            part_number="V-200",
            description="Valve 1/2in",
            unit="EA",
            suppliers=(PartSupplierInput("ACME BEARINGS", "AC-201"),),
        ),
    )
    assert edited.id == created.id and edited.description == "Valve 1/2in"
    assert [(s.supplier_name, s.supplier_part_number) for s in edited.suppliers] == [
        ("Acme Bearings", "AC-201")
    ]
    assert {s.name for s in list_suppliers(db)} == {"Acme Bearings", "Bolt & Co"}
    with pytest.raises(Conflict, match="listed twice"):
        parts.update_part(
            db,
            admin,
            created.id,
            PartInput(
                part_number="V-200",
                description="Valve",
                suppliers=(PartSupplierInput("Acme Bearings"), PartSupplierInput("acme bearings")),
            ),
        )


def test_unit_cannot_change_while_stock_is_held(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    p = make_part(db, admin, "OIL-5")
    receive(db, admin, p.id, tree["A-01-01"].id, "2")
    with pytest.raises(UserError, match="unit cannot change"):
        parts.update_part(db, admin, p.id, PartInput(part_number="OIL-5", description="Oil", unit="L"))


def test_search_matches_number_description_and_manufacturer_number(db: Database, admin: Actor) -> None:
    a = make_part(db, admin, "6205-2RS", description="Ball bearing", manufacturer_part_number="SKF-6205")
    b = make_part(db, admin, "V-100", description="Solenoid valve 24V")
    c = make_part(db, admin, "B-100", description="Bearing housing", category="RAW")
    assert parts_list.search_part_ids(db, "bear") == [a.id, c.id]
    assert parts_list.search_part_ids(db, "skf") == [a.id]
    assert parts_list.search_part_ids(db, "100") == [c.id, b.id]
    assert parts_list.search_part_ids(db, "bearing housing") == [c.id]
    assert parts_list.search_part_ids(db, "50%") == []  # LIKE wildcards are taken literally
    assert parts_list.search_part_ids(db, "", sort="description") == [a.id, c.id, b.id]
    assert parts_list.search_part_ids(db, "", sort="part_number", descending=True) == [b.id, c.id, a.id]
    assert parts_list.search_part_ids(db, "", category="RAW") == [c.id]
    rows = parts_list.part_rows(db, [b.id, a.id])
    assert [r.part_number for r in rows] == ["V-100", "6205-2RS"]


def test_sort_by_on_hand(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    a, b = make_part(db, admin, "A"), make_part(db, admin, "B")
    receive(db, admin, a.id, tree["A-01-01"].id, "5")
    receive(db, admin, b.id, tree["A-01-01"].id, "2")
    assert parts_list.search_part_ids(db, "", sort="on_hand") == [b.id, a.id]
    assert [r.on_hand for r in parts_list.part_rows(db, [a.id, b.id])] == [5, 2]


def test_location_tree_rules(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    assert tree["A-01-01"].path == "PLANT/STORES/R01/A-01-01/"
    assert tree["A-01-01"].barcode == "L-A-01-01"
    with pytest.raises(UserError, match="A-Z, 0-9"):
        locations.create_location(db, admin, locations.LocationInput("A 01", "x", "BIN", parent_code="R01"))
    with pytest.raises(Conflict, match="already used"):
        locations.create_location(
            db, admin, locations.LocationInput("a-01-01", "x", "BIN", parent_code="R01")
        )
    with pytest.raises(UserError, match="cannot sit inside a bin"):
        locations.create_location(
            db, admin, locations.LocationInput("X-1", "x", "BIN", parent_code="A-01-01")
        )
    with pytest.raises(UserError, match="inside a parent"):
        locations.create_location(db, admin, locations.LocationInput("X-2", "x", "BIN"))
    ordered = [loc.code for loc in locations.list_locations(db)]
    assert ordered == ["PLANT", "STORES", "R01", "A-01-01", "A-01-02", "QA", "Q-01"]


def test_renaming_a_rack_rewrites_descendant_paths(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    locations.update_location(
        db,
        admin,
        tree["R01"].id,
        locations.LocationInput(
            "R99", "Rack 99", LocationLevel.RACK.value, LocationType.STOREROOM.value, "STORES"
        ),
    )
    bins = {loc.code: loc.path for loc in locations.list_locations(db)}
    assert bins["A-01-01"] == "PLANT/STORES/R99/A-01-01/"


def test_cannot_deactivate_a_location_holding_stock(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    p = make_part(db, admin)
    receive(db, admin, p.id, tree["A-01-01"].id, "1")
    with pytest.raises(UserError, match="still holds stock"):
        locations.update_location(
            db,
            admin,
            tree["R01"].id,
            locations.LocationInput("R01", "Rack 1", "RACK", "STOREROOM", "STORES", active=False),
        )


def test_scan_resolves_parts_locations_and_unknown_codes(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    p = make_part(
        db,
        admin,
        "6205-2RS",
        manufacturer_part_number="SKF 6205-2RSH",
        suppliers=(PartSupplierInput("Acme", "ACM-6205"),),
    )
    odd = make_part(db, admin, "M8x25/A2", description="Hex screw")
    receive(db, admin, p.id, tree["A-01-01"].id, "4")
    receive(db, admin, p.id, tree["A-01-02"].id, "1")

    by_label = scan.resolve(db, "P-6205-2RS")
    assert by_label.part is not None and by_label.part.id == p.id
    assert [(b.location_code, b.qty) for b in by_label.part.stock] == [("A-01-01", 4), ("A-01-02", 1)]
    assert scan.resolve(db, " p-6205-2rs\r").part is not None  # case and stray whitespace from wedges
    assert scan.resolve(db, "6205-2RS").part is not None
    assert scan.resolve(db, "skf 6205-2rsh").part is not None
    assert scan.resolve(db, "ACM-6205").part is not None
    assert odd.barcode == f"P--{odd.id}"
    assert scan.resolve(db, odd.barcode).part.part_number == "M8x25/A2"  # type: ignore[union-attr]

    loc = scan.resolve(db, "L-A-01-01").location
    assert loc is not None and [(c.part_number, c.qty) for c in loc.contents] == [("6205-2RS", 4)]
    rack = scan.resolve(db, "R01").location
    assert rack is not None and rack.children == 2 and len(rack.contents) == 2

    unknown = scan.resolve(db, "NOPE-42")
    assert not unknown.found and "Unknown code NOPE-42" in unknown.message


def test_big_subtrees_show_a_capped_list(db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = make_tree(db, admin)
    for n in range(3):
        receive(db, admin, make_part(db, admin, f"X-{n}").id, tree["A-01-01"].id, "1")
    monkeypatch.setattr(locations, "SHOWN_LINES", 2)
    rack = scan.resolve(db, "L-R01").location
    assert rack is not None and rack.truncated and len(rack.contents) == 2
    bin_ = scan.resolve(db, "L-A-01-02").location
    assert bin_ is not None and not bin_.truncated


def test_search_follows_edits_and_agrees_with_a_plain_substring_match(db: Database, admin: Actor) -> None:
    """Words of 3+ characters go through the trigram index (FTS5 on SQLite, kept by triggers), shorter
    ones through LIKE: both must give exactly what a plain case-insensitive substring test gives."""
    specs = [
        ("6205-2RS", "Ball bearing 25x52x15", "SKF-6205"),
        ("V-100", 'Solenoid valve 24V 1/2"', None),
        ("B-100", "Bearing housing UCP205", "NTN UCP205"),
        ("CBL-3G15", "Control cable 3G1.5 mm² PVC grey", None),
        ("GLV-L", "Nitrile gloves, size L (box of 100)", "ANSELL 92-600"),
    ]
    made = [make_part(db, admin, n, description=d, manufacturer_part_number=m) for n, d, m in specs]
    parts.update_part(
        db, admin, made[1].id, PartInput(part_number="V-200", description="Pneumatic valve 5/2", unit="EA")
    )
    texts = {p.id: f"{n} {d} {m or ''}".upper() for p, (n, d, m) in zip(made, specs, strict=True)}
    texts[made[1].id] = "V-200 PNEUMATIC VALVE 5/2"
    for query in [
        "bear", "BEARING 205", "valve", "solenoid", "v-1", "v-2", "2", "g1.5 mm²", "(box", "1/2\"",
        "a", "ucp", "ansell 92", "x52x", "5/2", "cable 3g pvc", "zz", "50%", "bea ing", '"', "pneu 5/",
    ]:  # fmt: skip
        expected = [i for i, t in texts.items() if all(w.upper() in t for w in query.split())]
        order = {p.id: n for n, p in enumerate(sorted(made, key=lambda p: texts[p.id].split()[0]))}
        assert parts_list.search_part_ids(db, query) == sorted(expected, key=order.__getitem__), query
