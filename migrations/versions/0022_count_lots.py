"""count lines per lot: a tracked part is counted per lot (or serial) in each bin

Revision ID: 0022_count_lots
Revises: 0021_lots
Create Date: 2026-12-08 10:00:00

Existing lines keep lot_id NULL (an untracked part's line, as before). The unique rule becomes one line
per (session, part, bin, lot), with a partial unique index for the lines without a lot (NULLs are distinct
in a unique constraint). count_line carries no trigger, so the batch rebuild on SQLite loses nothing. The
way down refuses while lot lines exist: dropping the column would fold several lines into one (part, bin)
and break the old unique rule.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_count_lots"
down_revision: str | None = "0021_lots"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_UQ = "uq_count_line_session_id_part_id_location_id"
_NEW_UQ = "uq_count_line_session_id_part_id_location_id_lot_id"
_NO_LOT = "ux_count_line_no_lot"
_WHERE = {"sqlite_where": sa.text("lot_id IS NULL"), "postgresql_where": sa.text("lot_id IS NULL")}


def upgrade() -> None:
    with op.batch_alter_table("count_line") as batch:
        batch.add_column(sa.Column("lot_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f("fk_count_line_lot_id_lot"), "lot", ["lot_id"], ["id"])
        batch.drop_constraint(_OLD_UQ, type_="unique")
        batch.create_unique_constraint(_NEW_UQ, ["session_id", "part_id", "location_id", "lot_id"])
    op.create_index(_NO_LOT, "count_line", ["session_id", "part_id", "location_id"], unique=True, **_WHERE)


def downgrade() -> None:
    if op.get_bind().execute(sa.text("SELECT 1 FROM count_line WHERE lot_id IS NOT NULL LIMIT 1")).first():
        raise RuntimeError(
            "count lines per lot exist: a database at 0021 cannot hold them (restore the backup taken "
            "before the upgrade instead)"
        )
    op.drop_index(_NO_LOT, table_name="count_line", **_WHERE)
    with op.batch_alter_table("count_line") as batch:
        batch.drop_constraint(_NEW_UQ, type_="unique")
        batch.create_unique_constraint(_OLD_UQ, ["session_id", "part_id", "location_id"])
        batch.drop_constraint("fk_count_line_lot_id_lot", type_="foreignkey")
        batch.drop_column("lot_id")
