"""PostgreSQL: several processes post ISSUE/RECEIPT moves on the same few parts at once.

Each worker is its own process with its own connection pool, signed in as its own keeper. They start
together and post for a fixed time; each keeps its own tally of what it posted per (part, bin). Proof
that no update was lost: for every (part, bin) the balance moved by exactly the workers' tallies, the
ledger grew by exactly the number of successful posts, `balance_check.check_balances` finds no drift, and the
SQL GROUP BY check of bench/generate.py finds none either.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import DBAPIError

from bench.generate import ADMIN_USER, BENCH_PIN, GenStats, generate, verify
from bench.report import Result, median, p95, percentile
from desktop.db import Database, normalize_url
from desktop.errors import DatabaseUnavailable, InsufficientStock, UserError
from desktop.models.enums import MoveKind
from desktop.services.admin import users
from desktop.services.stock import balance_check
from desktop.services.stock import moves as stock
from desktop.services.stock.moves import MoveRequest

Pair = tuple[int, int]


@dataclass
class WorkerReport:
    worker: int
    posted: int = 0
    refused: int = 0  # "only N left": the expected answer when two clerks take the last unit
    failed: list[str] = field(default_factory=list)  # anything else (should stay empty)
    net: dict[Pair, int] = field(default_factory=dict)  # units in minus units out, per (part, bin)
    latencies_ms: list[float] = field(default_factory=list)


def _worker(
    url: str,
    index: int,
    keeper: str,
    pairs: Sequence[Pair],
    seconds: float,
    seed: int,
    ready: Queue[Any],
    go: Any,
    out: Queue[Any],
) -> None:
    database = Database(url)
    report = WorkerReport(index)
    signalled = False
    try:
        actor = users.authenticate(database, keeper, BENCH_PIN)
        rng = random.Random(seed * 100 + index)
        stock.balance(database, *pairs[0])  # open the connection before the start signal
        ready.put(index)
        signalled = True
        go.wait()
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            pair = pairs[rng.randrange(len(pairs))]
            qty = rng.randint(1, 3)
            issue = rng.random() < 0.5
            req = (
                MoveRequest(
                    MoveKind.ISSUE, pair[0], Decimal(qty), from_location_id=pair[1], reference="BENCH-PG"
                )
                if issue
                else MoveRequest(
                    MoveKind.RECEIPT, pair[0], Decimal(qty), to_location_id=pair[1], reference="BENCH-PG"
                )
            )
            t = time.perf_counter()
            try:
                stock.post_move(database, actor, req)
            except InsufficientStock:
                report.refused += 1
                continue
            except (DatabaseUnavailable, UserError) as exc:
                report.failed.append(str(exc))
                continue
            report.latencies_ms.append((time.perf_counter() - t) * 1000)
            report.posted += 1
            report.net[pair] = report.net.get(pair, 0) + (-qty if issue else qty)
    except Exception as exc:  # reported to the parent, which fails the run
        report.failed.append(f"{type(exc).__name__}: {exc}")
        if not signalled:
            ready.put(index)
    finally:
        database.dispose()
        out.put(report)


def _cpu_jiffies() -> tuple[int, int]:
    """(busy, total) CPU time of the whole machine so far, from /proc/stat."""
    try:
        # user nice system idle iowait irq softirq steal (guest time is already inside user)
        values = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    except (OSError, ValueError):
        return 0, 0
    idle = values[3] + values[4] + values[7]
    return sum(values) - idle, sum(values)


class ActivitySampler(threading.Thread):
    """Samples what the database's backends are doing (pg_stat_activity) every 20 ms."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.counts: dict[str, int] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        engine = create_engine(normalize_url(self.url))
        try:
            with engine.connect() as conn:
                while not self.stop.is_set():
                    rows = conn.execute(
                        text(
                            "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
                            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                            "AND backend_type = 'client backend'"
                        )
                    ).all()
                    conn.rollback()
                    for state, wait_type, wait in rows:
                        if state == "active":
                            key = f"active, waiting on {wait_type}:{wait}" if wait_type else "active on CPU"
                        else:
                            key = f"{state} (waiting for the client)"
                        self.counts[key] = self.counts.get(key, 0) + 1
                    time.sleep(0.02)
        finally:
            engine.dispose()

    def summary(self) -> str:
        total = sum(self.counts.values()) or 1
        ranked = sorted(self.counts.items(), key=lambda kv: -kv[1])
        return "; ".join(f"{k} {v / total:.0%}" for k, v in ranked[:6])


