from __future__ import annotations

import pytest

from desktop.db import Database
from desktop.errors import NotFound, UserError
from desktop.services.actor import Actor
from desktop.services.catalogue import labels
from tests.factories import make_part, make_tree, receive


def test_bin_labels_for_a_subtree_carry_path_and_stored_part(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    bearing = make_part(db, admin, "6205-2RS")
    seal = make_part(db, admin, "SEAL-1", description="Shaft seal")
    receive(db, admin, bearing.id, tree["A-01-01"].id, "2")
    receive(db, admin, seal.id, tree["A-01-01"].id, "9")  # most stock: the part normally stored there
    got = labels.bin_labels(db, [tree["R01"].id], subtree=True)
    assert [(lb.code, lb.barcode, lb.path) for lb in got] == [
        ("R01", "L-R01", "PLANT > STORES"),
        ("A-01-01", "L-A-01-01", "PLANT > STORES > R01"),
        ("A-01-02", "L-A-01-02", "PLANT > STORES > R01"),
    ]
    assert (got[1].part_number, got[1].part_description) == ("SEAL-1", "Shaft seal")
    assert got[2].part_number is None
    only = labels.bin_labels(db, [tree["A-01-01"].id], with_part=False)
    assert [lb.code for lb in only] == ["A-01-01"] and only[0].part_number is None


def test_part_labels_in_selection_order(db: Database, admin: Actor) -> None:
    a = make_part(db, admin, "B-2", min_qty=None)
    from decimal import Decimal

    b = make_part(db, admin, "M8x25/A2", description="Hex screw", min_qty=Decimal(5), max_qty=Decimal(50))
    got = labels.part_labels(db, [b.id, a.id])
    assert [(lb.part_number, lb.barcode, lb.min_qty, lb.max_qty) for lb in got] == [
        ("M8x25/A2", f"P--{b.id}", "5", "50"),
        ("B-2", "P-B-2", None, None),
    ]


def test_label_selection_errors(db: Database, admin: Actor) -> None:
    with pytest.raises(UserError, match="at least one location"):
        labels.bin_labels(db, [])
    with pytest.raises(UserError, match="at least one part"):
        labels.part_labels(db, [])
    with pytest.raises(NotFound):
        labels.bin_labels(db, [999])
    with pytest.raises(NotFound):
        labels.part_labels(db, [999])
