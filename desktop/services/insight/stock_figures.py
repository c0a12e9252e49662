"""The figures of the stock on the shelf now: stock value, out of stock now, dead stock and excess stock,
as the kpis module's docstring defines them; part by part (part_stock, dead_and_excess: the reports, and
stock_figures_of) or summed in the database in one pass (stock_figures: the dashboard).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Numeric, case, cast, exists, func, or_, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from desktop.models import Part, ShortIssue, StockBalance, StockMove
from desktop.models.enums import MoveKind
from desktop.quantities import ZERO
from desktop.services.admin.plant_settings import Planning
from desktop.services.common import db_time
from desktop.services.insight.consumption import (
    demand_window,
    is_consumption,
    per_calendar_day,
    short_standing,
)
from desktop.services.mro import CRITICAL
from desktop.services.stock.ledger_sql import consumed_qty, moved_part


def excess_qty(on_hand: Decimal, max_qty: Decimal | None, daily_demand: Decimal, cover_days: int) -> Decimal:
    """Stock above the maximum or, without one, above `cover_days` of demand (none without demand)."""
    if max_qty is not None:
        limit = max_qty
    elif daily_demand > 0:
        limit = daily_demand * cover_days
    else:
        return ZERO
    return max(on_hand - limit, ZERO)


@dataclass(frozen=True)
class PartStock:
    part_id: int
    part_number: str
    description: str
    unit: str
    unit_cost: Decimal
    on_hand: Decimal
    min_qty: Decimal | None
    max_qty: Decimal | None
    critical: bool

    @property
    def value(self) -> Decimal:
        return self.on_hand * self.unit_cost


def part_stock(s: Session) -> dict[int, PartStock]:
    """Every part with its total on hand (zero when it has none)."""
    conn = s.connection()  # Core rows: the ORM's row handling was a third of the time over 100,000 parts
    held = dict(
        conn.execute(select(StockBalance.part_id, func.sum(StockBalance.qty)).group_by(StockBalance.part_id))
        .tuples()
        .all()
    )
    rows = conn.execute(
        select(
            Part.id,
            Part.part_number,
            Part.description,
            Part.unit,
            Part.unit_cost,
            Part.min_qty,
            Part.max_qty,
            Part.criticality,
        )
    )
    return {
        pid: PartStock(
            pid, pn, desc, unit, Decimal(cost or 0), Decimal(held.get(pid) or 0), mn, mx, crit in CRITICAL
        )
        for pid, pn, desc, unit, cost, mn, mx, crit in rows
    }


def demand_per_day(s: Session, now: datetime, days: int) -> dict[int, Decimal]:
    """Average demand per calendar day per part over the last `days` complete days, or the days the plant
    has run if fewer (consumption + lost demand, desktop/services/insight/consumption.py)."""
    return per_calendar_day(s, demand_window(s, now, days))


def wanted_parts(s: Session, since: datetime) -> set[int]:
    """Parts with demand since `since` up to now: consumed, or asked for at the counter and found short
    (a request that only ever found an empty bin is demand too)."""
    consumed = s.scalars(select(moved_part()).where(is_consumption(), StockMove.at >= since).distinct())
    asked = s.scalars(select(ShortIssue.part_id).where(ShortIssue.at >= since, short_standing()).distinct())
    return {*consumed, *asked}


def moving_parts(s: Session, since: datetime) -> set[int]:
    """Parts issued, scrapped or received since `since`."""
    return set(
        s.scalars(
            select(moved_part())
            .where(
                StockMove.at >= since,
                StockMove.kind.in_([MoveKind.ISSUE.value, MoveKind.SCRAP.value, MoveKind.RECEIPT.value]),
            )
            .distinct()
        )
    )


def dead_and_excess(
    s: Session, stock: dict[int, PartStock], settings: Planning, now: datetime
) -> tuple[list[PartStock], list[tuple[PartStock, Decimal, Decimal]]]:
    """Dead parts, and (part, excess qty, daily demand) of the parts holding more than they need."""
    alive = moving_parts(s, db_time(s, now - timedelta(days=settings.dead_days)))
    demand = demand_per_day(s, now, settings.demand_window_days)
    dead, excess = [], []
    for p in stock.values():
        if p.on_hand <= 0:
            continue
        if p.part_id not in alive and not p.critical:
            dead.append(p)
            continue
        daily = demand.get(p.part_id, ZERO)
        extra = excess_qty(p.on_hand, p.max_qty, daily, settings.excess_days)
        if extra > 0:
            excess.append((p, extra, daily))
    return dead, excess


@dataclass(frozen=True)
class StockFigures:
    """The dashboard's figures of the stock on the shelf now (the KPIs' definitions: kpis.py's docstring)."""

    value: Decimal
    out_now: int
    dead_value: Decimal
    dead_parts: int
    excess_value: Decimal
    excess_parts: int


