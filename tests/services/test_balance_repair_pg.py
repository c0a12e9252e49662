"""`check-balances` with other PCs posting at the same time, on a real PostgreSQL server.

A check must not report drifts that are only moves half-seen; a repair must never erase a move that
commits while it runs (it used to write back totals read before that move: 55 -> 50)."""

from __future__ import annotations

import multiprocessing as mp
import random
import threading
import time
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import InsufficientStock
from desktop.models.enums import MoveKind
from desktop.services.admin.users import ensure_user
from desktop.services.stock import balance_check
from desktop.services.stock import moves as stock
from desktop.services.stock.moves import MoveRequest, post_in, post_move
from tests.factories import make_part, make_tree, receive

pytestmark = pytest.mark.postgres


def _wait_for_a_lock_wait(db: Database, timeout: float = 20.0) -> None:
    """Until another session of this database waits on a lock (the repair has reached its lock)."""
    deadline = time.monotonic() + timeout
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    while time.monotonic() < deadline:
        with db.engine.connect() as conn:
            if conn.execute(query).scalar_one():
                return
        time.sleep(0.02)
    raise AssertionError("the repair never waited for the open receipt")


def test_a_repair_keeps_a_receipt_committed_while_it_runs(pg_db: Database) -> None:
    admin = ensure_user(pg_db, "admin")
    tree = make_tree(pg_db, admin)
    part = make_part(pg_db, admin)
    bin_id = tree["A-01-01"].id
    receive(pg_db, admin, part.id, bin_id, "50")
    with pg_db.engine.begin() as conn:  # a real drift for the repair to fix: 49 booked, 50 in the ledger
        conn.execute(text("UPDATE stock_balance SET qty = 49 WHERE part_id = :p"), {"p": part.id})

    other_pc = Session(pg_db.engine)  # another keeper's receipt of 5, posted but not yet committed
    post_in(other_pc, admin, MoveRequest(MoveKind.RECEIPT, part.id, Decimal(5), to_location_id=bin_id))
    found: list[list[balance_check.Drift]] = []
    repair = threading.Thread(
        target=lambda: found.append(balance_check.check_balances(pg_db, admin, repair=True))
    )
    repair.start()
    try:
        _wait_for_a_lock_wait(pg_db)
    finally:
        other_pc.commit()  # the receipt commits while the repair is under way
        other_pc.close()
    repair.join(timeout=30)
    assert not repair.is_alive()
    assert found == [[balance_check.Drift(part.id, bin_id, Decimal(54), Decimal(55))]]
    assert stock.balance(pg_db, part.id, bin_id) == 55  # 49 + the drift of 1 + the receipt of 5
    assert balance_check.check_balances(pg_db, admin) == []


def _writer(
    url: str,
    user: str,
    part_ids: list[int],
    bins: list[int],
    seconds: float,
    out: mp.Queue[tuple[list[int], int]],
) -> None:
    """Receipts, issues and transfers at random until time is up; reports each acknowledged move id."""
    database = Database(url)
    actor = ensure_user(database, user)
    rng = random.Random(user)
    acked: list[int] = []
    refused = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        part, a, b = rng.choice(part_ids), rng.choice(bins), rng.choice(bins)
        qty = Decimal(rng.randint(1, 5))
        kind = rng.choice([MoveKind.RECEIPT, MoveKind.ISSUE, MoveKind.TRANSFER])
        req = {
            MoveKind.RECEIPT: MoveRequest(kind, part, qty, to_location_id=a),
            MoveKind.ISSUE: MoveRequest(kind, part, qty, from_location_id=a),
            MoveKind.TRANSFER: MoveRequest(kind, part, qty, from_location_id=a, to_location_id=b),
        }[kind]
        if kind is MoveKind.TRANSFER and a == b:
            continue
        try:
            acked.append(post_move(database, actor, req).move.id)
        except InsufficientStock:
            refused += 1
    database.dispose()
    out.put((acked, refused))


