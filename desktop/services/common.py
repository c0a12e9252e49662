"""Small helpers shared by the service modules."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, Select, Table, func, insert, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.types import NullType

from desktop.errors import UserError
from desktop.services.text_rules import refuse_controls

T = TypeVar("T")


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive UTC timestamps, PostgreSQL aware ones: make them all aware."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def as_driver_gives(expr: Any) -> ColumnElement[Any]:
    """`expr` read as the driver returns it (SQLite: int or float; PostgreSQL: Decimal), without
    SQLAlchemy's decimal conversion of each value: for a figure of every part of the plant that is used
    as a float, or made exact in one pass (100,000 conversions cost about 1 s in What to order)."""
    return type_coerce(expr, NullType())


# Bound parameters per statement, under SQLite's limit: 32,766 since 3.32, 999 before (an older system
# SQLite under Python's sqlite3 would refuse a longer INSERT).
_SQLITE_VARIABLES = 30_000 if sqlite3.sqlite_version_info >= (3, 32, 0) else 900


def bulk_insert(s: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT many rows that all name the same columns. On SQLite, as multi-row INSERTs straight to the
    driver, each value through its own column's conversion and the columns' Python defaults added:
    SQLAlchemy's building of each row's parameters cost more than the inserts themselves (about 3 s of an
    import of 100,000 parts). On PostgreSQL, SQLAlchemy's batched insert."""
    if not rows:
        return
    dialect = s.get_bind().dialect
    keys = list(rows[0])
    missing = [c for c in table.c if c.key not in keys and c.default is not None]
    if dialect.name != "sqlite" or not all(c.default.is_scalar for c in missing):  # type: ignore[union-attr]
        for start in range(0, len(rows), 2000):
            s.execute(insert(table), list(rows[start : start + 2000]))
        return
    fixed = tuple(c.default.arg for c in missing)  # type: ignore[union-attr]
    columns = [*(table.c[k] for k in keys), *missing]
    converts = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in columns]
    quote = dialect.identifier_preparer.quote
    head = f"INSERT INTO {quote(table.name)} ({', '.join(quote(c.name) for c in columns)}) VALUES "
    one = f"({', '.join('?' * len(columns))})"
    per_statement = max(1, _SQLITE_VARIABLES // len(columns))
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        values = [
            f(v) if f is not None else v
            for row in chunk
            for f, v in zip(converts, (*(row[k] for k in keys), *fixed), strict=True)
        ]
        s.connection().exec_driver_sql(head + ", ".join([one] * len(chunk)), tuple(values))


def upsert_insert(dialect: str) -> Any:
    """`insert` of the dialect's own module, for INSERT ... ON CONFLICT, imported on first use: the
    PostgreSQL dialect takes 28 ms to import, which a command on a SQLite file that maps no model never
    needs (the app loads it anyway: a model's index has a `postgresql_where`)."""
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    return pg_insert


def days_between(s: Session, start: Any, end: Any) -> ColumnElement[Any]:
    """`end - start` in (fractional) days, worked out by the database: no timestamp of every row is
    parsed in Python (SQLite keeps them as text)."""
    if s.get_bind().dialect.name == "sqlite":
        return func.julianday(end) - func.julianday(start)
    return func.extract("epoch", end - start) / 86400


def db_time(s: Session, moment: datetime) -> datetime:
    """A UTC moment as the database compares it: SQLite keeps naive UTC text, PostgreSQL timestamptz."""
    return moment.replace(tzinfo=None) if s.get_bind().dialect.name == "sqlite" else moment


def clean_text(
    value: str | None, *, field: str, label: str, max_len: int, required: bool = False
) -> str | None:
    """A one-line text: no control or bidi characters (text_rules), whitespace folded, length checked."""
    refuse_controls(value, field=field, label=label)
    text = " ".join((value or "").split())
    if not text:
        if required:
            raise UserError(f"{label} is required.", field=field)
        return None
    if len(text) > max_len:
        raise UserError(f"{label} is too long ({len(text)} characters, at most {max_len}).", field=field)
    return text


def like_pattern(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with LIKE's wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def first_column(s: Session, stmt: Select[tuple[T]]) -> list[T]:
    """The first column of every row, read straight from the DBAPI cursor. For the id lists of the big
    views (up to 100,000 rows) SQLAlchemy's per-row result processing cost more than the query itself
    (92,000 ids: 99 ms through the result, 40 ms from the cursor); plain ids and keys need none of it."""
    result = s.connection().execute(stmt)
    try:
        return [row[0] for row in result.cursor.fetchall()]
    finally:
        result.close()


def connection_of(s: Session | Connection) -> Connection:
    """The connection to run a Core statement on, from a session or a connection already in hand."""
    return s if isinstance(s, Connection) else s.connection()
