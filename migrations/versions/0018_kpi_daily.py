"""kpi daily: the ledger's daily sums for the KPIs, kept by triggers in each posting's transaction, and
an index covering the KPIs' per-part reads of a recent window

Revision ID: 0018_kpi_daily
Revises: 0014_catalogue
Create Date: 2026-12-06 20:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_kpi_daily"
down_revision: str | None = "0014_catalogue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# One move's part of a day's sums (its row: NEW, OLD or m). Money in units of 10^-8, rounded per move to
# an integer so the sums are exact on SQLite too. Kept in step with services/insight/kpi_days.py, which
# computes the same from the ledger to check the table.
_COST = "coalesce({r}.unit_cost, (SELECT p.unit_cost FROM part p WHERE p.id = {r}.part_id), 0)"
_NET = (
    "CASE WHEN {r}.from_location_id IS NULL THEN {r}.qty "
    "WHEN {r}.to_location_id IS NULL THEN -{r}.qty ELSE 0 END"
)
_CONSUMED = (
    "CASE WHEN {r}.kind IN ('ISSUE', 'SCRAP', 'RETURN') THEN "
    "CASE WHEN {r}.from_location_id IS NOT NULL THEN {r}.qty ELSE -{r}.qty END ELSE 0 END"
)
_COUNTED = (  # an issue request filled in full (desktop/services/insight/kpis.py _issue_requests)
    "CASE WHEN {r}.kind = 'ISSUE' AND {r}.from_location_id IS NOT NULL AND {r}.reverses_move_id IS NULL "
    "AND NOT EXISTS (SELECT 1 FROM stock_move u WHERE u.reverses_move_id = {r}.id) "
    "AND NOT EXISTS (SELECT 1 FROM short_issue si WHERE si.move_id = {r}.id) THEN 1 ELSE 0 END"
)
_ADD = (
    " ON CONFLICT (day, shard) DO UPDATE SET value_change = kpi_day.value_change + excluded.value_change, "
    "consumed = kpi_day.consumed + excluded.consumed, issues = kpi_day.issues + excluded.issues"
)
_COLUMNS = "INSERT INTO kpi_day (day, shard, value_change, consumed, issues) "


def _day(dialect: str, r: str) -> str:
    return f"date({r}.at)" if dialect == "sqlite" else f"({r}.at AT TIME ZONE 'UTC')::date"


def _shard(dialect: str) -> str:
    return "0" if dialect == "sqlite" else "pg_backend_pid() % 32"


def _money(expr: str, r: str, sign: str) -> str:
    return f"{sign}CAST(round(({expr.format(r=r)}) * {_COST.format(r=r)} * 100000000) AS BIGINT)"


def _contribution(dialect: str, r: str, sign: str = "") -> str:
    """Add (sign '') or take back (sign '-') one move's part of its day."""
    return (
        f"{_COLUMNS}VALUES ({_day(dialect, r)}, {_shard(dialect)}, {_money(_NET, r, sign)}, "
        f"{_money(_CONSUMED, r, sign)}, {sign}({_COUNTED.format(r=r)})){_ADD}"
    )


def _withdraw(dialect: str, move_id: str, unless: str) -> str:
    """An issue counted as filled in full stops counting: it was reversed, or was a short issue's."""
    return (
        f"{_COLUMNS}SELECT {_day(dialect, 'o')}, {_shard(dialect)}, 0, 0, -1 FROM stock_move o "
        f"WHERE o.id = {move_id} AND o.kind = 'ISSUE' AND o.from_location_id IS NOT NULL "
        f"AND o.reverses_move_id IS NULL AND NOT EXISTS ({unless}){_ADD}"
    )


_NOT_SHORT = "SELECT 1 FROM short_issue si WHERE si.move_id = o.id"
_NOT_REVERSED = "SELECT 1 FROM stock_move u WHERE u.reverses_move_id = o.id"


def _sqlite_triggers() -> list[str]:
    return [
        "CREATE TRIGGER kpi_day_move_insert AFTER INSERT ON stock_move BEGIN "
        f"{_contribution('sqlite', 'NEW')}; "
        f"{_withdraw('sqlite', 'NEW.reverses_move_id', _NOT_SHORT)}; END",
        # the ledger is append-only; an UPDATE is a script's or a test's back-dating: the sums follow it
        "CREATE TRIGGER kpi_day_move_update AFTER UPDATE ON stock_move BEGIN "
        f"{_contribution('sqlite', 'OLD', '-')}; {_contribution('sqlite', 'NEW')}; END",
        "CREATE TRIGGER kpi_day_short_issue AFTER INSERT ON short_issue WHEN NEW.move_id IS NOT NULL BEGIN "
        f"{_withdraw('sqlite', 'NEW.move_id', _NOT_REVERSED)}; END",
    ]


def _pg_statements() -> list[str]:
    return [
        "CREATE FUNCTION kpi_day_move() RETURNS trigger AS $$ BEGIN "
        f"IF TG_OP = 'UPDATE' THEN {_contribution('postgresql', 'OLD', '-')}; END IF; "
        f"{_contribution('postgresql', 'NEW')}; "
        "IF TG_OP = 'INSERT' AND NEW.reverses_move_id IS NOT NULL THEN "
        f"{_withdraw('postgresql', 'NEW.reverses_move_id', _NOT_SHORT)}; END IF; "
        "RETURN NULL; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER kpi_day_move AFTER INSERT OR UPDATE ON stock_move "
        "FOR EACH ROW EXECUTE FUNCTION kpi_day_move()",
        "CREATE FUNCTION kpi_day_short_issue() RETURNS trigger AS $$ BEGIN "
        f"{_withdraw('postgresql', 'NEW.move_id', _NOT_REVERSED)}; RETURN NULL; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER kpi_day_short_issue AFTER INSERT ON short_issue "
        "FOR EACH ROW WHEN (NEW.move_id IS NOT NULL) EXECUTE FUNCTION kpi_day_short_issue()",
    ]


def _fill(dialect: str) -> str:
    """The sums of the moves already in the ledger."""
    return (
        f"{_COLUMNS}SELECT {_day(dialect, 'm')}, 0, sum({_money(_NET, 'm', '')}), "
        f"sum({_money(_CONSUMED, 'm', '')}), sum({_COUNTED.format(r='m')}) FROM stock_move m GROUP BY 1"
    )


def upgrade() -> None:
    op.create_table(
        "kpi_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("shard", sa.SmallInteger(), nullable=False),
        sa.Column("value_change", sa.BigInteger(), nullable=False),
        sa.Column("consumed", sa.BigInteger(), nullable=False),
        sa.Column("issues", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "shard", name="pk_kpi_day"),
    )
    op.create_index(
        "ix_stock_move_at_kind", "stock_move", ["at", "kind", "part_id", "from_location_id", "qty"]
    )
    dialect = op.get_bind().dialect.name
    op.execute(_fill(dialect))
    for sql in _sqlite_triggers() if dialect == "sqlite" else _pg_statements():
        op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("kpi_day_move_insert", "kpi_day_move_update", "kpi_day_short_issue"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER IF EXISTS kpi_day_move ON stock_move")
        op.execute("DROP TRIGGER IF EXISTS kpi_day_short_issue ON short_issue")
        op.execute("DROP FUNCTION IF EXISTS kpi_day_move()")
        op.execute("DROP FUNCTION IF EXISTS kpi_day_short_issue()")
    op.drop_table("kpi_day")
    op.drop_index("ix_stock_move_at_kind", table_name="stock_move")
