"""The ledger's daily sums the KPIs read (desktop/models/kpi_day.py): read, checked, rebuilt.

Database triggers (migration 0018_kpi_daily) add each move's part to its UTC day as the move is
inserted, in the same transaction, so the 12-month dashboard adds up ~365 rows instead of a year of
moves. Here the same sums are computed from the ledger itself (with the expressions the KPIs used
before the table) to check the table, and to rebuild it after a bulk load (bench/generate.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    and_,
    case,
    cast,
    delete,
    exists,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.orm import Session, aliased

from desktop.db import Database
from desktop.models import KpiDay, Part, ShortIssue, StockMove
from desktop.models.enums import MoveKind
from desktop.models.kpi_day import VALUE_PLACES
from desktop.services.actor import Actor, Permission
from desktop.services.insight.consumption import is_consumption, local_day
from desktop.services.stock.ledger_sql import consumed_qty, net_stock_change


@dataclass(frozen=True)
class DayTotals:
    value_change: Decimal  # net stock change at the cost on each move
    consumed: Decimal  # consumption at the cost on each move
    issues: int  # issue requests filled in full


def filled_in_full() -> ColumnElement[bool]:
    """An issue out of stock that is a request filled in full: not a reversal, not reversed, and not the
    hand-over of a short issue (which counts once, as the short issue)."""
    undo = aliased(StockMove)
    return and_(
        StockMove.kind == MoveKind.ISSUE.value,
        StockMove.from_location_id.is_not(None),
        StockMove.reverses_move_id.is_(None),
        ~exists().where(undo.reverses_move_id == StockMove.id),
        ~exists().where(ShortIssue.move_id == StockMove.id),
    )


def _money(signed_qty: Any) -> Any:
    """One move's money in whole 10^-8 units (what the triggers add)."""
    cost = func.coalesce(StockMove.unit_cost, Part.unit_cost, 0)
    return cast(func.round(signed_qty * cost * 10**VALUE_PLACES), BigInteger)


def _from_ledger(s: Session) -> Any:
    day = local_day(s, StockMove.at, 0)
    return (
        select(
            day,
            func.sum(_money(net_stock_change())),
            func.sum(_money(case((is_consumption(), consumed_qty()), else_=0))),
            func.sum(case((filled_in_full(), 1), else_=0)),
        )
        .join(Part, Part.id == StockMove.part_id)
        .group_by(day)
    )


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _money_of(units: int | Decimal | None) -> Decimal:
    return Decimal(int(units or 0)).scaleb(-VALUE_PLACES)


def _totals(rows: Any) -> dict[date, DayTotals]:
    return {
        _as_date(day): DayTotals(_money_of(value), _money_of(consumed), int(issues or 0))
        for day, value, consumed, issues in rows
    }


def totals(s: Session, first_day: date) -> dict[date, DayTotals]:
    """The plant's sums of each UTC day from `first_day` on (days without moves are left out)."""
    stmt = (
        select(KpiDay.day, func.sum(KpiDay.value_change), func.sum(KpiDay.consumed), func.sum(KpiDay.issues))
        .where(KpiDay.day >= first_day)
        .group_by(KpiDay.day)
    )
    return _totals(s.connection().execute(stmt).tuples())


@dataclass(frozen=True)
class DayDrift:
    day: date
    kept: DayTotals | None  # what the table holds
    ledger: DayTotals | None  # what the moves add up to


def _drifts(s: Session) -> list[DayDrift]:
    kept = totals(s, date.min)
    ledger = _totals(s.connection().execute(_from_ledger(s)).tuples())
    zero = DayTotals(Decimal(0), Decimal(0), 0)
    return [
        DayDrift(day, kept.get(day), ledger.get(day))
        for day in sorted(kept.keys() | ledger.keys())
        if kept.get(day, zero) != ledger.get(day, zero)
    ]


def refill(s: Session) -> None:
    """Set the table from the ledger (after a bulk load that bypassed the triggers, or a repair)."""
    s.execute(delete(KpiDay))
    query = _from_ledger(s)
    day, value, consumed, issues = query.selected_columns
    s.execute(
        insert(KpiDay).from_select(
            ["day", "shard", "value_change", "consumed", "issues"],
            query.with_only_columns(day, literal(0), value, consumed, issues),
        )
    )


def check(db: Database, actor: Actor, *, repair: bool = False) -> list[DayDrift]:
    """The days whose sums differ from their moves; with `repair`, the table rebuilt from the ledger.

    A repair on PostgreSQL locks the table first (EXCLUSIVE): a posting's trigger then waits for the
    rebuild to commit and adds its move after it, and moves whose sums are already in the table were
    committed before the lock was granted, so the rebuild reads them."""
    actor.require(Permission.ADMIN if repair else Permission.VIEW)

    def op(s: Session) -> list[DayDrift]:
        if repair and s.get_bind().dialect.name == "postgresql":
            s.connection().exec_driver_sql("LOCK TABLE kpi_day IN EXCLUSIVE MODE")
        drifts = _drifts(s)
        if repair and drifts:
            refill(s)
        return drifts

    return db.write(op) if repair else db.read(op)
