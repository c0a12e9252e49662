"""Alembic environment: the connection comes from the app (desktop.db) or, from the alembic CLI,
from STOREROOM_DB_URL. No fileConfig(): it would disable the application's loggers."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection, Engine, create_engine

from desktop.db import normalize_url
from desktop.models import load_all

config = context.config
target_metadata = load_all()  # every table, for autogenerate


# Made by migrations in raw SQL, unknown to the models: the part search index (0009_part_search), an
# FTS5 table with its shadow tables on SQLite and a pg_trgm index on PostgreSQL.
_NOT_MODELLED = ("part_search", "ix_part_search")


def _modelled(name: str | None, type_: str, parent_names: object) -> bool:
    return not (name or "").startswith(_NOT_MODELLED)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        include_name=_modelled,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        connectable = create_engine(normalize_url(os.environ["STOREROOM_DB_URL"]))
    if isinstance(connectable, Engine):
        with connectable.connect() as connection:
            _run(connection)
            connection.commit()
    else:
        _run(connectable)


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; run them against a database.")
run_migrations_online()
