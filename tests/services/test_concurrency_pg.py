"""Several processes issue the same part from the same bin at once, on a real PostgreSQL server."""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from desktop.db import Database
from desktop.errors import InsufficientStock
from desktop.models.enums import MoveKind
from desktop.services.actor import Actor
from desktop.services.admin.users import ensure_user
from desktop.services.stock import balance_check
from desktop.services.stock import moves as stock
from desktop.services.stock.batch import post_many
from desktop.services.stock.moves import MoveRequest, post_move
from tests.factories import make_part, make_tree, receive
from tests.processes import run_at_once, wait_for

pytestmark = pytest.mark.postgres


def _worker(
    url: str,
    user: str,
    part_id: int,
    loc_id: int,
    tries: int,
    start: float,
    out: mp.Queue[tuple[int, int, list[str]]],
) -> None:
    database = Database(url)
    actor = ensure_user(database, user)
    ok = refused = 0
    messages: set[str] = set()
    wait_for(start)
    for _ in range(tries):
        try:
            post_move(
                database, actor, MoveRequest(MoveKind.ISSUE, part_id, Decimal(1), from_location_id=loc_id)
            )
            ok += 1
        except InsufficientStock as exc:
            refused += 1
            messages.add(str(exc))
    database.dispose()
    out.put((ok, refused, sorted(messages)))


def test_eight_processes_issue_the_same_bin(pg_db: Database) -> None:
    admin = ensure_user(pg_db, "admin")
    tree = make_tree(pg_db, admin)
    part = make_part(pg_db, admin)
    bin_id = tree["A-01-01"].id
    receive(pg_db, admin, part.id, bin_id, "300")
    procs, tries = 8, 50  # 400 attempts on 300 units: 100 must be refused
    results = run_at_once(_worker, [(pg_db.url, f"keeper{n}", part.id, bin_id, tries) for n in range(procs)])
    issued = sum(r[0] for r in results)
    refused = sum(r[1] for r in results)
    assert issued == 300 and refused == 100
    assert stock.balance(pg_db, part.id, bin_id) == 0
    assert balance_check.check_balances(pg_db, Actor(admin.user_id, "admin", "admin", admin.role)) == []
    messages = {m for r in results for m in r[2]}
    assert messages and all(m.startswith("Only 0 EA of 6205-2RS left in A-01-01") for m in messages)


def test_batches_and_single_issues_racing_for_one_bin_never_oversell(pg_db: Database) -> None:
    """Batches lock their balance rows before checking them, so a single issue cannot slip in between."""
    admin = ensure_user(pg_db, "admin")
    tree = make_tree(pg_db, admin)
    part = make_part(pg_db, admin)
    a, b = tree["A-01-01"].id, tree["A-01-02"].id
    receive(pg_db, admin, part.id, a, "150")
    receive(pg_db, admin, part.id, b, "150")
    one = MoveRequest(MoveKind.ISSUE, part.id, Decimal(1), from_location_id=a)
    batch = [
        MoveRequest(MoveKind.ISSUE, part.id, Decimal(1), from_location_id=b),
        MoveRequest(MoveKind.TRANSFER, part.id, Decimal(1), from_location_id=a, to_location_id=b),
        *[MoveRequest(MoveKind.ISSUE, part.id, Decimal(1), from_location_id=loc) for loc in (a, b) * 4],
    ]  # takes 10 units: 5 from a, 5 from b, and moves 1 from a to b

    def batches() -> int:
        posted = 0
        for _ in range(20):
            with contextlib.suppress(InsufficientStock):
                posted += len(post_many(pg_db, admin, batch).move_ids)
        return posted

    def singles() -> int:
        posted = 0
        for _ in range(60):
            with contextlib.suppress(InsufficientStock):
                posted += post_move(pg_db, admin, one).move.qty == 1
        return posted

    with ThreadPoolExecutor(6) as pool:
        runs = [pool.submit(batches) for _ in range(3)] + [pool.submit(singles) for _ in range(3)]
        moves = [r.result(timeout=120) for r in runs]
    batch_moves, single_moves = sum(moves[:3]), sum(moves[3:])
    issued = batch_moves // 10 * 9 + single_moves  # each batch issues 9 and transfers 1
    assert batch_moves % 10 == 0 and issued <= 300
    assert stock.balance(pg_db, part.id, a) < 5  # 480 units asked of A-01-01: it ran (nearly) dry
    assert stock.balance(pg_db, part.id, a) + stock.balance(pg_db, part.id, b) == 300 - issued
    assert stock.balance(pg_db, part.id, a) >= 0 and stock.balance(pg_db, part.id, b) >= 0
    assert balance_check.check_balances(pg_db, Actor(admin.user_id, "admin", "admin", admin.role)) == []


def test_a_count_started_during_an_unfinished_move_rolls_that_move_forward(pg_db: Database) -> None:
    """A move numbered before another but committed after it: the count's snapshot (last move id and
    the book) must not miss it, or approval would post a false variance."""
    from sqlalchemy.orm import Session

    from desktop.services.counts import approval as count_approval
    from desktop.services.counts import sessions as counts

    admin = ensure_user(pg_db, "admin")
    tree = make_tree(pg_db, admin)
    bolt = make_part(pg_db, admin, "BOLT")
    nut = make_part(pg_db, admin, "NUT")
    a, b = tree["A-01-01"].id, tree["A-01-02"].id
    receive(pg_db, admin, bolt.id, a, "10")
    receive(pg_db, admin, nut.id, b, "10")
    with Session(pg_db.engine) as slow, ThreadPoolExecutor(1) as pool:
        # move N: 3 bolts out of A-01-01, not yet committed
        stock.post_in(slow, admin, MoveRequest(MoveKind.ISSUE, bolt.id, Decimal(3), from_location_id=a))
        # move N+1, committed first
        post_move(pg_db, admin, MoveRequest(MoveKind.ISSUE, nut.id, Decimal(1), from_location_id=b))
        started = pool.submit(counts.start_session, pg_db, admin, "Rack 1", [tree["R01"].id])
        time.sleep(0.5)
        assert not started.done()  # the count waits for the move in flight
        slow.commit()
        session_id = started.result(timeout=10)
    assert counts.enter_count(pg_db, admin, session_id, "A-01-01", "BOLT", Decimal(7)).variance == 0
    assert counts.enter_count(pg_db, admin, session_id, "A-01-02", "NUT", Decimal(9)).variance == 0
    assert count_approval.approve(pg_db, admin, session_id) == 0  # nothing to adjust: the book was right
    assert stock.balance(pg_db, bolt.id, a) == 7 and stock.balance(pg_db, nut.id, b) == 9