def stock_figures_of(
    s: Session, stock: dict[int, PartStock], settings: Planning, now: datetime
) -> StockFigures:
    """The figures from every part's row: the rule as the reports apply it (dead_and_excess)."""
    wanted = wanted_parts(s, db_time(s, now - timedelta(days=settings.demand_window_days)))
    dead, excess = dead_and_excess(s, stock, settings, now)
    return StockFigures(
        value=sum((p.value for p in stock.values()), ZERO),
        out_now=sum(
            1 for p in stock.values() if p.on_hand <= 0 and (p.part_id in wanted or (p.min_qty or 0) > 0)
        ),
        dead_value=sum((p.value for p in dead), ZERO),
        dead_parts=len(dead),
        excess_value=sum((p.unit_cost * q for p, q, _d in excess), ZERO),
        excess_parts=len(excess),
    )


# a part's state in stock_figures
_NOT_SHORT, _OUT, _DEAD, _LIVE = 0, 1, 2, 3


def stock_figures(s: Session, settings: Planning, now: datetime) -> StockFigures:
    """The same figures as stock_figures_of, summed in the database: one pass over the parts that returns
    a row per part only for the parts without a maximum whose excess depends on their demand.

    Quantities and costs are summed as whole 10^-4 units, so a sum is exact on SQLite too (where NUMERIC
    is a double); a plant whose sums overflow SQLite's 64-bit integers gets the row-by-row figures."""
    pg = s.get_bind().dialect.name == "postgresql"

    def units(expr: Any) -> Any:  # a 4-place decimal as whole 10^-4 units
        return cast(func.round(expr * 10000), BigInteger)

    def times(a: Any, b: Any) -> Any:  # 10^-8 units; PostgreSQL's bigint would overflow, numeric does not
        return cast(a, Numeric) * b if pg else a * b

    held = (
        select(StockBalance.part_id, units(func.sum(StockBalance.qty)).label("q"))
        .group_by(StockBalance.part_id)
        .subquery()
    )
    dead_since = db_time(s, now - timedelta(days=settings.dead_days))
    wanted_since = db_time(s, now - timedelta(days=settings.demand_window_days))
    win = demand_window(s, now, settings.demand_window_days)
    since, until = db_time(s, win.start), db_time(s, win.end)
    moved = exists().where(  # moving_parts
        StockMove.part_id == Part.id,
        StockMove.at >= dead_since,
        StockMove.kind.in_([MoveKind.ISSUE.value, MoveKind.SCRAP.value, MoveKind.RECEIPT.value]),
    )
    wanted = or_(  # wanted_parts
        exists().where(StockMove.part_id == Part.id, is_consumption(), StockMove.at >= wanted_since),
        exists().where(ShortIssue.part_id == Part.id, ShortIssue.at >= wanted_since, short_standing()),
    )
    q = func.coalesce(held.c.q, 0)
    state = case(  # CASE evaluates only the branch it needs: the ledger is probed once per part
        (q <= 0, case((or_(Part.min_qty > 0, wanted), _OUT), else_=_NOT_SHORT)),
        (or_(Part.criticality.in_(sorted(CRITICAL)), moved), _LIVE),
        else_=_DEAD,
    )
    parts = (
        select(
            Part.id.label("id"),
            q.label("q"),
            units(func.coalesce(Part.unit_cost, 0)).label("c"),
            units(Part.max_qty).label("m"),
            state.label("state"),
        )
        .outerjoin(held, held.c.part_id == Part.id)
        # OFFSET 0 keeps both databases from merging this into the outer query, which would copy the
        # state (and its probes of the ledger) into every expression reading it
        .offset(0)
        .subquery()
    )
    # a live part without a maximum is its own group (its excess depends on its demand); others group by
    # state (grouping by plain columns: PostgreSQL does not match expressions holding bound parameters)
    grouped = select(
        parts,
        case(((parts.c.state == _LIVE) & parts.c.m.is_(None), parts.c.id), else_=-1).label("own"),
    ).subquery()
    demand_moves = (  # per_calendar_day, for one part
        select(func.sum(consumed_qty()))
        .where(
            StockMove.part_id == grouped.c.id, is_consumption(), StockMove.at >= since, StockMove.at < until
        )
        .scalar_subquery()
    )
    demand_lost = (
        select(func.sum(ShortIssue.requested_qty - ShortIssue.issued_qty))
        .where(ShortIssue.part_id == grouped.c.id, ShortIssue.at >= since, ShortIssue.at < until)
        .where(short_standing())
        .scalar_subquery()
    )
    g = grouped.c
    own = g.own >= 0
    over_max = (g.state == _LIVE) & (g.q > g.m)
    stmt = select(
        g.state,
        g.own,
        func.count(),
        func.sum(times(g.q, g.c)),
        func.sum(case((over_max, 1), else_=0)),
        func.sum(case((over_max, times(g.q - g.m, g.c)), else_=0)),
        func.max(g.q),
        func.max(g.c),
        func.max(case((own, demand_moves))),
        func.max(case((own, demand_lost))),
    ).group_by(g.state, g.own)
    try:
        rows = s.connection().execute(stmt).tuples().all()
    except OperationalError as e:  # SQLite: "integer overflow" in a sum
        if "overflow" not in str(e):
            raise
        return stock_figures_of(s, part_stock(s), settings, now)
    value = out_now = dead_value = dead_parts = over_value = excess_parts = 0  # whole units, counts
    extra_value = ZERO  # excess against demand: not whole units (a division by the window's days)
    days = len(win.days)
    for st, own_group, n, val, over, over_val, q4, c4, used, lost in rows:
        if own_group >= 0:  # one part: its value from its own units, exact whatever SQL made of it
            value += int(q4) * int(c4)
            if not used and not lost:
                continue  # no demand: no excess without a maximum
            # per_calendar_day's arithmetic: the sums as Decimals, to the ledger's places, per calendar day
            total = Decimal(str(used or 0)) + Decimal(str(lost or 0))
            daily = max(total.quantize(Decimal("0.0001")), ZERO) / days
            extra = excess_qty(Decimal(int(q4)).scaleb(-4), None, daily, settings.excess_days)
            if extra > 0:
                excess_parts += 1
                extra_value += Decimal(int(c4)).scaleb(-4) * extra
            continue
        if any(isinstance(v, float) for v in (val, over_val)):  # SQLite: a product overflowed
            return stock_figures_of(s, part_stock(s), settings, now)
        value += int(val or 0)
        if st == _OUT:
            out_now += n
        elif st == _DEAD:
            dead_parts += n
            dead_value += int(val or 0)
        elif st == _LIVE:
            excess_parts += int(over or 0)
            over_value += int(over_val or 0)

    def money(units: int) -> Decimal:
        return Decimal(units).scaleb(-8)

    return StockFigures(
        money(value), out_now, money(dead_value), dead_parts, money(over_value) + extra_value, excess_parts
    )