def test_checks_and_repairs_under_load_see_no_false_drift_and_lose_no_move(pg_db: Database) -> None:
    """Four processes post for a few seconds while the admin checks, and repairs drifts made on purpose."""
    admin = ensure_user(pg_db, "admin")
    tree = make_tree(pg_db, admin)
    part_ids = [make_part(pg_db, admin, number=f"RACE-{n}").id for n in range(3)]
    bins = [tree[c].id for c in ("A-01-01", "A-01-02")]
    for p in part_ids:
        for b in bins:
            receive(pg_db, admin, p, b, "40")
    ctx = mp.get_context("spawn")
    out: mp.Queue[tuple[list[int], int]] = ctx.Queue()
    writers = [
        ctx.Process(target=_writer, args=(pg_db.url, f"keeper{n}", part_ids, bins, 6.0, out))
        for n in range(4)
    ]
    for w in writers:
        w.start()
    false_drifts: list[balance_check.Drift] = []
    injected = checks = 0
    rng = random.Random(19)
    while any(w.is_alive() for w in writers):
        checks += 1
        false_drifts += balance_check.check_balances(pg_db, admin)  # nothing is wrong: any drift is false
        p, b = rng.choice(part_ids), rng.choice(bins)
        with pg_db.engine.begin() as conn:  # a drift of +1 on purpose, then repair it while others post
            conn.execute(
                text("UPDATE stock_balance SET qty = qty + 1 WHERE part_id = :p AND location_id = :l"),
                {"p": p, "l": b},
            )
        injected += 1
        balance_check.check_balances(pg_db, admin, repair=True)
    results = [out.get(timeout=60) for _ in writers]
    for w in writers:
        w.join(timeout=30)
        assert w.exitcode == 0
    acked = [m for r in results for m in r[0]]
    assert len(acked) > 200 and injected > 10 and checks > 10  # the race really ran
    assert false_drifts == []
    assert balance_check.check_balances(pg_db, admin) == []  # every balance equals its ledger
    with pg_db.engine.connect() as conn:
        stored = set(conn.execute(text("SELECT id FROM stock_move")).scalars())
    assert set(acked) <= stored  # no acknowledged move lost
    for p in part_ids:
        for b in bins:
            assert stock.balance(pg_db, p, b) >= 0
    refused = sum(r[1] for r in results)
    print(
        f"4 writers: {len(acked)} moves acknowledged, {refused} refused (short), {checks} checks, "
        f"{injected} drifts injected and repaired, {len(set(acked) - stored)} acknowledged moves lost"
    )


def test_a_repair_needs_no_more_than_insert_on_the_ledger(pg_db: Database) -> None:
    """Clients may run under a role that can only add to the ledger: the repair must not need more."""
    import uuid

    from sqlalchemy import make_url

    admin = ensure_user(pg_db, "admin")
    tree = make_tree(pg_db, admin)
    part = make_part(pg_db, admin)
    bin_id = tree["A-01-01"].id
    receive(pg_db, admin, part.id, bin_id, "20")
    role = f"storeroom_repair_test_{uuid.uuid4().hex[:8]}"
    with pg_db.engine.begin() as conn:
        conn.execute(text("UPDATE stock_balance SET qty = 17"))
        conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD 'rt-secret'"))
        conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"))
        conn.execute(text(f"GRANT INSERT ON stock_move TO {role}"))
        conn.execute(text(f"GRANT INSERT, UPDATE ON stock_balance TO {role}"))
        conn.execute(text(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}"))
    url = make_url(pg_db.url).set(username=role, password="rt-secret")
    runtime = Database(url.render_as_string(hide_password=False))
    try:
        assert balance_check.check_balances(runtime, admin, repair=True) == [
            balance_check.Drift(part.id, bin_id, Decimal(17), Decimal(20))
        ]
        assert stock.balance(runtime, part.id, bin_id) == 20
        assert balance_check.check_balances(runtime, admin) == []
    finally:
        runtime.dispose()
        with pg_db.engine.begin() as conn:
            conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}"))
            conn.execute(text(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {role}"))
            conn.execute(text(f"DROP ROLE {role}"))
