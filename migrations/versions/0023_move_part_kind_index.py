"""the ledger's per-part index carries the move's kind

Revision ID: 0023_move_part_kind_index
Revises: 0022_count_lots
Create Date: 2026-12-09 10:00:00

The KPIs ask, part by part, whether a part was issued, scrapped or received (dead stock) or consumed
(out of stock now) since a day: ix_stock_move_part_at (part_id, at) found the window's moves, but each
move's kind was read from the table row, a random read per part over the whole ledger. The index
becomes (part_id, at, kind), so those probes read the index alone; every query that used (part_id, at)
uses its prefix. Built from the existing moves, so there is nothing to backfill.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0023_move_part_kind_index"
down_revision: str | None = "0022_count_lots"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD, _NEW = "ix_stock_move_part_at", "ix_stock_move_part_at_kind"


def upgrade() -> None:
    op.create_index(_NEW, "stock_move", ["part_id", "at", "kind"])
    op.drop_index(_OLD, table_name="stock_move")


def downgrade() -> None:
    op.create_index(_OLD, "stock_move", ["part_id", "at"])
    op.drop_index(_NEW, table_name="stock_move")
