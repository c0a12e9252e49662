"""Costs of the access and audit safeguards (issue 19): an audited write (its line joins the hash chain
at commit, under a lock on PostgreSQL), with 1 and 8 writers; `audit verify` over many rows; a sign-in
(scrypt + the lock-out guard rows); a keeper's adjustment (the value limit read once per transaction).

    python -m bench.bench_access [--pg URL] [--rows 100000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from functools import partial
from pathlib import Path

from sqlalchemy import text

from desktop import schema
from desktop.db import Database
from desktop.models.enums import MoveKind, Role
from desktop.services.admin import audit, users
from desktop.services.admin.audit import record
from desktop.services.admin.audit_chain import GENESIS, row_hash
from desktop.services.catalogue.locations import LocationInput, create_location
from desktop.services.catalogue.parts import PartInput, create_part
from desktop.services.stock.moves import MoveRequest, post_move


def _per_op_ms(fn: Callable[[], object], n: int) -> tuple[float, float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def _writers(db: Database, user_id: int, threads: int, each: int) -> float:
    """Audited writes per second with `threads` writers at once."""
    start = threading.Barrier(threads + 1)

    def work(n: int) -> None:
        start.wait()
        for i in range(each):
            db.write(
                partial(
                    record,
                    user_id=user_id,
                    action="bench.write",
                    entity="bench",
                    entity_id=i,
                    summary=f"writer {n} line {i}",
                )
            )

    pool = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    start.wait()
    t0 = time.perf_counter()
    for t in pool:
        t.join()
    return threads * each / (time.perf_counter() - t0)


def _fill(db: Database, user_id: int, rows: int) -> None:
    """`rows` chained audit lines written in bulk (as years of use would leave them)."""
    with db.engine.begin() as conn:
        at = conn.execute(text("SELECT CURRENT_TIMESTAMP")).scalar_one()
        at = _as_datetime(at)
        prev = (
            conn.execute(text("SELECT row_hash FROM audit_event ORDER BY id DESC LIMIT 1")).scalar()
            or GENESIS
        )
        batch = []
        for n in range(rows):
            summary = f"part PN-{n:06d} edited: description, unit cost"
            digest = row_hash(prev, at, user_id, "part.update", "part", n, summary)
            batch.append({"a": at, "u": user_id, "e": n, "s": summary, "p": prev, "r": digest})
            prev = digest
        conn.execute(
            text(
                "INSERT INTO audit_event "
                "(at, user_id, action, entity, entity_id, summary, prev_hash, row_hash) "
                "VALUES (:a, :u, 'part.update', 'part', :e, :s, :p, :r)"
            ),
            batch,
        )


def _as_datetime(value: object) -> datetime:
    if isinstance(value, str):  # SQLite's CURRENT_TIMESTAMP is text
        return datetime.fromisoformat(value)
    assert isinstance(value, datetime), value
    return value


def run(db: Database, label: str, rows: int) -> None:
    admin = users.create_first_admin(db, "ada", "Ada", "9876")
    users.save_user(
        db, admin, user_id=None, user_name="kim", display_name="Kim", role=Role.KEEPER, secret="1111"
    )
    keeper = users.authenticate(db, "kim", "1111", pc="BENCH")
    med, p95 = _per_op_ms(lambda: users.authenticate(db, "kim", "1111", pc="BENCH"), 30)
    print(f"{label}: sign-in (PIN, guard, audit line): median {med:.1f} ms, p95 {p95:.1f} ms")
    med, p95 = _per_op_ms(
        lambda: db.write(lambda s: record(s, admin.user_id, "bench.write", "bench", None, "one line")), 300
    )
    print(f"{label}: one audited write (chain append at commit): median {med:.2f} ms, p95 {p95:.2f} ms")
    for threads in (1, 8):
        rate = _writers(db, admin.user_id, threads, 200 // threads * 2)
        print(f"{label}: {threads} writer(s): {rate:,.0f} audited writes/s")
    site = create_location(db, admin, LocationInput("BENCH", "Bench", "SITE", "STOREROOM", None, 0))
    part = create_part(
        db,
        admin,
        PartInput(part_number="BENCH-1", description="x", unit="EA", category="MRO", unit_cost=Decimal(2)),
    )
    req = MoveRequest(MoveKind.ADJUSTMENT, part.id, Decimal(1), None, site.id, reason="bench")
    med, p95 = _per_op_ms(lambda: post_move(db, keeper, req), 200)
    print(f"{label}: a keeper's adjustment (value limit checked): median {med:.2f} ms, p95 {p95:.2f} ms")
    receipt = MoveRequest(MoveKind.RECEIPT, part.id, Decimal(1), None, site.id)
    med, p95 = _per_op_ms(lambda: post_move(db, keeper, receipt), 200)
    print(f"{label}: a keeper's receipt (no limit to check): median {med:.2f} ms, p95 {p95:.2f} ms")
    _fill(db, admin.user_id, rows)
    start = time.perf_counter()
    report = audit.verify(db, admin)
    elapsed = time.perf_counter() - start
    assert report.intact, report
    print(
        f"{label}: audit verify over {report.rows:,} rows: {elapsed:.2f} s "
        f"({report.rows / elapsed:,.0f} rows/s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", help="PostgreSQL URL of an empty database")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(str(Path(tmp) / "bench.sqlite3"))
        schema.upgrade(db, backup=False)
        run(db, "SQLite", args.rows)
        db.dispose()
    if args.pg:
        db = Database(args.pg)
        schema.upgrade(db, backup=False)
        run(db, "PostgreSQL", args.rows)
        db.dispose()


if __name__ == "__main__":
    main()
