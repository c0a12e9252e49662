"""The dashboard's KPIs and the reports on the plant-scale database (100,000 parts, 2,000,000 moves).

    python -m bench.bench_reports [path/to/plant.sqlite3] [--kpis-only]

(the file is upgraded to the current schema first)

Prints seconds per step: KPI computation (12 months: the best and median of 5 after a warm-up run, with
the machine's load average), each report's data, and its PDF.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from desktop import db as dbmod
from desktop import schema
from desktop.models.enums import Role
from desktop.reports.table_report import render_table_pdf
from desktop.services.actor import Actor
from desktop.services.insight import kpis
from desktop.services.insight import report_data as rd


def main(argv: list[str]) -> None:
    args = [a for a in argv if not a.startswith("--")]
    path = Path(args[0]) if args else Path("bench/data/plant.sqlite3")
    database = dbmod.Database(f"sqlite:///{path}")
    if schema.needs_upgrade(database):
        schema.upgrade(database, backup=False)
    actor = Actor(1, "bench", "bench", Role.ADMIN)
    k = kpis.compute(database, months=12)  # warm-up: the file's pages into the cache
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        k = kpis.compute(database, months=12)
        runs.append(time.perf_counter() - start)
    print(
        f"KPIs, 12 months: best {min(runs):.2f} s, median {statistics.median(runs):.2f} s "
        f"(load {os.getloadavg()[0]:.1f}; turnover {k.turnover}, fill {k.fill_rate})"
    )
    if "--kpis-only" in argv:
        return
    today = datetime.now(UTC).date()
    params = rd.ReportParams(months=12, start=today - timedelta(days=7), end=today)
    for spec in rd.CATALOGUE:
        t0 = time.perf_counter()
        table = rd.build(database, actor, spec.key, params)
        t1 = time.perf_counter()
        pdf = render_table_pdf(table, generated="bench")
        t2 = time.perf_counter()
        print(
            f"{spec.key:15} {len(table.rows):>8,} rows  data {t1 - t0:6.2f} s  "
            f"PDF {t2 - t1:6.2f} s  {len(pdf) / 1e6:5.1f} MB"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
