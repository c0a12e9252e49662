"""po external: the ERP's own number of a purchase order that was ordered there and imported to be
received here (matched on it when the ERP's open lines are imported again)

Revision ID: 0020_po_external
Revises: 0019_purchasing
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_po_external"
down_revision: str | None = "0019_purchasing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("purchase_order") as batch:
        batch.add_column(sa.Column("external_number", sa.String(40), nullable=True))
        batch.create_unique_constraint(op.f("uq_purchase_order_external_number"), ["external_number"])


def downgrade() -> None:
    with op.batch_alter_table("purchase_order") as batch:
        batch.drop_constraint(op.f("uq_purchase_order_external_number"), type_="unique")
        batch.drop_column("external_number")
