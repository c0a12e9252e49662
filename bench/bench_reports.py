"""The dashboard's KPIs and the reports on the plant-scale database (100,000 parts, 2,000,000 moves).

    python -m bench.bench_reports [path/to/plant.sqlite3]   (upgraded to the current schema first)

Prints seconds per step: KPI computation (12 months), each report's data, and its PDF.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from desktop import db as dbmod
from desktop.models.enums import Role
from desktop.reports.table_report import render_table_pdf
from desktop.services import kpis
from desktop.services import report_data as rd
from desktop.services.actor import Actor


def main(argv: list[str]) -> None:
    path = Path(argv[0]) if argv else Path("bench/data/plant.sqlite3")
    database = dbmod.Database(f"sqlite:///{path}")
    if dbmod.needs_upgrade(database):
        dbmod.upgrade(database, backup=False)
    actor = Actor(1, "bench", "bench", Role.ADMIN)
    start = time.perf_counter()
    k = kpis.compute(database, months=12)
    print(f"KPIs, 12 months: {time.perf_counter() - start:.2f} s (turnover {k.turnover}, fill {k.fill_rate})")
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
