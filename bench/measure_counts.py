"""Cycle counting on the plant-scale database, on a copy (it writes): ABC classification over the ledger,
the Pareto chart, today's list, starting it as a blind count, entering every line, approving, IRA."""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from bench.generate import ADMIN_USER, BENCH_PIN
from bench.measure_floor import timed
from bench.report import Result, from_samples
from desktop.db import Database
from desktop.services.admin import users
from desktop.services.counts import abc as count_abc
from desktop.services.counts import approval as count_approval
from desktop.services.counts import ira as count_ira
from desktop.services.counts import sessions as counts
from desktop.services.counts import today_list
from desktop.services.counts.settings import read_count_settings


def _first_working_day(db: Database, after: date) -> date:
    settings = db.read(read_count_settings)
    day = after
    while not settings.is_working_day(day):
        day += timedelta(days=1)
    return day


def measure_counts(source: Path, work: Path, repeat: int, max_lines: int | None) -> list[Result]:
    from bench.measure import copy_database

    copy_database(source, work)
    db = Database(str(work))
    try:
        admin = users.authenticate(db, ADMIN_USER, BENCH_PIN)
        with closing(sqlite3.connect(work)) as conn:
            moves = conn.execute("SELECT count(*) FROM stock_move").fetchone()[0]
        t = time.perf_counter()
        rows = count_abc.classify(db, admin)
        first_ms = (time.perf_counter() - t) * 1000
        by_class = {c: sum(1 for r in rows if r.computed == c) for c in "ABC"}
        results = [
            from_samples(
                "counts.abc",
                f"ABC classification over {moves:,} moves (12 months of issue value, every active part)",
                timed(lambda: count_abc.classify(db, admin), repeat),
                target="< 3 s",
                limit_p95=3000,
                note=f"count_abc.classify(): {len(rows):,} parts, "
                f"A {by_class['A']:,} · B {by_class['B']:,} · C {by_class['C']:,}; "
                f"the first run, writing every part's class, took {first_ms:,.0f} ms; "
                "the runs measured write only the classes that moved",
            ),
            from_samples(
                "counts.pareto",
                "The ABC (Pareto) tab: the curve and the class counts",
                timed(lambda: count_abc.pareto(db), repeat),
                note="count_abc.pareto(): read only",
            ),
        ]
        day = _first_working_day(db, date.today())
        today = today_list.todays_list(db, day)
        results.append(
            from_samples(
                "counts.today",
                f"Today's count list ({day.isoformat()}): "
                f"{today.planned:,} planned + {today.events:,} event lines",
                timed(lambda: today_list.todays_list(db, day), max(1, repeat // 2)),
                note="today_list.todays_list(): the plan levelled over the year's working days, plus the "
                "ledger's events; runs in the background from the Counts page",
            )
        )
        t = time.perf_counter()
        session_id = today_list.start_today(db, admin, day=day, blind=True)
        start_ms = (time.perf_counter() - t) * 1000
        keeper = users.authenticate(db, "keeper01", BENCH_PIN)
        lines = counts.session(db, session_id).lines[:max_lines]
        with closing(sqlite3.connect(work)) as conn:
            book = {
                (code, number): Decimal(str(qty))
                for code, number, qty in conn.execute(
                    "SELECT l.code, p.part_number, b.qty FROM count_line c "
                    "JOIN location l ON l.id = c.location_id JOIN part p ON p.id = c.part_id "
                    "LEFT JOIN stock_balance b ON b.part_id = c.part_id AND b.location_id = c.location_id "
                    "WHERE c.session_id = ?",
                    (session_id,),
                )
            }
        entries = []
        for line in lines:
            qty = book.get((line.location_code, line.part_number)) or Decimal(0)
            t = time.perf_counter()
            counts.enter_count(db, keeper, session_id, line.location_code, line.part_number, qty)
            entries.append((time.perf_counter() - t) * 1000)
        results.append(
            from_samples(
                "counts.enter",
                "Blind count entry: bin, part, quantity for each line of today's session",
                entries,
                target="< 10 ms (p95), as a scan",
                limit_p95=10,
                note=f"counts.enter_count(), own transaction each; starting the session of "
                f"{len(counts.session(db, session_id).lines):,} lines took {start_ms:,.0f} ms",
            )
        )
        t = time.perf_counter()
        count_approval.approve(db, admin, session_id)  # lines not entered (a quick run) count as zero
        approve_ms = (time.perf_counter() - t) * 1000
        results.append(
            from_samples(
                "counts.ira",
                "Inventory record accuracy by class (the Accuracy tab)",
                timed(lambda: count_ira.ira(db, by="class"), repeat),
                note=f"count_ira.ira(); approving the session before it took {approve_ms:,.0f} ms",
            )
        )
        return results
    finally:
        db.dispose()
