"""Count entry takes a typed code as it is (issue 17, defect 8): with parts `100` and `P-100` in one bin,
`P-100` is part P-100; only a code no part has loses its label prefix."""

from __future__ import annotations

from decimal import Decimal

import pytest

from desktop.db import Database
from desktop.models import Location, Part
from desktop.services.actor import Actor
from desktop.services.counts import abc as count_abc
from desktop.services.counts import sessions as counts
from tests.factories import make_part, make_tree, receive
from tests.test_cli import run


def test_an_exact_part_number_wins_over_a_label_prefix(db: Database, admin: Actor) -> None:
    tree = make_tree(db, admin)
    bin_id = tree["A-01-01"].id
    plain = make_part(db, admin, "100")
    prefixed = make_part(db, admin, "P-100")
    receive(db, admin, plain.id, bin_id, "5")
    receive(db, admin, prefixed.id, bin_id, "7")
    sid = counts.start_session(db, admin, "bin", [bin_id])
    assert counts.enter_count(db, admin, sid, "A-01-01", "P-100", Decimal(7)).part_number == "P-100"
    assert counts.enter_count(db, admin, sid, "L-A-01-01", "100", Decimal(5)).part_number == "100"
    assert (
        counts.enter_count(db, admin, sid, "A-01-01", "P-P-100", Decimal(7)).part_number == "P-100"
    )  # label
    lines = {x.part_number: x.counted_qty for x in counts.session(db, sid, for_counter=False).lines}
    assert lines == {"100": 5, "P-100": 7}
    assert count_abc.set_override(db, admin, "P-100", "A") == "A"
    overrides = db.read(lambda s: {p.part_number: p.abc_override for p in s.query(Part)})
    assert overrides == {"100": None, "P-100": "A"}


def test_counts_enter_on_the_command_line(home: object, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "demo", "--parts", "12")[0] == 0
    from desktop import db as dbmod
    from desktop.config import database_url
    from desktop.services.admin.users import ensure_user

    database = dbmod.Database(database_url())
    admin = ensure_user(database, "clerk")
    loc = database.read(lambda s: s.query(Location).filter(Location.code == "A-01-01").one().id)
    for number, qty in (("100", "5"), ("P-100", "7")):
        part = make_part(database, admin, number)
        receive(database, admin, part.id, loc, qty)
    database.dispose()
    code, out, err = run(capsys, "counts", "start", "A-01-01")
    assert code == 0, err
    sid = out.split("#")[1].split(":")[0].split()[0]
    code, out, err = run(capsys, "counts", "enter", sid, "A-01-01", "P-100", "7")
    assert code == 0 and out.startswith("P-100 in A-01-01: counted"), err
