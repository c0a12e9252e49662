"""Technicians reserving the last units of a spare at the same moment, on a real PostgreSQL server:
the part-row lock makes exactly the available quantity succeed and everyone else hear "only N"."""

from __future__ import annotations

import multiprocessing as mp
from decimal import Decimal

import pytest

from desktop.db import Database
from desktop.errors import InsufficientStock
from desktop.models.enums import Role
from desktop.services import mro
from desktop.services.admin.users import ensure_user
from desktop.services.mro import ReservationInput
from tests.factories import make_part, make_tree, receive
from tests.processes import run_at_once, wait_for

pytestmark = pytest.mark.postgres


def _worker(url: str, user: str, part_id: int, tries: int, start: float, out: mp.Queue) -> None:  # type: ignore[type-arg]
    database = Database(url)
    actor = ensure_user(database, user, role=Role.MAINTENANCE)
    ok = refused = 0
    messages: set[str] = set()
    wait_for(start)
    for n in range(tries):
        try:
            mro.reserve(database, actor, ReservationInput(part_id, Decimal(1), f"WO-{user}-{n}"))
            ok += 1
        except InsufficientStock as exc:
            refused += 1
            messages.add(str(exc))
    database.dispose()
    out.put((ok, refused, sorted(messages)))


@pytest.mark.parametrize(("procs", "tries", "units"), [(2, 1, 1), (4, 10, 25)])
def test_reserving_the_last_units_at_once(pg_db: Database, procs: int, tries: int, units: int) -> None:
    admin = ensure_user(pg_db, "admin")
    tree = make_tree(pg_db, admin)
    part = make_part(pg_db, admin)
    receive(pg_db, admin, part.id, tree["A-01-01"].id, str(units))
    results = run_at_once(_worker, [(pg_db.url, f"tech{n}", part.id, tries) for n in range(procs)])
    assert sum(r[0] for r in results) == units
    assert sum(r[1] for r in results) == procs * tries - units
    held = mro.reservations(pg_db, part_id=part.id)
    assert len(held) == units and sum(r.qty for r in held) == units
    messages = {m for r in results for m in r[2]}
    assert messages == {"Only 0 EA of 6205-2RS available (on hand minus reserved): cannot reserve 1."}