def create_database(admin_url: str, name: str) -> str:
    admin = normalize_url(admin_url)
    drop_database(admin, name)
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(admin).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, name: str, *, patience_s: float = 60.0) -> None:
    """DROP ... WITH (FORCE), waiting out an autovacuum worker: after the bulk load and the posting run
    the server vacuums the tables, and a role without superuser rights may not terminate that worker."""
    engine = create_engine(normalize_url(admin_url), isolation_level="AUTOCOMMIT")
    deadline = time.monotonic() + patience_s
    try:
        while True:
            try:
                with engine.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                return
            except DBAPIError as exc:
                if getattr(exc.orig, "sqlstate", None) != "42501" or time.monotonic() > deadline:
                    raise
                time.sleep(1.0)
    finally:
        engine.dispose()


def _shared_pairs(database: Database, count: int, seed: int) -> list[Pair]:
    """`count` parts, one stocked bin each, with little stock: issues often meet the last units."""
    with database.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT DISTINCT ON (b.part_id) b.part_id, b.location_id FROM stock_balance b "
                "JOIN part p ON p.id = b.part_id JOIN location l ON l.id = b.location_id "
                "WHERE b.qty BETWEEN 1 AND 30 AND p.active AND l.active AND l.type <> 'QUARANTINE' "
                "AND p.unit = 'EA' ORDER BY b.part_id, b.location_id"
            )
        ).all()
    chosen = random.Random(seed).sample([(int(r[0]), int(r[1])) for r in rows], min(count, len(rows)))
    return sorted(chosen)


@dataclass(frozen=True)
class Run:
    """One contention run: `workers` processes on `shared_parts` parts for `seconds`; `rate_target`
    moves/s to beat, or None where only the absence of errors is asked."""

    workers: int
    shared_parts: int
    seconds: float
    rate_target: float | None = None


def measure_pg(
    admin_url: str,
    *,
    scale: float,
    runs: Sequence[Run] = (Run(8, 50, 10.0, 500.0),),
    seed: int = 7,
    keep: bool = False,
    name: str = "storeroom_bench",
) -> tuple[list[Result], GenStats]:
    """Create database `name` on the server, fill it at `scale`, run each contention run in turn, drop it."""
    url = create_database(admin_url, name)
    try:
        gen = generate(url, scale=scale, say=lambda _m: None)
        return [result for run in runs for result in contention(url, run, seed=seed)], gen
    finally:
        if not keep:
            drop_database(admin_url, name)


