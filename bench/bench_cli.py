"""The command line as a whole process: `storeroom labels formats` (target < 0.3 s) and 1,000 bin
labels from a database to a PDF (target < 1.5 s), median of repeated runs, with the CPU time too (on a
loaded 2-core machine the wall time mostly measures the other processes).

Run: .venv/bin/python -m bench.bench_cli [runs]
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from desktop import db as dbmod
from desktop.models.enums import LocationLevel
from desktop.services.admin.users import ensure_user
from desktop.services.catalogue.locations import LocationInput, create_location

# what the `storeroom` console script runs; not the script itself, which an editable install made before
# a move of `main` leaves stale (and which always runs the installed checkout, not PYTHONPATH's)
STOREROOM = [sys.executable, "-c", "import sys; from desktop.cli.main import main; sys.exit(main())"]


def _plant(path: Path) -> None:
    """A site > area > 20 racks > 977 bins: 999 locations under STORE, 1,000 labels with the area."""
    database = dbmod.open_database(f"sqlite:///{path}")
    try:
        admin = ensure_user(database, "bench")
        create_location(database, admin, LocationInput("SITE", "Site", LocationLevel.SITE.value))
        create_location(
            database, admin, LocationInput("STORE", "Store", LocationLevel.AREA.value, parent_code="SITE")
        )
        for rack in range(20):
            code = f"R{rack:02d}"
            create_location(
                database,
                admin,
                LocationInput(code, f"Rack {rack}", LocationLevel.RACK.value, parent_code="STORE"),
            )
            for n in range(49 if rack < 19 else 46):
                create_location(
                    database,
                    admin,
                    LocationInput(f"{code}-{n:02d}", "Bin", LocationLevel.BIN.value, parent_code=code),
                )
    finally:
        database.dispose()


def _time(command: list[str], env: dict[str, str], runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time (user + system) of `runs` runs after one warm-up."""
    walls, cpus = [], []
    for n in range(runs + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if n:
            walls.append(wall)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    with tempfile.TemporaryDirectory() as folder:
        db_file = Path(folder) / "plant.sqlite3"
        _plant(db_file)
        env = {k: v for k, v in os.environ.items() if k not in ("STOREROOM_DB_URL", "STOREROOM_PIN")}
        env["STOREROOM_HOME"] = folder
        out = str(Path(folder) / "labels.pdf")
        load = os.getloadavg()[0]
        for name, args, target in (
            ("storeroom labels formats", ["labels", "formats"], 0.3),
            (
                "1,000 bin labels to PDF",
                ["--db", str(db_file), "labels", "bins", "STORE", "--subtree", "--out", out],
                1.5,
            ),
        ):
            wall, cpu = _time([*STOREROOM, *args], env, runs)
            verdict = "pass" if wall < target else "MISS"
            print(f"{name}: median {wall:.2f} s wall, {cpu:.2f} s CPU over {runs} runs ", end="")
            print(f"[target < {target} s: {verdict}]")
        print(f"load average before: {load:.1f} (2 cores)")


if __name__ == "__main__":
    main()
