"""sign-in lock-outs, runtime roles, and the audit trail as a hash chain

Existing audit rows are chained in id order, so `storeroom audit verify` covers them too.

Revision ID: 0012_access_audit
Revises: 0011_count_detail
Create Date: 2026-12-06 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from desktop.services.admin.audit_chain import GENESIS, row_hash

revision: str = "0012_access_audit"
down_revision: str | None = "0011_count_detail"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AUDIT = sa.table(
    "audit_event",
    sa.column("id", sa.Integer()),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("user_id", sa.Integer()),
    sa.column("action", sa.String()),
    sa.column("entity", sa.String()),
    sa.column("entity_id", sa.Integer()),
    sa.column("summary", sa.String()),
    sa.column("prev_hash", sa.String()),
    sa.column("row_hash", sa.String()),
)


# The runtime role may not take a SHARE lock on the ledger itself (LOCK TABLE in that mode needs UPDATE
# or DELETE rights, which it must not have); a count's snapshot takes it through this owner's function.
_LOCK_LEDGER = """
CREATE FUNCTION storeroom_lock_ledger() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    LOCK TABLE public.stock_move IN SHARE MODE;
END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_LOCK_LEDGER)
        op.execute("REVOKE ALL ON FUNCTION storeroom_lock_ledger() FROM PUBLIC")
    op.create_table(
        "sign_in_guard",
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_sign_in_guard")),
    )
    op.create_table(
        "runtime_role",
        sa.Column("role_name", sa.String(length=63), nullable=False),
        sa.Column(
            "granted_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("role_name", name=op.f("pk_runtime_role")),
    )
    op.add_column("audit_event", sa.Column("prev_hash", sa.String(length=64), nullable=True))
    op.add_column("audit_event", sa.Column("row_hash", sa.String(length=64), nullable=True))
    conn = op.get_bind()
    prev = GENESIS
    rows = conn.execute(
        sa.select(
            _AUDIT.c.id,
            _AUDIT.c.at,
            _AUDIT.c.user_id,
            _AUDIT.c.action,
            _AUDIT.c.entity,
            _AUDIT.c.entity_id,
            _AUDIT.c.summary,
        ).order_by(_AUDIT.c.id)
    ).all()
    for r in rows:
        digest = row_hash(prev, r.at, r.user_id, r.action, r.entity, r.entity_id, r.summary)
        conn.execute(_AUDIT.update().where(_AUDIT.c.id == r.id).values(prev_hash=prev, row_hash=digest))
        prev = digest
    with op.batch_alter_table("audit_event") as batch:
        batch.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("row_hash", existing_type=sa.String(length=64), nullable=False)
        batch.create_unique_constraint(batch.f("uq_audit_event_prev_hash"), ["prev_hash"])


def downgrade() -> None:
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_constraint(batch.f("uq_audit_event_prev_hash"), type_="unique")
        batch.drop_column("row_hash")
        batch.drop_column("prev_hash")
    op.drop_table("runtime_role")
    op.drop_table("sign_in_guard")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION storeroom_lock_ledger()")
