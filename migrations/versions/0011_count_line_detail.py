"""count lines keep count 1 when recounted, and why they are in the count

Revision ID: 0011_count_detail
Revises: 0010_balance_cover
Create Date: 2026-11-25 11:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_count_detail"
down_revision: str | None = "0010_balance_cover"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # plain ADD COLUMN (nullable, no default): no table rebuild on SQLite
    op.add_column("count_line", sa.Column("first_count_qty", sa.Numeric(18, 4), nullable=True))
    op.add_column("count_line", sa.Column("reason", sa.String(120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("count_line") as batch:
        batch.drop_column("reason")
        batch.drop_column("first_count_qty")
