"""a covering index for searching the parts list sorted by description (SQLite)

Revision ID: 0024_part_search_by_description
Revises: 0023_move_part_kind_index
Create Date: 2026-12-07 15:00:00

Search as you type finds its first page by walking the sort order and stopping at a page of matches.
Sorted by part number, 0009's covering index (number_key, description, mpn_key, active) is that order,
so the walk reads the index alone. Sorted by description, the walk went through ix_part_description and
read every part's row to test it: 121 ms for a rare word over 100,000 parts, so it had to be cut short
and followed by a scan. This index is the description order (ties by part number) holding the searched
columns. PostgreSQL searches through pg_trgm and needs nothing here.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0024_part_search_by_description"
down_revision: str | None = "0023_move_part_kind_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Named under 0009's prefix: migrations/env.py leaves the part search's raw-SQL objects out of `check`.
_NAME = "ix_part_search_by_description"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"CREATE INDEX {_NAME} ON part (description, number_key, mpn_key, active)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP INDEX IF EXISTS {_NAME}")
