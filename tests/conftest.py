"""Shared fixtures: a migrated database on SQLite (always) and PostgreSQL (when a server is given).

PostgreSQL comes from STOREROOM_TEST_PG_URL (a URL to any database the user may CREATE DATABASE
from). Without it the PostgreSQL half is skipped on a developer's machine, but in CI (CI=true) it
fails: a CI run must never pass by silently skipping the shared-database tests.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from desktop import schema
from desktop.db import Database, normalize_url
from desktop.models import load_all
from desktop.models.enums import Role
from desktop.services.actor import Actor
from desktop.services.admin.users import ensure_user

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PG_ENV = "STOREROOM_TEST_PG_URL"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pg_admin_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url:
        if _in_ci():
            pytest.fail(f"CI=true but {PG_ENV} is not set: PostgreSQL tests cannot be skipped in CI")
        pytest.skip(f"{PG_ENV} not set (PostgreSQL tests run in CI)")
    return normalize_url(url)


def create_pg_database(prefix: str = "storeroom_test") -> str:
    """A new empty database on the test server; returns its URL."""
    admin = pg_admin_url()
    assert admin is not None
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        engine = create_engine(admin, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
    except Exception as exc:  # any failure to reach the server
        if _in_ci():
            pytest.fail(f"cannot reach the PostgreSQL test server: {exc}")
        pytest.skip(f"PostgreSQL test server unreachable: {exc}")
    from sqlalchemy import make_url

    return make_url(admin).set(database=name).render_as_string(hide_password=False)


def drop_pg_database(url: str) -> None:
    from sqlalchemy import make_url

    admin = pg_admin_url()
    assert admin is not None
    name = make_url(url).database
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


@pytest.fixture(autouse=True)
def _own_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own data folder: settings, backups and the default database never touch
    the real user's (a saved text size or database choice would leak between tests)."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("STOREROOM_HOME", str(home))
    monkeypatch.delenv("STOREROOM_DB_URL", raising=False)  # the default database in that folder
    monkeypatch.delenv("STOREROOM_PIN", raising=False)


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """This test's data folder (see _own_data_folder): where the default SQLite database is made."""
    return tmp_path / "home"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per test session; each test gets a copy (migrating is the slow part)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    database = Database(str(path))
    schema.upgrade(database, backup=False)
    database.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template_url() -> Iterator[str]:
    url = create_pg_database()
    database = Database(url)
    schema.upgrade(database, backup=False)
    database.dispose()
    yield url
    drop_pg_database(url)


def _truncate_all(database: Database) -> None:
    tables = ", ".join(f'"{t.name}"' for t in reversed(load_all().sorted_tables))
    with database.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def sqlite_db(sqlite_template: Path, tmp_path: Path) -> Iterator[Database]:
    target = tmp_path / "storeroom.sqlite3"
    shutil.copy(sqlite_template, target)
    database = Database(str(target))
    yield database
    database.dispose()


@pytest.fixture
def pg_db(request: pytest.FixtureRequest) -> Iterator[Database]:
    url = request.getfixturevalue("pg_template_url")
    database = Database(url)
    _truncate_all(database)
    yield database
    database.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> Database:
    """The same service test on both databases."""
    name = "sqlite_db" if request.param == "sqlite" else "pg_db"
    database: Database = request.getfixturevalue(name)
    return database


@pytest.fixture
def admin(db: Database) -> Actor:
    return ensure_user(db, "admin", role=Role.ADMIN)


@pytest.fixture
def keeper(db: Database, admin: Actor) -> Actor:
    return ensure_user(db, "keeper", role=Role.KEEPER)
