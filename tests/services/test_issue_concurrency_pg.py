"""Keepers at several PCs issuing a part's last free units at the same moment (one move at a time or
as batches), on a real PostgreSQL server, while technicians reserve it: the Issue rule's part-row lock
lets exactly the free quantity go, everyone else hears whose reservations are left, and no unit is both
reserved and issued."""

from __future__ import annotations

import multiprocessing as mp
from decimal import Decimal

import pytest

from desktop.db import Database
from desktop.errors import InsufficientStock, ReservedStock
from desktop.models.enums import MoveKind, Role
from desktop.services import mro
from desktop.services.admin.users import ensure_user
from desktop.services.mro import ReservationInput
from desktop.services.stock import issue as stock_issue
from desktop.services.stock import moves as stock
from desktop.services.stock.batch import post_many
from desktop.services.stock.moves import MoveRequest
from tests.factories import make_part, make_tree, receive
from tests.processes import run_at_once, wait_for

pytestmark = pytest.mark.postgres


def _worker(
    url: str,
    user: str,
    part_id: int,
    bin_id: int,
    does: str,  # "issue", "batch" (a one-move post_many) or "reserve"
    tries: int,
    start: float,
    out: mp.Queue,  # type: ignore[type-arg]
) -> None:
    database = Database(url)
    actor = ensure_user(database, user, role=Role.KEEPER)
    ok = refused = 0
    messages: set[str] = set()
    wait_for(start)
    for n in range(tries):
        try:
            req = MoveRequest(MoveKind.ISSUE, part_id, Decimal(1), bin_id, reference=f"CC-{user}")
            if does == "reserve":
                mro.reserve(database, actor, ReservationInput(part_id, Decimal(1), f"WO-{user}-{n}"))
            elif does == "batch":
                post_many(database, actor, [req])
            else:
                stock_issue.issue(database, actor, req)
            ok += 1
        except (ReservedStock, InsufficientStock) as exc:
            refused += 1
            messages.add(str(exc).removeprefix("Move 1 of 1: ").split(":")[0])  # a batch numbers its moves
    database.dispose()
    out.put((does, ok, refused, sorted(messages)))


def _run(
    pg_db: Database, part_id: int, bin_id: int, kinds: list[str], tries: int
) -> list[tuple[str, int, int, list[str]]]:
    return run_at_once(
        _worker, [(pg_db.url, f"pc{n}", part_id, bin_id, does, tries) for n, does in enumerate(kinds)]
    )


@pytest.mark.parametrize(("procs", "tries", "units", "reserved"), [(2, 1, 2, 1), (4, 10, 25, 10)])
def test_issuing_the_last_free_units_at_once(
    pg_db: Database, procs: int, tries: int, units: int, reserved: int
) -> None:
    admin = ensure_user(pg_db, "admin")
    tree = make_tree(pg_db, admin)
    part = make_part(pg_db, admin)
    bin_id = tree["A-01-01"].id
    receive(pg_db, admin, part.id, bin_id, str(units))
    mro.reserve(pg_db, admin, ReservationInput(part.id, Decimal(reserved), "WO-OTHER"))
    results = _run(pg_db, part.id, bin_id, ["issue", "batch"] * (procs // 2), tries)
    assert sum(r[1] for r in results) == units - reserved  # exactly the free units went
    assert sum(r[2] for r in results) == procs * tries - (units - reserved)
    assert stock.balance(pg_db, part.id, bin_id) == reserved  # WO-OTHER's units are all still there
    assert {m for r in results for m in r[3]} == {"Only 0 EA of 6205-2RS are free"}
    assert [(r.work_order, r.open_qty) for r in mro.reservations(pg_db, part_id=part.id)] == [
        ("WO-OTHER", reserved)
    ]


def test_issuing_and_reserving_at_once_never_promises_a_unit_twice(pg_db: Database) -> None:
    admin = ensure_user(pg_db, "admin")
    tree = make_tree(pg_db, admin)
    part = make_part(pg_db, admin)
    bin_id = tree["A-01-01"].id
    receive(pg_db, admin, part.id, bin_id, "30")
    results = _run(pg_db, part.id, bin_id, ["issue", "reserve", "batch", "reserve"], 10)  # 40 tries, 30 units
    issued = sum(r[1] for r in results if r[0] != "reserve")
    held = sum(r.open_qty for r in mro.reservations(pg_db, part_id=part.id))
    assert issued + held == 30 and sum(r[2] for r in results) == 10
    assert stock.balance(pg_db, part.id, bin_id) == 30 - issued >= held  # every reservation is on the shelf
