"""Smoke test of the plant-scale benchmark: a tiny plant, every measurement once, no timing asserted.

The real figures come from `python -m bench.run` on the full plant (bench/RESULTS.md); this only keeps
the generator and the measurements working as the app changes.
"""

from __future__ import annotations

import math
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bench import generate as gen
from bench import run as bench_run
from bench.report import Result
from desktop.db import Database
from desktop.services.purchasing.lead_times import lead_times
from tests.conftest import pg_admin_url

SCALE = 0.002


@pytest.fixture(scope="module")
def tiny_plant(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "tiny.sqlite3"
    stats = gen.generate(str(path), scale=SCALE, say=lambda _m: None)
    assert stats.verification is not None and stats.verification.ok, gen.describe(stats)
    return path


def _numbers(results: list[Result]) -> dict[str, float]:
    return {r.key: r.median for r in results if r.median is not None}


def test_generator_is_deterministic_and_keeps_the_invariant(tiny_plant: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.sqlite3"
    stats = gen.generate(str(again), scale=SCALE, say=lambda _m: None)
    v = stats.verification
    assert v is not None
    assert v.drift == 0 and v.missing_balance_rows == 0 and v.negative_balances == 0
    assert v.negative_running == 0 and v.foreign_key_errors == 0
    assert stats.rows["stock_move"] == gen.Sizes.scaled(SCALE).moves
    assert set(stats.kinds) >= {"RECEIPT", "ISSUE", "TRANSFER", "ADJUSTMENT"}
    assert all(stats.kinds[k] > 0 for k in ("RECEIPT", "ISSUE", "TRANSFER", "ADJUSTMENT"))
    query = (
        "SELECT id, part_id, from_location_id, to_location_id, qty, kind, reason, reference, at "
        "FROM stock_move ORDER BY id"
    )
    with closing(sqlite3.connect(tiny_plant)) as a, closing(sqlite3.connect(again)) as b:
        assert a.execute(query).fetchall() == b.execute(query).fetchall()
        for table in (
            "kanban_loop",
            "kanban_card",
            "kanban_card_event",
            "asset",
            "asset_spare",
            "purchase_order",
            "purchase_order_line",
            "purchase_receipt",
        ):
            rows = a.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
            assert rows and rows == b.execute(f"SELECT * FROM {table} ORDER BY id").fetchall(), table
        # the schema is the migrations' (indexes re-created as they were), paths as the service builds them
        assert a.execute("SELECT version_num FROM alembic_version").fetchone() is not None
        for code, path, parent_path in a.execute(
            "SELECT c.code, c.path, p.path FROM location c LEFT JOIN location p ON p.id = c.parent_id"
        ):
            assert path == f"{parent_path or ''}{code}/"


def test_generated_orders_are_received_in_the_ledger(tiny_plant: Path) -> None:
    with closing(sqlite3.connect(tiny_plant)) as conn:
        states = dict(conn.execute("SELECT state, count(*) FROM purchase_order GROUP BY state").fetchall())
        assert {"RECEIVED", "SENT", "DRAFT"} <= set(states) and len(states) >= 4, states
        # a line's received quantity is the sum of the RECEIPT moves that name it as the app does
        lines = conn.execute(
            "SELECT l.id, l.received_qty, coalesce(sum(m.qty), 0), count(m.id), count(r.id) "
            "FROM purchase_order_line l JOIN purchase_order o ON o.id = l.order_id "
            "LEFT JOIN stock_move m ON m.kind = 'RECEIPT' AND m.part_id = l.part_id "
            "AND m.reference = o.number || '/' || l.line_no "
            "AND m.reason = 'purchase order ' || o.number || ' line ' || l.line_no "
            "LEFT JOIN purchase_receipt r ON r.move_id = m.id AND r.line_id = l.id "
            "GROUP BY l.id"
        ).fetchall()
        assert lines and all(
            round(got - moved, 4) == 0 and n == linked for _i, got, moved, n, linked in lines
        )
        received = sum(1 for line in lines if line[3])
        assert 0 < received < len(lines)  # received lines, and lines still to come
        tagged = "SELECT count(*) FROM stock_move WHERE reference LIKE 'PO-%'"
        assert (
            conn.execute(tagged).fetchone()
            == conn.execute("SELECT count(*) FROM purchase_receipt").fetchone()
        )
        # sent before every receipt against it: the lead times are positive
        early = conn.execute(
            "SELECT count(*) FROM purchase_receipt r JOIN stock_move m ON m.id = r.move_id "
            "JOIN purchase_order_line l ON l.id = r.line_id JOIN purchase_order o ON o.id = l.order_id "
            "WHERE o.sent_at IS NULL OR o.sent_at >= m.at"
        ).fetchone()[0]
        assert early == 0
    database = Database(str(tiny_plant))
    try:
        measured = lead_times(database)
    finally:
        database.dispose()
    assert measured and all(x.median_days > 0 for x in measured)


def test_every_measurement_returns_a_number(tiny_plant: Path, tmp_path: Path) -> None:
    opts, _out = bench_run.parse(["--db", str(tiny_plant), "--quick"])
    opts.say = lambda _m: None
    outcome = bench_run.collect(opts)
    failed = [
        f"{r.name}: {r.note}" for r in outcome.results if r.key.startswith("error.") or "error" in r.key
    ]
    assert not failed
    numbers = _numbers(outcome.results)
    for key in (
        "scan.part",
        "scan.bin",
        "search",
        "sort.part_number",
        "sort.on_hand",
        "post.one",
        "post.bulk",
        "post.loop",
        "kanban.board",
        "kanban.sizing",
        "kanban.scan",
        "mro.spares",
        "mro.tree",
        "poll.marks",
        "print.labels",
        "print.count_sheet",
        "counts.abc",
        "counts.pareto",
        "counts.today",
        "counts.enter",
        "counts.ira",
        "po.receive",
        "po.position",
        "startup",
        "startup.seen",
        "startup.wall",
        "startup.rss",
        "memory",
        "paint.part",
        "paint.bin",
        "paint.burst",
        "handover",
        "handover.memory",
    ):
        assert key in numbers, f"no figure for {key}"
        assert math.isfinite(numbers[key]) and numbers[key] >= 0
    assert numbers["post.invariant"] == 0  # balances still equal the ledger after the posting runs
    assert numbers["paint.burst"] == 0  # every scan with the focus outside the scan box reached it
    position = next(r for r in outcome.results if r.key == "po.position")
    assert "(generated)" in position.name  # over the generator's open lines, none inserted
    out = tmp_path / "RESULTS.md"
    bench_run.write(out, bench_run.render(opts, outcome, ["--quick"], 1.0))
    text = out.read_text()
    assert "| Scan resolve" in text and "| Kanban board" in text and "| Scan to painted screen" in text


@pytest.mark.postgres
def test_postgres_concurrency_quick() -> None:
    admin = pg_admin_url()  # skips unless STOREROOM_TEST_PG_URL is set (fails in CI without it)
    assert admin is not None
    from bench import concurrency

    results, stats = concurrency.measure_pg(
        admin, scale=SCALE, runs=[concurrency.Run(2, 10, 1.0)], name="storeroom_bench_smoke"
    )
    assert stats.verification is not None and stats.verification.ok
    numbers = _numbers(results)
    assert numbers["pg.rate.2x10"] > 0
    assert numbers["pg.lost.2x10"] == 0
