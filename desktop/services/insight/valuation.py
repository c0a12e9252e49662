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
the period        from the first day asked for, or from the plant's first day in its ledger if later (a
                  plant that started 10 days ago has a 10-day average, not a year's with 355 empty days)

Computed from the ledger's daily sums kept with every posting (kpi_day, insight/kpi_days.py): the
plant's value is walked back from today's, one step a day; only the parts whose cost changed in the period
are read from the ledger and walked part by part, over the days their balance or cost changed.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, literal, select
from sqlalchemy.orm import Session

from desktop.models import Part, PartCost, StockBalance, StockMove
from desktop.quantities import ZERO
from desktop.services.common import as_utc, db_time
from desktop.services.insight import kpi_days
from desktop.services.insight.consumption import first_day as first_ledger_day
from desktop.services.insight.consumption import local_day
from desktop.services.stock.ledger_sql import net_stock_change


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

    def month_days(self, key: str) -> int:
        """The days of a month in the period (none for a month before the plant's first day)."""
        return next((m.days for m in self.months if m.key == key), 0)

    def average(self, key: str | None = None) -> Decimal:
        """Time-weighted average value of one month, or of the whole period."""
        if key is not None:
            days = self.month_days(key)
            return self.day_value_sum[key] / days if days else ZERO
        total = sum((self.day_value_sum[m.key] for m in self.months), ZERO)
        return total / self.days if self.days else ZERO

    def part_average(self, part_id: int) -> Decimal:
        return self.part_day_value_sum.get(part_id, ZERO) / self.days if self.days else ZERO


def months_between(first: date, today: date) -> list[Month]:
    out, day = [], first.replace(day=1)
    while day <= today:
        nxt = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        start = max(day, first)  # the first month from the first day, not from its 1st
        out.append(Month(f"{day.year:04d}-{day.month:02d}", start, min(nxt - timedelta(days=1), today)))
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


QTY, VALUE = Decimal("0.0001"), Decimal("0.00000001")  # the ledger's places, and qty x cost's


def _exact(value: object, places: Decimal) -> Decimal:
    """A sum as the ledger holds it (SQLite adds decimals as doubles: 0.30000000000000004 back to 0.3)."""
    return Decimal(str(value or 0)).quantize(places)


