"""Purchasing on a copy of the plant: a 50-line purchase order received line by line at the service (a
keeper scanning the delivery), the inventory position of every part with the open order lines the
generator made (about 20,000 at scale 1: what What to order and the dashboard read), and What to order
itself over every active part, with the lead times measured on the generated receipts."""

from __future__ import annotations

import os
import random
import sqlite3
import time
from contextlib import closing
from decimal import Decimal
from pathlib import Path

from bench.generate import ADMIN_USER, BENCH_PIN
from bench.measure_floor import timed
from bench.report import Result, from_samples, median
from desktop.db import Database
from desktop.models.enums import ON_ORDER_STATES
from desktop.services import purchasing
from desktop.services.admin import users
from desktop.services.insight import replenishment
from desktop.services.stock.position import positions

# lines still expected, as the inventory position counts them
_OPEN_LINES_SQL = (
    "SELECT count(*) FROM purchase_order_line l JOIN purchase_order o ON o.id = l.order_id "
    f"WHERE o.state IN ({', '.join(repr(x) for x in ON_ORDER_STATES)}) "
    "AND l.received_qty < l.packs * l.pack_size"
)


def _open_lines(
    conn: sqlite3.Connection, rng: random.Random, count: int, supplier_id: int, user_id: int
) -> None:
    """`count` open lines on orders of 20 lines, for a plant generated before the generator made orders
    (raw SQL: the arrangement is not what is measured)."""
    parts = [r[0] for r in conn.execute("SELECT id FROM part WHERE active ORDER BY id")]
    top = conn.execute("SELECT coalesce(max(id), 0) FROM purchase_order").fetchone()[0]
    orders = [(top + n + 1, f"PO-B{top + n + 1:07d}") for n in range(-(-count // 20))]
    conn.executemany(
        "INSERT INTO purchase_order (id, number, supplier_id, state, created_by_id, changed_by_id) "
        "VALUES (?, ?, ?, 'SENT', ?, ?)",
        [(i, number, supplier_id, user_id, user_id) for i, number in orders],
    )
    conn.executemany(
        "INSERT INTO purchase_order_line (order_id, line_no, part_id, packs, pack_size, received_qty) "
        "VALUES (?, ?, ?, ?, 1, ?)",
        [(orders[n // 20][0], n % 20 + 1, rng.choice(parts), 10, n % 7) for n in range(count)],
    )
    conn.commit()


def measure_purchasing(
    source: Path, work: Path, rng: random.Random, lines: int, fallback_open_lines: int
) -> list[Result]:
    """`lines` received one by one; the position and What to order over the plant's open lines, or over
    `fallback_open_lines` inserted when the plant has none."""
    from bench.measure import copy_database

    copy_database(source, work)
    db = Database(str(work))
    try:
        admin = users.authenticate(db, ADMIN_USER, BENCH_PIN)
        with closing(sqlite3.connect(work)) as conn:
            supplier_id = conn.execute("SELECT min(id) FROM supplier WHERE active").fetchone()[0]
            bins = [
                r[0] for r in conn.execute("SELECT id FROM location WHERE level = 'BIN' AND active LIMIT 50")
            ]
            part_ids = [
                r[0] for r in conn.execute("SELECT id FROM part WHERE active AND unit = 'EA' LIMIT 2000")
            ]
            open_lines = int(conn.execute(_OPEN_LINES_SQL).fetchone()[0])
            which = "generated"
            if not open_lines:
                _open_lines(conn, rng, fallback_open_lines, supplier_id, admin.user_id)
                open_lines, which = fallback_open_lines, "inserted: the plant has no orders"
        chosen = rng.sample(part_ids, min(lines, len(part_ids)))
        wanted = [purchasing.LineInput(p, Decimal(10), pack_size=Decimal(1)) for p in chosen]
        order = purchasing.create_order(db, admin, supplier_id, wanted)
        purchasing.send_order(db, admin, order.id)
        samples = []
        for part_id in chosen:
            req = purchasing.ReceiptRequest(order.id, part_id, Decimal(10), rng.choice(bins))
            t = time.perf_counter()
            purchasing.receive(db, admin, req)
            samples.append((time.perf_counter() - t) * 1000)
        assert purchasing.get_order(db, order.id).state == "RECEIVED"
        receipt = from_samples(
            "po.receive",
            f"Receive a {len(chosen)}-line purchase order line by line (one RECEIPT each)",
            samples,
            target="< 10 ms per line (p95)",
            limit_p95=10,
            note="purchasing.receive(): lock the order, check the tolerance, post, count the line up",
        )
        position = from_samples(
            "po.position",
            f"Inventory position of every part with {open_lines:,} open purchase-order lines ({which})",
            timed(lambda: db.read(positions), 3),
            note="inventory_position.positions(): on hand + on order (open lines, kanban cards) - reserved",
        )
        listed: list[int] = []
        cpu: list[float] = []

        def what_to_order() -> None:
            started = time.process_time()
            listed.append(len(replenishment.suggestions(db, admin)))
            cpu.append(time.process_time() - started)

        load = os.getloadavg()[0]  # a shared machine: the wall time means little without it
        samples = timed(what_to_order, 3)
        to_order = from_samples(
            "po.what_to_order",
            f"What to order over every active part with {open_lines:,} open purchase-order lines ({which})",
            samples,
            target="< 2 s",
            limit_p95=2000,
            note=(
                f"replenishment.suggestions(): demand, lead times, positions; {listed[-1]:,} parts listed; "
                f"CPU median {median(cpu[1:]):.2f} s (the first, warm-up call left out); load {load:.1f}"
            ),
        )
        return [receipt, position, to_order]
    finally:
        db.dispose()
