"""A shared PostgreSQL schema is upgraded by its owner only, after a pg_dump; clients that find it
older than they need, or being upgraded, say so and change nothing; a newer schema is refused."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from desktop import db as dbmod
from desktop import pg_upgrade, schema
from desktop.cli.main import main
from desktop.db import Database
from desktop.errors import DatabaseUnavailable, PermissionDenied, UserError
from tests.conftest import create_pg_database, drop_pg_database, pg_admin_url

pytestmark = pytest.mark.postgres
OLD = "0011_count_detail"


@pytest.fixture
def older(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A server database at the revision before head, with a row in it; yields its URL."""
    monkeypatch.setenv("STOREROOM_HOME", str(tmp_path))
    url = create_pg_database("storeroom_upgrade")
    database = Database(url)
    schema.upgrade(database, OLD, backup=False)
    with database.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO app_user (user_name, display_name, role, active) "
                "VALUES ('old', 'Old', 'ADMIN', true)"
            )
        )
    database.dispose()
    yield url
    drop_pg_database(url)


def _revision(url: str) -> str | None:
    database = Database(url)
    try:
        return schema.current_revision(database)
    finally:
        database.dispose()


def test_a_client_does_not_upgrade_the_shared_schema_it_says_who_must(older: str, tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailable) as refused:
        dbmod.open_database(older)
    assert (
        f"needs an upgrade by an administrator (schema {OLD}; this Storeroom needs" in refused.value.message
    )
    assert "'storeroom upgrade' as the schema owner" in refused.value.message
    assert _revision(older) == OLD
    assert not (tmp_path / "backups").exists() or not any((tmp_path / "backups").iterdir())


def test_while_the_owner_upgrades_other_clients_are_told_to_wait(older: str) -> None:
    holder = create_engine(dbmod.normalize_url(older))
    with holder.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": pg_upgrade.MIGRATION_LOCK})
        with pytest.raises(DatabaseUnavailable, match="being upgraded by an administrator right now"):
            dbmod.open_database(older)
        with pytest.raises(DatabaseUnavailable, match="being upgraded"):  # a second owner waits too
            schema.upgrade(Database(older), backup=False)
        conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": pg_upgrade.MIGRATION_LOCK})
    holder.dispose()
    assert _revision(older) == OLD


def test_only_the_schema_owner_upgrades(older: str) -> None:
    role = f"storeroom_client_{uuid.uuid4().hex[:8]}"
    admin = create_engine(str(pg_admin_url()), isolation_level="AUTOCOMMIT")
    owner = create_engine(dbmod.normalize_url(older))
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD 'pw'"))
        with owner.begin() as conn:
            conn.execute(text(f"GRANT SELECT ON alembic_version TO {role}"))
        client = Database(
            make_url(older).set(username=role, password="pw").render_as_string(hide_password=False)
        )
        with pytest.raises(PermissionDenied, match=r"Only the schema owner \(storeroom\) can upgrade"):
            schema.upgrade(client, backup=False)
        client.dispose()
        assert _revision(older) == OLD
    finally:
        with owner.begin() as conn:
            conn.execute(text(f"REVOKE ALL ON alembic_version FROM {role}"))
        owner.dispose()
        with admin.connect() as conn:
            # the client's backend ends a moment after its pool closes; dropping the database later
            # (WITH FORCE) may not signal a backend of another role, so wait until it has gone
            gone = text("SELECT count(*) FROM pg_stat_activity WHERE usename = :role")
            deadline = time.monotonic() + 10
            while conn.execute(gone, {"role": role}).scalar() and time.monotonic() < deadline:
                time.sleep(0.05)
            conn.execute(text(f'REVOKE ALL ON DATABASE "{make_url(older).database}" FROM {role}'))
            conn.execute(text(f"DROP ROLE {role}"))
        admin.dispose()


def test_the_owner_upgrades_after_a_pg_dump(
    older: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)  # no client tools on this PC
    assert main(["--db", older, "upgrade"]) == 2
    assert "pg_dump (the PostgreSQL client tools) is not installed" in capsys.readouterr().err
    assert _revision(older) == OLD
    monkeypatch.undo()
    monkeypatch.setenv("STOREROOM_HOME", str(tmp_path))
    assert main(["--db", older, "upgrade"]) == 0
    out = capsys.readouterr().out
    assert f"schema {OLD} -> {schema.head_revision()}" in out
    dumps = list((tmp_path / "backups").glob(f"*-before-upgrade-{OLD}.dump"))
    assert len(dumps) == 1 and str(dumps[0]) in out
    listing = subprocess.run(
        ["pg_restore", "--list", str(dumps[0])], capture_output=True, text=True, check=True
    )
    assert "TABLE DATA public app_user" in listing.stdout and "TABLE DATA public stock_move" in listing.stdout
    assert _revision(older) == schema.head_revision()
    dbmod.open_database(older).dispose()  # clients start again


def test_a_newer_schema_on_the_server_is_refused(older: str) -> None:
    database = Database(older)
    schema.upgrade(database, backup=False)
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099_newer'"))
    with pytest.raises(
        UserError, match=r"upgraded by a newer Storeroom \(Storeroom .*, schema revision 0099_newer\)"
    ):
        dbmod.open_database(older)
    with pytest.raises(UserError, match="upgraded by a newer Storeroom"):
        schema.upgrade(database, backup=False)
    database.dispose()