def contention(url: str, run: Run, *, seed: int = 7) -> list[Result]:
    """`run.workers` processes post on `run.shared_parts` parts of a generated database for `run.seconds`."""
    workers, seconds, shared_parts = run.workers, run.seconds, run.shared_parts
    key = f"{workers}x{shared_parts}"
    database = Database(url)
    try:
        pairs = _shared_pairs(database, shared_parts, seed)
        # a small plant has fewer keepers than workers: they take turns (each worker still posts alone)
        with database.engine.connect() as conn:
            keepers = list(
                conn.execute(text("SELECT user_name FROM app_user WHERE role = 'KEEPER' ORDER BY user_name"))
                .scalars()
                .all()
            )
        before = {p: stock.balance(database, *p) for p in pairs}
        with database.engine.connect() as conn:
            max_before = int(conn.execute(text("SELECT coalesce(max(id), 0) FROM stock_move")).scalar() or 0)
        ctx = mp.get_context("spawn")
        ready: Queue[Any] = ctx.Queue()
        out: Queue[Any] = ctx.Queue()
        go = ctx.Event()
        procs = [
            ctx.Process(
                target=_worker, args=(url, i, keepers[i % len(keepers)], pairs, seconds, seed, ready, go, out)
            )
            for i in range(workers)
        ]
        for proc in procs:
            proc.start()
        for _ in procs:
            ready.get(timeout=120)
        sampler = ActivitySampler(url)
        sampler.start()
        busy0, total0 = _cpu_jiffies()
        t = time.perf_counter()
        go.set()
        reports: list[WorkerReport] = [out.get(timeout=seconds + 120) for _ in procs]
        elapsed = time.perf_counter() - t
        sampler.stop.set()
        sampler.join()
        busy1, total1 = _cpu_jiffies()
        cpu_share = (busy1 - busy0) / max(1, total1 - total0)
        cpu_ms = (busy1 - busy0) / os.sysconf("SC_CLK_TCK") * 1000
        for proc in procs:
            proc.join(timeout=30)

        posted = sum(r.posted for r in reports)
        refused = sum(r.refused for r in reports)
        failed = [m for r in reports for m in r.failed]
        with database.engine.connect() as conn:
            added = int(
                conn.execute(
                    text("SELECT count(*) FROM stock_move WHERE id > :m"), {"m": max_before}
                ).scalar()
                or 0
            )
        lost = 0
        for pair in pairs:
            expected = before[pair] + sum(r.net.get(pair, 0) for r in reports)
            if stock.balance(database, *pair) != expected:
                lost += 1
        admin = users.authenticate(database, ADMIN_USER, BENCH_PIN)
        t_check = time.perf_counter()
        drifts = balance_check.check_balances(database, admin)
        check_s = time.perf_counter() - t_check
    finally:
        database.dispose()
    sql_check = verify(url)

    latencies = [x for r in reports for x in r.latencies_ms]
    rate = posted / elapsed
    return [
        Result(
            f"pg.rate.{key}",
            f"PostgreSQL: {workers} processes posting ISSUE/RECEIPT on {len(pairs)} shared parts for "
            f"{seconds:g} s",
            "moves/s",
            posted,
            rate,
            None,
            target=f"> {run.rate_target:g} moves/s" if run.rate_target else "no errors",
            passed=(run.rate_target is None or rate > run.rate_target) and not failed,
            note=(
                f"{posted:,} posted, {refused:,} refused with 'only N left', {len(failed)} other errors"
                + (f" (first: {failed[0]})" if failed else "")
                + f"; all {os.cpu_count()} cores {cpu_share:.0%} busy meanwhile (clients + server), "
                f"{cpu_ms / max(1, posted + refused):.1f} ms of CPU per attempt"
            ),
        ),
        Result(
            f"pg.latency.{key}",
            "… post_move latency under that contention",
            "ms",
            len(latencies),
            median(latencies) if latencies else None,
            p95(latencies) if latencies else None,
            note=(
                (f"p99 {percentile(latencies, 0.99):.1f} ms; " if latencies else "")
                + "the server's backends, sampled every 20 ms: "
                + sampler.summary()
            ),
        ),
        Result(
            f"pg.lost.{key}",
            "… no lost update: balances vs workers' tallies, ledger rows vs posts, "
            "`check_balances`, SQL GROUP BY",
            "errors",
            len(pairs),
            float(lost + abs(added - posted) + len(drifts) + sql_check.drift + sql_check.negative_balances),
            None,
            target="0",
            passed=lost == 0 and added == posted and not drifts and sql_check.ok,
            note=(
                f"{lost} (part, bin) balances off their tallies; {added:,} ledger rows for {posted:,} posts; "
                f"check_balances drift {len(drifts)} ({check_s:.1f} s over "
                f"{sql_check.counts['stock_move']:,} moves); SQL drift {sql_check.drift}, "
                f"negative {sql_check.negative_balances}"
            ),
        ),
    ]
