"""The command line starts without loading what a command does not need: the schema check reads the
migration chain from the files (no alembic unless a migration runs), and agrees with alembic."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from desktop import db as dbmod


def test_the_schema_check_agrees_with_alembic(sqlite_db: dbmod.Database) -> None:
    assert dbmod._head_from_files() == ScriptDirectory.from_config(dbmod.alembic_config()).get_current_head()
    with sqlite_db.engine.connect() as conn:
        assert dbmod.current_revision(sqlite_db) == MigrationContext.configure(conn).get_current_revision()
    assert not dbmod.needs_upgrade(sqlite_db)


PROBE = """
import sys
from desktop.cli import main
db, out = sys.argv[1], sys.argv[2]
main(["--db", db, "init"])  # creates the schema: alembic runs here
for name in [m for m in sys.modules if m.startswith(("alembic", "PySide6"))]:
    del sys.modules[name]
main(["--db", db, "labels", "calibration", "--out", out])
main(["--db", db, "stock", "NOPE"])
print(sorted({m.split(".")[0] for m in sys.modules if m.startswith(("alembic", "PySide6"))}))
"""


def test_commands_load_neither_qt_nor_alembic(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "STOREROOM_DB_URL"} | {"STOREROOM_HOME": str(tmp_path)}
    args = [sys.executable, "-c", PROBE, str(tmp_path / "x.sqlite3"), str(tmp_path / "c.pdf")]
    done = subprocess.run(args, capture_output=True, text=True, check=True, env=env)
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stdout
