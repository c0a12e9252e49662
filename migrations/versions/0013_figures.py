"""figures: the history of part costs (kept by triggers) and the stored count plan

Revision ID: 0013_figures
Revises: 0011_count_detail
Create Date: 2026-12-06 08:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_figures"
down_revision: str | None = "0012_access_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_TRIGGERS = (
    "CREATE TRIGGER part_cost_insert AFTER INSERT ON part BEGIN "
    "INSERT INTO part_cost (part_id, unit_cost, effective_from) "
    "VALUES (NEW.id, NEW.unit_cost, CURRENT_TIMESTAMP); END",
    "CREATE TRIGGER part_cost_update AFTER UPDATE OF unit_cost ON part "
    "WHEN NEW.unit_cost IS NOT OLD.unit_cost BEGIN "
    "INSERT INTO part_cost (part_id, unit_cost, effective_from) "
    "VALUES (NEW.id, NEW.unit_cost, CURRENT_TIMESTAMP); END",
)
_PG_FUNCTION = """
CREATE FUNCTION part_cost_history() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.unit_cost IS DISTINCT FROM OLD.unit_cost THEN
        INSERT INTO part_cost (part_id, unit_cost, effective_from) VALUES (NEW.id, NEW.unit_cost, now());
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""
_PG_TRIGGER = (
    "CREATE TRIGGER part_cost_history AFTER INSERT OR UPDATE OF unit_cost ON part "
    "FOR EACH ROW EXECUTE FUNCTION part_cost_history()"
)


def upgrade() -> None:
    op.create_table(
        "part_cost",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("unit_cost", sa.Numeric(18, 4), nullable=False),
        sa.Column("effective_from", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["part_id"], ["part.id"], name="fk_part_cost_part_id_part"),
        sa.PrimaryKeyConstraint("id", name="pk_part_cost"),
    )
    op.create_index("ix_part_cost_part_from", "part_cost", ["part_id", "effective_from"])
    # what is known today: each part's cost, in force since the part was made
    op.execute(
        "INSERT INTO part_cost (part_id, unit_cost, effective_from) "
        "SELECT id, unit_cost, created_at FROM part"
    )
    if op.get_bind().dialect.name == "sqlite":
        for sql in _SQLITE_TRIGGERS:
            op.execute(sql)
    else:
        op.execute(_PG_FUNCTION)
        op.execute(_PG_TRIGGER)
    op.create_table(
        "count_plan_slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("part_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("per_year", sa.Integer(), nullable=False),
        sa.Column("dealt_on", sa.Date(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["part_id"], ["part.id"], name="fk_count_plan_slot_part_id_part"),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name="fk_count_plan_slot_location_id_location"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_count_plan_slot"),
        sa.UniqueConstraint(
            "part_id", "location_id", "due", name="uq_count_plan_slot_part_id_location_id_due"
        ),
    )
    op.create_index("ix_count_plan_slot_due", "count_plan_slot", ["due"])
    op.create_index("ix_count_line_part_location", "count_line", ["part_id", "location_id"])


def downgrade() -> None:
    op.drop_index("ix_count_line_part_location", table_name="count_line")
    op.drop_index("ix_count_plan_slot_due", table_name="count_plan_slot")
    op.drop_table("count_plan_slot")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS part_cost_insert")
        op.execute("DROP TRIGGER IF EXISTS part_cost_update")
    else:
        op.execute("DROP TRIGGER IF EXISTS part_cost_history ON part")
        op.execute("DROP FUNCTION IF EXISTS part_cost_history()")
    op.drop_index("ix_part_cost_part_from", table_name="part_cost")
    op.drop_table("part_cost")
