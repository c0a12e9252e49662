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
from desktop import schema
from desktop.models.enums import LocationLevel
from desktop.services.admin.users import ensure_user
from desktop.services.catalogue.locations import LocationInput, create_location


def test_the_schema_check_agrees_with_alembic(sqlite_db: dbmod.Database) -> None:
    alembic_head = ScriptDirectory.from_config(schema.alembic_config()).get_current_head()
    assert schema._head_from_files() == alembic_head
    with sqlite_db.engine.connect() as conn:
        assert schema.current_revision(sqlite_db) == MigrationContext.configure(conn).get_current_revision()
    assert not schema.needs_upgrade(sqlite_db)


PROBE = """
import sys
from desktop.cli.main import main
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


LABELS_PROBE = """
import sys
from desktop.cli.main import main
main(["--db", sys.argv[1], "labels", "bins", "STORE", "--subtree", "--out", sys.argv[2]])
print(sorted(m for m in sys.modules if m.startswith(("desktop.models.", "sqlalchemy.dialects.postgresql"))))
print(sorted(m for m in sys.modules if m.startswith(("sqlalchemy.orm", "desktop.services."))))
"""


def test_bin_labels_read_plain_rows_without_the_orm(tmp_path: Path) -> None:
    """`storeroom labels bins` on a SQLite file: no PostgreSQL dialect, no ORM and no model mapped
    (importing sqlalchemy.orm and mapping the models cost the command more than its queries), and of
    the services only the two that read its rows."""
    db = tmp_path / "x.sqlite3"
    database = dbmod.open_database(f"sqlite:///{db}")
    try:
        admin = ensure_user(database)  # the OS login the command acts as (its first use makes it)
        create_location(database, admin, LocationInput("SITE", "Site", LocationLevel.SITE.value))
        create_location(
            database, admin, LocationInput("STORE", "Store", LocationLevel.AREA.value, parent_code="SITE")
        )
        create_location(
            database, admin, LocationInput("A1", "Bin", LocationLevel.BIN.value, parent_code="STORE")
        )
    finally:
        database.dispose()
    env = {k: v for k, v in os.environ.items() if k not in ("STOREROOM_DB_URL", "STOREROOM_PIN")}
    env["STOREROOM_HOME"] = str(tmp_path)
    args = [sys.executable, "-c", LABELS_PROBE, str(db), str(tmp_path / "l.pdf")]
    done = subprocess.run(args, capture_output=True, text=True, check=True, env=env)
    models, orm_and_services = done.stdout.strip().splitlines()[-2:]
    assert (tmp_path / "l.pdf").read_bytes().startswith(b"%PDF"), done.stdout
    assert models == "['desktop.models.enums']"
    assert orm_and_services == str(
        [
            "desktop.services.actor",
            "desktop.services.admin",
            "desktop.services.admin.script_access",
            "desktop.services.catalogue",
            "desktop.services.catalogue.label_rows",
        ]
    )
