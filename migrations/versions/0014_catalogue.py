"""catalogue: category tree, manufacturers, admin units, supplier details, several SKUs per supplier

Revision ID: 0014_catalogue
Revises: 0011_count_detail
Create Date: 2026-12-06 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_catalogue"
down_revision: str | None = "0013_figures"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _stamps() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("path", sa.String(400), nullable=False),
        sa.Column("path_key", sa.String(400), nullable=False),
        sa.Column("description", sa.String(200), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(["parent_id"], ["category.id"], name=op.f("fk_category_parent_id_category")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_category")),
        sa.UniqueConstraint("path_key", name=op.f("uq_category_path_key")),
    )
    op.create_index(op.f("ix_category_parent_id"), "category", ["parent_id"])
    op.create_table(
        "part_category",
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["part_id"], ["part.id"], name=op.f("fk_part_category_part_id_part"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["category_id"], ["category.id"], name=op.f("fk_part_category_category_id_category")
        ),
        sa.PrimaryKeyConstraint("part_id", name=op.f("pk_part_category")),
    )
    op.create_index(op.f("ix_part_category_category_id"), "part_category", ["category_id"])
    op.create_table(
        "manufacturer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("name_key", sa.String(80), nullable=False),
        sa.Column("website", sa.String(200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manufacturer")),
        sa.UniqueConstraint("name_key", name=op.f("uq_manufacturer_name_key")),
    )
    op.create_table(
        "unit_of_measure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(8), nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("aliases", sa.String(200), nullable=True),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_of_measure")),
        sa.UniqueConstraint("code", name=op.f("uq_unit_of_measure_code")),
    )
    # plain ADD COLUMN (nullable, no default): no table rebuild on SQLite
    op.add_column("supplier", sa.Column("address", sa.String(300), nullable=True))
    op.add_column("supplier", sa.Column("website", sa.String(200), nullable=True))
    op.add_column("supplier", sa.Column("currency", sa.String(3), nullable=True))
    # several supplier part numbers per part and supplier: unique per SKU instead of per supplier
    with op.batch_alter_table("part_supplier") as batch:
        batch.add_column(sa.Column("sku_key", sa.String(60), nullable=True))
        batch.drop_constraint("uq_part_supplier_part_id_supplier_id", type_="unique")
        batch.create_unique_constraint(
            "uq_part_supplier_part_id_supplier_id_sku_key", ["part_id", "supplier_id", "sku_key"]
        )
        batch.create_index("ix_part_supplier_sku_key", ["sku_key"])
    op.execute("UPDATE part_supplier SET sku_key = UPPER(supplier_part_number)")


def downgrade() -> None:
    # one SKU per part and supplier again: keep the first of each
    op.execute(
        "DELETE FROM part_supplier WHERE id NOT IN "
        "(SELECT MIN(id) FROM part_supplier GROUP BY part_id, supplier_id)"
    )
    with op.batch_alter_table("part_supplier") as batch:
        batch.drop_index("ix_part_supplier_sku_key")
        batch.drop_constraint("uq_part_supplier_part_id_supplier_id_sku_key", type_="unique")
        batch.create_unique_constraint("uq_part_supplier_part_id_supplier_id", ["part_id", "supplier_id"])
        batch.drop_column("sku_key")
    with op.batch_alter_table("supplier") as batch:
        batch.drop_column("currency")
        batch.drop_column("website")
        batch.drop_column("address")
    op.drop_table("unit_of_measure")
    op.drop_table("manufacturer")
    op.drop_index(op.f("ix_part_category_category_id"), table_name="part_category")
    op.drop_table("part_category")
    op.drop_index(op.f("ix_category_parent_id"), table_name="category")
    op.drop_table("category")
