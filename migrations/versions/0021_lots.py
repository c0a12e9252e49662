"""lots: per-part tracking (NONE / LOT / SERIAL) and shelf life, the lot table, the ledger's lot, and the
stock of each lot per bin

Revision ID: 0021_lots
Revises: 0020_po_external
Create Date: 2026-12-06 22:00:00

Existing moves keep lot_id NULL ("no lot") and every part starts untracked: nothing already posted
changes. The ledger's new column is added in place (ALTER TABLE ... ADD COLUMN), never by rebuilding
stock_move, because a rebuild on SQLite would drop the kpi_day triggers of 0018; only the downgrade on
SQLite has to rebuild the table, and it puts those triggers back.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "0021_lots"
down_revision: str | None = "0020_po_external"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QTY = sa.Numeric(18, 4, asdecimal=True)


def upgrade() -> None:
    # in place, not a batch rebuild: part carries the search and cost triggers of 0009 and 0013
    op.add_column("part", sa.Column("tracking", sa.String(8), server_default="NONE", nullable=False))
    op.add_column("part", sa.Column("shelf_life_days", sa.Integer(), nullable=True))
    op.add_column("part", sa.Column("expiry_warning_days", sa.Integer(), nullable=True))
    op.create_table(
        "lot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("lot_number", sa.String(40), nullable=False),
        sa.Column("lot_key", sa.String(40), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("supplier_id", sa.Integer(), nullable=True),
        sa.Column("released_by_id", sa.Integer(), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["part_id"], ["part.id"], name=op.f("fk_lot_part_id_part")),
        sa.ForeignKeyConstraint(["supplier_id"], ["supplier.id"], name=op.f("fk_lot_supplier_id_supplier")),
        sa.ForeignKeyConstraint(
            ["released_by_id"], ["app_user.id"], name=op.f("fk_lot_released_by_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lot")),
        sa.UniqueConstraint("part_id", "lot_key", name=op.f("uq_lot_part_id_lot_key")),
    )
    op.create_index("ix_lot_lot_key", "lot", ["lot_key"])
    op.create_index("ix_lot_expires_on", "lot", ["expires_on"])
    op.create_table(
        "lot_balance",
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.Integer(), nullable=False),
        sa.Column("qty", QTY, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["part_id"], ["part.id"], name=op.f("fk_lot_balance_part_id_part")),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_lot_balance_location_id_location")
        ),
        sa.ForeignKeyConstraint(["lot_id"], ["lot.id"], name=op.f("fk_lot_balance_lot_id_lot")),
        sa.PrimaryKeyConstraint("part_id", "location_id", "lot_id", name=op.f("pk_lot_balance")),
    )
    op.create_index("ix_lot_balance_lot_id", "lot_balance", ["lot_id"])
    if op.get_bind().dialect.name == "sqlite":  # in place: a batch rebuild would drop 0018's triggers
        op.execute(
            "ALTER TABLE stock_move ADD COLUMN lot_id INTEGER "
            "CONSTRAINT fk_stock_move_lot_id_lot REFERENCES lot (id)"
        )
    else:
        op.add_column("stock_move", sa.Column("lot_id", sa.Integer(), nullable=True))
        op.create_foreign_key(op.f("fk_stock_move_lot_id_lot"), "stock_move", "lot", ["lot_id"], ["id"])
    op.create_index("ix_stock_move_lot_at", "stock_move", ["lot_id", "at"])


def _kpi_triggers() -> list[str]:
    """0018's SQLite triggers, which name stock_move: a rebuild of the table needs them out of the way."""
    path = Path(__file__).with_name("0018_kpi_daily.py")
    spec = importlib.util.spec_from_file_location("storeroom_migration_0018", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    triggers: list[str] = module._sqlite_triggers()
    return triggers


def downgrade() -> None:
    op.drop_index("ix_stock_move_lot_at", table_name="stock_move")
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot drop a column that references another table: rebuild stock_move without it, with
        # 0018's triggers dropped first (a rename checks every trigger naming the table) and put back after
        triggers = _kpi_triggers()
        for sql in triggers:
            op.execute(f"DROP TRIGGER IF EXISTS {sql.split()[2]}")
        with op.batch_alter_table("stock_move", schema=None) as batch_op:
            batch_op.drop_column("lot_id")
        for sql in triggers:
            op.execute(sql)
    else:
        op.drop_constraint(op.f("fk_stock_move_lot_id_lot"), "stock_move", type_="foreignkey")
        op.drop_column("stock_move", "lot_id")
    op.drop_index("ix_lot_balance_lot_id", table_name="lot_balance")
    op.drop_table("lot_balance")
    op.drop_index("ix_lot_expires_on", table_name="lot")
    op.drop_index("ix_lot_lot_key", table_name="lot")
    op.drop_table("lot")
    for column in ("expiry_warning_days", "shelf_life_days", "tracking"):  # SQLite 3.35+ drops in place
        op.execute(f"ALTER TABLE part DROP COLUMN {column}")
