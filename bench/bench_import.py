"""Import benchmarks (issue 24), each in a fresh SQLite database:

- parts: the dry run and the import of 100,000 new parts (target: both together under 20 s);
- partial: a 3-column re-import over those 100,000 parts (every row changes two fields);
- stream: a 200,000-row file checked and imported; the peak RSS (VmHWM) is printed beside the RSS
  before the file was opened, so what the file costs in memory shows (it is read row by row, in
  batches of 5,000, never whole).

    python -m bench.bench_import [--rows 100000] [--stream-rows 200000] [--only parts|partial|stream]
                                 [--pg postgresql://user:pw@host/postgres]

With --pg (an admin URL) each scenario runs in a new database on that server, dropped afterwards.

Each scenario runs in its own process, so one's memory does not count in the next's peak. Times are
wall clock and CPU seconds of this process (on a busy machine the CPU time is the steadier figure).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import create_engine, make_url, text

from desktop.db import Database, normalize_url, open_database
from desktop.services.admin.users import ensure_user
from desktop.services.io import imports
from desktop.services.io.tabular import read_table

T = TypeVar("T")


def make_csv(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("Part number;Description;Unit;Unit cost;Min;Max;Supplier;Supplier part number;Category\n")
        for n in range(count):
            fh.write(
                f"PN-{n:06d};Bauteil {n} Ø{n % 50} mm;{'EA' if n % 4 else 'pcs'};{n % 997},{n % 100:02d};"
                f"{n % 7};{n % 7 + 10};Supplier {n % 200};S-{n};"
                f"{'Fasteners > Bolts' if n % 3 else 'Consumables'} > Group {n % 40}\n"
            )


def make_partial_csv(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("Part number,Minimum,Maximum\n")
        for n in range(count):
            fh.write(f"PN-{n:06d},{n % 7 + 1},{n % 7 + 20}\n")


def _rss_mb() -> tuple[float, float]:
    """(current RSS, peak RSS) in MB, from /proc (VmRSS, VmHWM)."""
    fields = dict(
        line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def _timed(fn: Callable[[], T]) -> tuple[T, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


PG_ADMIN: str | None = None  # --pg: databases are made on this server instead of SQLite files


def _database(tmp: Path, name: str) -> Database:
    """A new, migrated database: a SQLite file in `tmp`, or (with --pg) a database on the server."""
    if PG_ADMIN is None:
        return open_database(str(tmp / name))
    db_name = f"storeroom_bench_{name.split('.')[0].replace('-', '_')}_{os.getpid()}"
    admin = create_engine(normalize_url(PG_ADMIN), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{db_name}"'))
    admin.dispose()
    return open_database(make_url(PG_ADMIN).set(database=db_name).render_as_string(hide_password=False))


def _drop(db: Database) -> None:
    db.dispose()
    if PG_ADMIN is not None:
        admin = create_engine(normalize_url(PG_ADMIN), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(db.url).database}" WITH (FORCE)'))
        admin.dispose()


def _import(tmp: Path, csv_path: Path, db_name: str = "import.sqlite3") -> tuple[str, float, float]:
    db = _database(tmp, db_name)
    actor = ensure_user(db, "bench")
    table = read_table(csv_path)
    mapping = imports.auto_map("parts", table.headers)
    plan, check_wall, check_cpu = _timed(lambda: imports.check(db, actor, "parts", table, mapping))
    assert plan.ok, plan.problems[:3]
    _run, run_wall, run_cpu = _timed(lambda: imports.run(db, actor, "parts", table, mapping))
    _drop(db)
    text = (
        f"dry run {check_wall:.2f} s (CPU {check_cpu:.2f} s), import {run_wall:.2f} s (CPU {run_cpu:.2f} s), "
        f"together {check_wall + run_wall:.2f} s (CPU {check_cpu + run_cpu:.2f} s); {plan.summary()}"
    )
    return text, check_wall + run_wall, check_cpu + run_cpu


def scenario(name: str, rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        csv_path = tmp / "parts.csv"
        make_csv(csv_path, rows)
        if name == "parts":
            text, _wall, _cpu = _import(tmp, csv_path)
            print(f"{rows:,} new parts, as on screen (check, then import): {text}")
            db = _database(tmp, "one-pass.sqlite3")
            actor = ensure_user(db, "bench")
            table = read_table(csv_path)
            mapping = imports.auto_map("parts", table.headers)
            plan, wall, cpu = _timed(lambda: imports.execute(db, actor, "parts", table, mapping, commit=True))
            _drop(db)
            print(
                f"{rows:,} new parts, as `storeroom import` (one pass): {wall:.2f} s (CPU {cpu:.2f} s); "
                f"{plan.summary()}"
            )
        elif name == "partial":
            db = _database(tmp, "partial.sqlite3")
            actor = ensure_user(db, "bench")
            table = read_table(csv_path)
            imports.run(db, actor, "parts", table, imports.auto_map("parts", table.headers))
            partial = tmp / "partial.csv"
            make_partial_csv(partial, rows)
            actor = ensure_user(db, "bench")
            table = read_table(partial)
            mapping = imports.auto_map("parts", table.headers)
            plan, cw, cc = _timed(lambda: imports.check(db, actor, "parts", table, mapping))
            _r, rw, rc = _timed(lambda: imports.run(db, actor, "parts", table, mapping))
            print(
                f"{rows:,} parts, 3-column re-import: dry run {cw:.2f} s (CPU {cc:.2f}), import {rw:.2f} s "
                f"(CPU {rc:.2f}), together {cw + rw:.2f} s; {plan.summary()}; "
                f"{plan.change_count:,} fields change"
            )
            _drop(db)
        else:  # stream
            before, _peak = _rss_mb()
            text, _wall, _cpu = _import(tmp, csv_path)
            _now, peak = _rss_mb()
            size = csv_path.stat().st_size / 1e6
            print(
                f"{rows:,}-row file ({size:.1f} MB): {text}; RSS before {before:.0f} MB, "
                f"peak {peak:.0f} MB (+{peak - before:.0f} MB)"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--stream-rows", type=int, default=200_000)
    parser.add_argument("--only", choices=("parts", "partial", "stream"))
    parser.add_argument("--scenario", choices=("parts", "partial", "stream"), help=argparse.SUPPRESS)
    parser.add_argument("--pg", help="admin URL of a PostgreSQL server (default: SQLite files)")
    args = parser.parse_args()
    global PG_ADMIN
    PG_ADMIN = args.pg
    if args.scenario:
        scenario(args.scenario, args.stream_rows if args.scenario == "stream" else args.rows)
        return
    for name in (args.only,) if args.only else ("parts", "partial", "stream"):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.bench_import",
                "--scenario",
                name,
                "--rows",
                str(args.rows),
                "--stream-rows",
                str(args.stream_rows),
                *(("--pg", args.pg) if args.pg else ()),
            ],
            check=True,
        )


if __name__ == "__main__":
    main()
