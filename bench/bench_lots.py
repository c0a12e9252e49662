"""Lots at scale (issue 23): the trace of a lot with 1,000 moves, the expiry report over many lots, an
`LT-` scan, and an issue whose lot is proposed first-expired-first-out out of a bin holding 50 lots.

    python -m bench.bench_lots [--lots 50000] [--pg postgresql://user:pw@host/postgres]

A fresh SQLite file in a temporary folder, or (--pg) a fresh PostgreSQL database made through that
server (the user must be allowed to CREATE DATABASE; it is dropped at the end). The lots of the expiry
report are written straight into `lot` and `lot_balance` (the report reads only those); everything else
goes through the services.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, insert, make_url, text

from desktop import db as dbmod
from desktop import schema
from desktop.db import Database
from desktop.models import Lot, LotBalance, Part
from desktop.models.enums import LocationLevel, LocationType, MoveKind, Role
from desktop.services import lots
from desktop.services.admin.users import ensure_user
from desktop.services.catalogue import scan
from desktop.services.catalogue.locations import LocationInput, create_location
from desktop.services.catalogue.parts import PartInput, create_part
from desktop.services.lots import LotReceipt, TrackingInput
from desktop.services.stock import issue as stock_issue
from desktop.services.stock import moves as stock
from desktop.services.stock.moves import MoveRequest


def _times(fn: Callable[[], object], n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return sorted(out)


def _p95(ms: list[float]) -> float:
    return ms[min(len(ms) - 1, int(len(ms) * 0.95))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lots", type=int, default=50_000)
    parser.add_argument("--pg", help="a PostgreSQL server's URL (any database): measure there")
    args = parser.parse_args()
    db = _fresh_pg(args.pg) if args.pg else Database(str(Path(tempfile.mkdtemp()) / "lots.sqlite3"))
    try:
        schema.upgrade(db, backup=False)
        _measure(db, args.lots)
    finally:
        db.dispose()
        if args.pg:
            _drop_pg(args.pg)


_PG_NAME = "storeroom_bench_lots"


def _fresh_pg(url: str) -> Database:
    _drop_pg(url)
    with create_engine(dbmod.normalize_url(url), isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{_PG_NAME}"'))
    return Database(make_url(url).set(database=_PG_NAME).render_as_string(hide_password=False))


def _drop_pg(url: str) -> None:
    with create_engine(dbmod.normalize_url(url), isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{_PG_NAME}" WITH (FORCE)'))


def _measure(db: Database, lot_count: int) -> None:
    admin = ensure_user(db, "bench", role=Role.ADMIN)
    site = create_location(
        db, admin, LocationInput("S", "Site", LocationLevel.SITE.value, LocationType.STOREROOM.value)
    )
    bins = [
        create_location(
            db,
            admin,
            LocationInput(
                f"B-{n}", f"Bin {n}", LocationLevel.BIN.value, LocationType.STOREROOM.value, "S", n
            ),
        ).id
        for n in range(2)
    ]
    assert site is not None
    grease = create_part(db, admin, PartInput("GREASE-EP2", "Grease"))
    lots.set_tracking(db, admin, grease.id, TrackingInput("LOT", 365))
    today = date.today()
    lot = lots.receive(db, admin, LotReceipt(grease.id, bins[0], Decimal(1000), "TRACE-1")).lots[0]
    for n in range(999):  # 1,000 moves of one lot: the receipt and 999 transfers back and forth
        src, dst = (bins[0], bins[1]) if n % 2 == 0 else (bins[1], bins[0])
        stock.post_move(
            db, admin, MoveRequest(MoveKind.TRANSFER, grease.id, Decimal(1), src, dst, lot_id=lot.id)
        )
    trace_ms = _times(lambda: lots.trace(db, "TRACE-1"), 20)
    assert len(lots.trace(db, "TRACE-1").moves) == 1000

    # many lots over many tracked parts, for the expiry report and the scans
    parts = [create_part(db, admin, PartInput(f"LOT-PART-{n}", "Tracked part")).id for n in range(200)]
    rng = random.Random(23)

    def fill(s):  # type: ignore[no-untyped-def]
        s.execute(Part.__table__.update().where(Part.id.in_(parts)).values(tracking="LOT"))
        rows = [
            {
                "part_id": parts[n % len(parts)],
                "lot_number": f"L{n:07d}",
                "lot_key": f"L{n:07d}",
                "expires_on": today + timedelta(days=rng.randint(-30, 1000)),
            }
            for n in range(lot_count)
        ]
        ids = s.scalars(insert(Lot).returning(Lot.id, sort_by_parameter_order=True), rows).all()
        s.execute(
            insert(LotBalance),
            [
                {"part_id": r["part_id"], "location_id": bins[0], "lot_id": i, "qty": 5}
                for r, i in zip(rows, ids, strict=True)
            ],
        )
        return ids

    ids = db.write(fill)
    expiry_ms = _times(lambda: lots.expiring(db, 30), 5)
    found = len(lots.expiring(db, 30))
    scan_ms = _times(lambda: scan.resolve(db, f"LT-{rng.choice(ids)}"), 300)
    # the same machine's yardstick, measured alongside: a part label's scan as it was before lots
    part_scan_ms = _times(lambda: scan.resolve(db, f"P-LOT-PART-{rng.randrange(200)}"), 300)

    # an issue proposing its lot out of a bin holding 50 lots of the part
    oil = create_part(db, admin, PartInput("OIL-1", "Oil"))
    lots.set_tracking(db, admin, oil.id, TrackingInput("LOT"))
    for n in range(50):
        lots.receive(
            db, admin, LotReceipt(oil.id, bins[1], Decimal(20), f"OIL-{n}", today + timedelta(days=10 + n))
        )
    issue_ms = _times(
        lambda: stock_issue.issue(db, admin, MoveRequest(MoveKind.ISSUE, oil.id, Decimal(1), bins[1])), 200
    )
    # the same machine's yardstick: an issue of a part that needs no lots, from the same bin
    plain = create_part(db, admin, PartInput("PLAIN-1", "Untracked"))
    stock.post_move(db, admin, MoveRequest(MoveKind.RECEIPT, plain.id, Decimal(1000), None, bins[1]))
    plain_ms = _times(
        lambda: stock_issue.issue(db, admin, MoveRequest(MoveKind.ISSUE, plain.id, Decimal(1), bins[1])), 200
    )
    rows = [
        ("trace of a lot with 1,000 moves", trace_ms),
        (f"expiry report over {lot_count:,} lots ({found:,} listed)", expiry_ms),
        ("scan of an LT- lot label", scan_ms),
        ("scan of a P- part label (yardstick)", part_scan_ms),
        ("issue, lot proposed out of 50 (FEFO)", issue_ms),
        ("issue of an untracked part (yardstick)", plain_ms),
    ]
    print("| figure | median ms | p95 ms |\n|---|---|---|")
    for name, ms in rows:
        print(f"| {name} | {statistics.median(ms):.2f} | {_p95(ms):.2f} |")


if __name__ == "__main__":
    main()
