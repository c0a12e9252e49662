"""Alembic environment: the connection comes from the app (desktop.db) or, from the alembic CLI,
from STOREROOM_DB_URL. No fileConfig(): it would disable the application's loggers."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection, Engine, create_engine

from desktop.db import normalize_url
from desktop.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
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
