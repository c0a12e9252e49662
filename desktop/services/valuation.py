"""Stock value through time, from the ledger: each day's closing balance at the cost in force that day.

closing balance   a part's on hand at the end of a day (UTC): on hand now less the moves after that day
cost in force     the part's unit cost at the end of that day, from its cost history (part_cost, written by
                  database triggers whenever a part's cost is set or changed); before its first known cost,
                  that first cost
value of a day    the sum over parts of closing balance x cost in force (today's: on hand now x cost now)
average value     the mean of the days' values (time-weighted: stock received early in a month counts for
                  every day it sat on the shelf, not only at the month's end)
month-end value   the value of a month's last day, at that day's costs (a later cost change does not
                  rewrite it)

Each part is walked over the days on which its balance or its cost changed, not day by day, so a year of a
100,000-part plant is as many steps as it has days with moves.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.models import Part, PartCost, StockBalance, StockMove
from desktop.services.common import as_utc, db_time
from desktop.services.consumption import local_day
from desktop.services.ledger_sql import net_stock_change

ZERO = Decimal(0)


@dataclass(frozen=True)
class Month:
    key: str  # YYYY-MM
    first: date
    last: date  # its last day in the period (today for the running month)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass
class Valuation:
    months: list[Month]
    day_value_sum: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    month_end: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    start_value: Decimal = ZERO  # the day before the period began
    part_day_value_sum: dict[int, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))

    @property
    def days(self) -> int:
        return sum(m.days for m in self.months)

    def average(self, key: str | None = None) -> Decimal:
        """Time-weighted average value of one month, or of the whole period."""
        if key is not None:
            month = next(m for m in self.months if m.key == key)
            return self.day_value_sum[key] / month.days
        total = sum((self.day_value_sum[m.key] for m in self.months), ZERO)
        return total / self.days if self.days else ZERO

    def part_average(self, part_id: int) -> Decimal:
        return self.part_day_value_sum.get(part_id, ZERO) / self.days if self.days else ZERO


def months_between(first: date, today: date) -> list[Month]:
    out, day = [], first.replace(day=1)
    while day <= today:
        nxt = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        out.append(Month(f"{day.year:04d}-{day.month:02d}", day, min(nxt - timedelta(days=1), today)))
        day = nxt
    return out


class _Costs:
    """A part's cost history: the cost in force at the end of a day."""

    def __init__(self, rows: list[tuple[date, Decimal]], fallback: Decimal) -> None:
        self.days = [d for d, _c in rows]
        self.costs = [c for _d, c in rows]
        self.fallback = fallback

    def at(self, day: date) -> Decimal:
        if not self.costs:
            return self.fallback
        i = bisect_right(self.days, day) - 1
        return self.costs[max(i, 0)]  # before the first known cost: that first cost


def valuation(s: Session, first_day: date, now: datetime, *, per_part: bool = False) -> Valuation:
    """Daily values from `first_day` (UTC) to today (`now`), per month (and per part if asked)."""
    today = as_utc(now).date()
    months = months_between(first_day, today)
    out = Valuation(months)
    since = db_time(s, datetime.combine(first_day, datetime.min.time(), as_utc(now).tzinfo))
    day = local_day(s, StockMove.at, 0)  # UTC days, as the months of the KPIs
    changes: dict[int, dict[date, Decimal]] = defaultdict(dict)
    for part_id, when, net in s.execute(
        select(StockMove.part_id, day, func.sum(net_stock_change()))
        .where(StockMove.at >= since)
        .group_by(StockMove.part_id, day)
    ).tuples():
        on = when if isinstance(when, date) else date.fromisoformat(str(when)[:10])
        if net and on <= today:
            changes[part_id][on] = Decimal(net)
    held = dict(
        s.execute(select(StockBalance.part_id, func.sum(StockBalance.qty)).group_by(StockBalance.part_id))
        .tuples()
        .all()
    )
    history: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    for part_id, since_at, cost in s.execute(
        select(PartCost.part_id, PartCost.effective_from, PartCost.unit_cost).order_by(
            PartCost.part_id, PartCost.effective_from, PartCost.id
        )
    ).tuples():
        history[part_id].append((as_utc(since_at).date(), Decimal(cost)))
    current = dict(s.execute(select(Part.id, Part.unit_cost)).tuples().all())
    starts = {m.first: m for m in months}
    steady = ZERO  # the parts neither moved nor repriced in the period: one value every day
    for part_id, cost_now in current.items():
        moved = changes.get(part_id, {})
        q_now = Decimal(held.get(part_id) or 0)
        if not moved and q_now == 0:
            continue
        costs = _Costs(history.get(part_id, []), Decimal(cost_now or 0))
        if not moved and not any(first_day <= d <= today for d in costs.days):
            value = q_now * costs.at(today)
            steady += value
            if per_part:
                out.part_day_value_sum[part_id] = value * out.days
            continue
        _walk(out, part_id, q_now, moved, costs, months, starts, per_part)
    out.start_value += steady
    for m in months:
        out.day_value_sum[m.key] += steady * m.days
        out.month_end[m.key] += steady
    return out


def _walk(
    out: Valuation,
    part_id: int,
    q_now: Decimal,
    moved: dict[date, Decimal],
    costs: _Costs,
    months: list[Month],
    starts: dict[date, Month],
    per_part: bool,
) -> None:
    """One part's daily values, segment by segment (balance and cost constant within a segment)."""
    first, today = months[0].first, months[-1].last
    q = q_now - sum(moved.values(), ZERO)  # closing the day before the period
    out.start_value += q * costs.at(first - timedelta(days=1))
    points = sorted(
        {d for d in moved if d > first}
        | {d for d in costs.days if first < d <= today}
        | {m.first for m in months if m.first > first}
    )
    day = first
    q += moved.get(first, ZERO)
    month = months[0]
    for nxt in [*points, today + timedelta(days=1)]:
        value = q * costs.at(day)
        span = (nxt - day).days
        out.day_value_sum[month.key] += value * span
        if per_part:
            out.part_day_value_sum[part_id] += value * span
        if nxt in starts or nxt > today:
            out.month_end[month.key] += value
            month = starts.get(nxt, month)
        q += moved.get(nxt, ZERO)
        day = nxt
