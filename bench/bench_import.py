"""Import 100,000 parts from a CSV into an empty SQLite database (target: under 20 s)."""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from desktop.db import open_database
from desktop.services import imports
from desktop.services.tabular import read_table
from desktop.services.users import ensure_user


def make_csv(path: Path, count: int) -> None:
    lines = ["Part number;Description;Unit;Unit cost;Min;Max;Supplier;Supplier part number;Category"]
    for n in range(count):
        lines.append(
            f"PN-{n:06d};Bauteil {n} Ø{n % 50} mm;EA;{n % 997},{n % 100:02d};{n % 7};{n % 7 + 10};"
            f"Supplier {n % 200};S-{n};{'RAW' if n % 3 else 'MRO'}"
        )
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "parts.csv"
        make_csv(csv_path, args.rows)
        db = open_database(str(Path(tmp) / "import.sqlite3"))
        actor = ensure_user(db, "bench")
        start = time.perf_counter()
        table = read_table(csv_path)
        mapping = imports.auto_map("parts", table.headers)
        read_s = time.perf_counter() - start
        plan = imports.check(db, actor, "parts", table, mapping)
        check_s = time.perf_counter() - start - read_s
        imports.run(db, actor, "parts", table, mapping)
        total = time.perf_counter() - start
        print(
            f"{args.rows:,} parts: read {read_s:.2f} s, dry run {check_s:.2f} s, "
            f"read + dry run + commit {total:.2f} s ({plan.summary()})"
        )
        db.dispose()


if __name__ == "__main__":
    main()
