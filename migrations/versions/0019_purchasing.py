"""purchasing: purchase orders, their lines, and the receipts posted against them

Revision ID: 0019_purchasing
Revises: 0018_kpi_daily
Create Date: 2026-12-06 20:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_purchasing"
down_revision: str | None = "0018_kpi_daily"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QTY = sa.Numeric(18, 4, asdecimal=True)


def _stamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "purchase_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(20), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("needed_by", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["supplier.id"], name=op.f("fk_purchase_order_supplier_id_supplier")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["app_user.id"], name=op.f("fk_purchase_order_created_by_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"], ["app_user.id"], name=op.f("fk_purchase_order_changed_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_order")),
        sa.UniqueConstraint("number", name=op.f("uq_purchase_order_number")),
    )
    op.create_index(op.f("ix_purchase_order_supplier_id"), "purchase_order", ["supplier_id"])
    op.create_index("ix_purchase_order_state_supplier", "purchase_order", ["state", "supplier_id"])
    op.create_table(
        "purchase_order_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("supplier_part_number", sa.String(60), nullable=True),
        sa.Column("packs", QTY, nullable=False),
        sa.Column("pack_size", QTY, nullable=False),
        sa.Column("unit_price", QTY, nullable=True),
        sa.Column("needed_by", sa.Date(), nullable=True),
        sa.Column("received_qty", QTY, nullable=False),
        sa.Column("kanban_card_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.CheckConstraint("packs > 0", name=op.f("ck_purchase_order_line_packs_positive")),
        sa.CheckConstraint("pack_size > 0", name=op.f("ck_purchase_order_line_pack_size_positive")),
        sa.CheckConstraint("received_qty >= 0", name=op.f("ck_purchase_order_line_received_not_negative")),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["purchase_order.id"],
            name=op.f("fk_purchase_order_line_order_id_purchase_order"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["part_id"], ["part.id"], name=op.f("fk_purchase_order_line_part_id_part")),
        sa.ForeignKeyConstraint(
            ["kanban_card_id"],
            ["kanban_card.id"],
            name=op.f("fk_purchase_order_line_kanban_card_id_kanban_card"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_order_line")),
        sa.UniqueConstraint("order_id", "line_no", name=op.f("uq_purchase_order_line_order_id_line_no")),
    )
    op.create_index("ix_purchase_order_line_part_order", "purchase_order_line", ["part_id", "order_id"])
    op.create_index(op.f("ix_purchase_order_line_kanban_card_id"), "purchase_order_line", ["kanban_card_id"])
    op.create_table(
        "purchase_receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("move_id", sa.Integer(), nullable=False),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["purchase_order_line.id"],
            name=op.f("fk_purchase_receipt_line_id_purchase_order_line"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["move_id"], ["stock_move.id"], name=op.f("fk_purchase_receipt_move_id_stock_move")
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by_id"], ["app_user.id"], name=op.f("fk_purchase_receipt_confirmed_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_receipt")),
        sa.UniqueConstraint("move_id", name=op.f("uq_purchase_receipt_move_id")),
    )
    op.create_index(op.f("ix_purchase_receipt_line_id"), "purchase_receipt", ["line_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_purchase_receipt_line_id"), table_name="purchase_receipt")
    op.drop_table("purchase_receipt")
    op.drop_index(op.f("ix_purchase_order_line_kanban_card_id"), table_name="purchase_order_line")
    op.drop_index("ix_purchase_order_line_part_order", table_name="purchase_order_line")
    op.drop_table("purchase_order_line")
    op.drop_index("ix_purchase_order_state_supplier", table_name="purchase_order")
    op.drop_index(op.f("ix_purchase_order_supplier_id"), table_name="purchase_order")
    op.drop_table("purchase_order")
