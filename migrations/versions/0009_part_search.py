"""Part search index: SQLite FTS5 trigram table kept by triggers; PostgreSQL pg_trgm GIN index.

Substring search over 100,000 parts scanned every row (≈20 ms a keystroke, more with many matches);
a trigram index answers words of three characters or more. Shorter words still scan, on SQLite a
covering index narrower than the table.

Revision ID: 0009_part_search
Revises: 0008_planning
"""

from __future__ import annotations

import logging

from alembic import op
from sqlalchemy.exc import DBAPIError

revision = "0009_part_search"
down_revision = "0008_planning"
branch_labels = None
depends_on = None

_log = logging.getLogger(__name__)
_COLUMNS = "number_key, description, mpn_key"
_NEW = "new.id, new.number_key, new.description, new.mpn_key"
_OLD = "'delete', old.id, old.number_key, old.description, old.mpn_key"

# Batch migrations rebuild a SQLite table and drop its triggers: a later migration that alters `part`
# must create these again (tests/migrations checks that they exist at head).
SQLITE = [
    f"CREATE VIRTUAL TABLE part_search USING fts5({_COLUMNS}, content='part', content_rowid='id', "
    "tokenize='trigram')",
    f"CREATE TRIGGER part_search_insert AFTER INSERT ON part BEGIN "
    f"INSERT INTO part_search(rowid, {_COLUMNS}) VALUES ({_NEW}); END",
    f"CREATE TRIGGER part_search_delete AFTER DELETE ON part BEGIN "
    f"INSERT INTO part_search(part_search, rowid, {_COLUMNS}) VALUES ({_OLD}); END",
    f"CREATE TRIGGER part_search_update AFTER UPDATE OF {_COLUMNS} ON part BEGIN "
    f"INSERT INTO part_search(part_search, rowid, {_COLUMNS}) VALUES ({_OLD}); "
    f"INSERT INTO part_search(rowid, {_COLUMNS}) VALUES ({_NEW}); END",
    "INSERT INTO part_search(part_search) VALUES ('rebuild')",
    # Words under three characters scan with LIKE: a covering index is a third narrower than the table.
    "CREATE INDEX ix_part_search_scan ON part (number_key, description, mpn_key, active)",
]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for sql in SQLITE:
            op.execute(sql)
        return
    # pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it. Where the
    # account may not, search works without the index (a scan), so the upgrade goes on.
    try:
        with bind.begin_nested():
            op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError as exc:
        _log.warning("pg_trgm not available (%s): part search will scan the table", exc.orig)
        return
    op.execute(
        "CREATE INDEX ix_part_search_trgm ON part USING gin "
        "(number_key gin_trgm_ops, description gin_trgm_ops, mpn_key gin_trgm_ops)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP INDEX IF EXISTS ix_part_search_scan")
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS part_search_{name}")
        op.execute("DROP TABLE IF EXISTS part_search")
        return
    op.execute("DROP INDEX IF EXISTS ix_part_search_trgm")