def _as_date(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _days_to(s: Session, day: Any, today: date) -> Any:
    """Days from a day expression to `today`, counting both ends (the days a move's effect was held)."""
    if s.get_bind().dialect.name == "sqlite":
        return func.julianday(literal(today.isoformat())) - func.julianday(day) + 1
    return literal(today) - day + 1


def valuation(
    s: Session, first_day: date, now: datetime, *, per_part: bool = False, value_now: Decimal | None = None
) -> Valuation:
    """Daily values from `first_day` (UTC; or the plant's first day, if later) to today (`now`), per month
    (and per part if asked). `value_now`, the exact stock value now when the caller has it already
    (stock_figures.stock_figures), spares reading every balance again.

    At each part's cost now, the plant's value is walked back day by day from today's (a day's value is
    the next day's less that day's moves); the few parts whose cost changed in the period are then
    corrected part by part to the cost in force each day."""
    today = as_utc(now).date()
    started = first_ledger_day(s, 0)  # UTC days, as the months of the KPIs
    if started is not None and first_day < started <= today:
        first_day = started
    months = months_between(first_day, today)
    out = Valuation(months)
    conn = s.connection()  # Core rows: ORM row handling was most of the time on 2,000,000 moves
    since = db_time(s, datetime.combine(first_day, datetime.min.time(), as_utc(now).tzinfo))
    day = local_day(s, StockMove.at, 0)  # UTC days, as the months of the KPIs
    in_period = (StockMove.at >= since,)
    if value_now is None:
        value_now = _exact(
            conn.execute(
                select(func.coalesce(func.sum(StockBalance.qty * Part.unit_cost), 0)).join(
                    Part, Part.id == StockBalance.part_id
                )
            ).scalar_one(),
            VALUE,
        )
    elif s.get_bind().dialect.name == "sqlite":
        # as that sum comes back from SQLite (a NUMERIC(18, 4) result: 4 places), so no figure moves
        value_now = _exact(value_now.quantize(QTY), VALUE)
    repriced = _repriced(s, first_day, today)
    # the day's value change at the cost on each move (kept with the ledger, insight/kpi_days.py):
    # the cost now for every part whose cost did not change in the period; the others are brought to it
    deltas = {when: t.value_change for when, t in kpi_days.totals(s, first_day).items()}
    for when, v in _to_cost_now(s, list(repriced), day, in_period).items():
        deltas[when] = deltas.get(when, ZERO) + v
    value, ends = value_now, {m.last for m in months}
    by_day = {m.first + timedelta(days=i): m for m in months for i in range(m.days)}
    for d in sorted(by_day, reverse=True):  # today back to the first day
        month = by_day[d]
        out.day_value_sum[month.key] += value
        if d in ends:
            out.month_end[month.key] += value
        value -= deltas.get(d, ZERO)
    out.start_value = value
    if per_part:
        _part_sums(s, out, day, in_period, today)
    if repriced:
        _correct_repriced(s, out, repriced, day, in_period, months, per_part)
    return out


def _repriced(s: Session, first_day: date, today: date) -> dict[int, _Costs]:
    """Parts whose cost changed in the period: their cost history, as offsets from the cost now."""
    since = db_time(s, datetime.combine(first_day, datetime.min.time(), UTC))
    changed = select(PartCost.part_id).where(PartCost.effective_from >= since).distinct()
    rows = (
        s.connection()
        .execute(
            select(PartCost.part_id, PartCost.effective_from, PartCost.unit_cost, Part.unit_cost)
            .join(Part, Part.id == PartCost.part_id)
            .where(PartCost.part_id.in_(changed))
            .order_by(PartCost.part_id, PartCost.effective_from, PartCost.id)
        )
        .tuples()
    )
    history: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    now_cost: dict[int, Decimal] = {}
    for part_id, since_at, cost, cost_now in rows:
        history[part_id].append((as_utc(since_at).date(), Decimal(cost) - Decimal(cost_now or 0)))
        now_cost[part_id] = Decimal(cost_now or 0)
    return {pid: _Costs(h, ZERO) for pid, h in history.items() if any(c for _d, c in h)}


def _to_cost_now(s: Session, ids: list[int], day: Any, in_period: tuple[Any, ...]) -> dict[date, Decimal]:
    """Per day, what valuing the moves of parts `ids` at their cost now rather than at the cost on each
    move adds to the net change."""
    out: dict[date, Decimal] = defaultdict(lambda: ZERO)
    gap = Part.unit_cost - func.coalesce(StockMove.unit_cost, Part.unit_cost)
    for at in range(0, len(ids), 500):
        for when, v in (
            s.connection()
            .execute(
                select(day, func.sum(net_stock_change() * gap))
                .join(Part, Part.id == StockMove.part_id)
                .where(*in_period, StockMove.part_id.in_(ids[at : at + 500]))
                .group_by(day)
            )
            .tuples()
        ):
            out[_as_date(when)] += _exact(v, VALUE)
    return out


def _part_sums(s: Session, out: Valuation, day: Any, in_period: tuple[Any, ...], today: date) -> None:
    """Each part's sum of daily values at its cost now: cost x (days x balance before the period + each
    day's net change x the days it was held to today)."""
    conn = s.connection()
    held = dict(
        conn.execute(select(StockBalance.part_id, func.sum(StockBalance.qty)).group_by(StockBalance.part_id))
        .tuples()
        .all()
    )
    moved = {
        pid: (_exact(net, QTY), _exact(weighted, QTY))
        for pid, net, weighted in conn.execute(
            select(
                StockMove.part_id,
                func.sum(net_stock_change()),
                func.sum(net_stock_change() * _days_to(s, day, today)),
            )
            .where(*in_period)
            .group_by(StockMove.part_id)
        ).tuples()
    }
    for pid, cost in conn.execute(select(Part.id, Part.unit_cost)).tuples():
        q_now = _exact(held.get(pid), QTY)
        net, weighted = moved.get(pid, (ZERO, ZERO))
        if q_now or net or weighted:
            out.part_day_value_sum[pid] = Decimal(cost or 0) * (out.days * (q_now - net) + weighted)


def _correct_repriced(
    s: Session,
    out: Valuation,
    repriced: dict[int, _Costs],
    day: Any,
    in_period: tuple[Any, ...],
    months: list[Month],
    per_part: bool,
) -> None:
    """Add, for each repriced part, balance x (cost in force - cost now) day by day."""
    conn = s.connection()
    ids = list(repriced)
    changes: dict[int, dict[date, Decimal]] = defaultdict(dict)
    held: dict[int, Decimal] = {}
    for at in range(0, len(ids), 500):
        chunk = ids[at : at + 500]
        for pid, when, net in conn.execute(
            select(StockMove.part_id, day, func.sum(net_stock_change()))
            .where(*in_period, StockMove.part_id.in_(chunk))
            .group_by(StockMove.part_id, day)
        ).tuples():
            if net:
                changes[pid][_as_date(when)] = _exact(net, QTY)
        for pid, q in conn.execute(
            select(StockBalance.part_id, func.sum(StockBalance.qty))
            .where(StockBalance.part_id.in_(chunk))
            .group_by(StockBalance.part_id)
        ).tuples():
            held[pid] = _exact(q, QTY)
    starts = {m.first: m for m in months}
    for pid, offsets in repriced.items():
        _walk(out, pid, held.get(pid, ZERO), changes.get(pid, {}), offsets, months, starts, per_part)


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
