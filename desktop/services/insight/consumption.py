"""Consumption and demand: one definition for ABC, turnover, What to order and kanban sizing.

consumption    what left stock to be used: ISSUE and SCRAP out of a bin, less RETURN into a bin. A reversal
               keeps its original's kind with the ends swapped, so it nets its original out. TRANSFER,
               RECEIPT, ADJUSTMENT and COUNT moves are not consumption. Valued at the cost on the move
               (the part's cost when the move was posted). ABC and turnover use this.
lost demand    the unfilled quantity of a short issue (asked 10, the bin held 4: 6 more wanted that day).
demand         consumption + lost demand, per day. What to order, kanban sizing, excess stock and
               "out of stock now" use this.
a day          a calendar day of the plant: this PC's time zone at its offset of now.
window         the last N complete days (N from 1 to 3650): it ends at midnight this morning; the running day
               is never in it. A plant whose ledger is younger than N days is measured over the days it has
               run (from the day of its first move or short issue to yesterday, at least one day): a plant
               that started 10 days ago has 10 days of demand, not 10 days of demand and 80 of zero.
at a location  a kanban loop's demand is what is consumed (and asked for short) at its line location, not
               the part's consumption anywhere.
working days   the calendar of Settings -> Cycle counts. A part consumed only on working days in the window
               has its mean and sigma over the working days (a weekend is not a day of zero demand) and its
               lead time counted in working days (lead days x the share of working days in the window); a
               part consumed on any other day is measured over every calendar day.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from functools import cached_property
from itertools import compress
from typing import Any

from sqlalchemy import ColumnElement, exists, func, literal_column, select
from sqlalchemy.orm import Session, aliased

from desktop.errors import UserError
from desktop.models import Part, ShortIssue, StockMove
from desktop.services.common import as_driver_gives, as_utc, db_time
from desktop.services.counts.settings import CountSettings
from desktop.services.stock.ledger_sql import CONSUMPTION_KINDS, consumed_qty

__all__ = [
    "CONSUMPTION_KINDS",
    "DemandHistory",
    "Window",
    "consumed_qty",
    "consumed_value",
    "demand_history",
    "demand_window",
    "is_consumption",
    "short_standing",
    "window",
]


def is_consumption() -> ColumnElement[bool]:
    """The moves that are consumption (issues, scrap, returns, and the reversals of any of them)."""
    return StockMove.kind.in_(CONSUMPTION_KINDS)


def consumed_value() -> Any:
    """Signed consumption value of a consumption move, at the cost on the move (a query joins Part)."""
    return consumed_qty() * func.coalesce(StockMove.unit_cost, Part.unit_cost)


def short_standing() -> ColumnElement[bool]:
    """A short issue still stands: its hand-over (if any) was not reversed. A reversed hand-over says the
    request was posted in error, so it is neither a request nor lost demand."""
    undo = aliased(StockMove)
    return ~exists().where(ShortIssue.move_id.is_not(None), undo.reverses_move_id == ShortIssue.move_id)


@dataclass(frozen=True)
class Window:
    """The last `len(days)` complete days before `now`, in the plant's time zone."""

    days: tuple[date, ...]
    start: datetime  # UTC moment of the first day's midnight
    end: datetime  # UTC moment of this morning's midnight (not included)
    offset_seconds: int  # the plant's offset from UTC, used to give each move its day

    def index(self, day: date) -> int | None:
        i = (day - self.days[0]).days
        return i if 0 <= i < len(self.days) else None


MAX_WINDOW_DAYS = 3650


def check_window_days(days: int) -> None:
    """A demand window is 1 to 3650 days (no empty window to divide by, no window of nonsense)."""
    if not 1 <= days <= MAX_WINDOW_DAYS:
        raise UserError(f"The demand window is 1 to {MAX_WINDOW_DAYS:,} days, not {days:,}.")


def window(now: datetime | None, days: int) -> Window:
    """The last `days` complete days before `now` (local time of this PC)."""
    check_window_days(days)
    moment = as_utc(now) if now is not None else datetime.now(UTC)
    local = moment.astimezone()
    offset = int((local.utcoffset() or timedelta()).total_seconds())
    zone = timezone(timedelta(seconds=offset))
    today = local.date()
    end = datetime.combine(today, time(), zone).astimezone(UTC)
    first = today - timedelta(days=days)
    return Window(
        tuple(first + timedelta(days=i) for i in range(days)),
        end - timedelta(days=days),
        end,
        offset,
    )


def first_day(s: Session, offset_seconds: int) -> date | None:
    """The plant's first day in its ledger: the local day of its first move or short issue (None when
    there is neither)."""
    firsts = [
        as_utc(at)
        for at in (s.scalar(select(func.min(StockMove.at))), s.scalar(select(func.min(ShortIssue.at))))
        if at is not None
    ]
    return (min(firsts) + timedelta(seconds=offset_seconds)).date() if firsts else None


def demand_window(s: Session, now: datetime | None, days: int) -> Window:
    """The last `days` complete days before `now`, or the days the plant has run if fewer (at least one):
    the days before its first posting are not days of zero demand."""
    win = window(now, days)
    first = first_day(s, win.offset_seconds)
    if first is None or first <= win.days[0]:
        return win
    today = win.days[-1] + timedelta(days=1)
    return window(now, min(max((today - first).days, 1), days))


def local_day(s: Session, column: Any, offset_seconds: int) -> Any:
    """The plant's calendar day of a timestamp, on either database (an int offset, written literally so
    GROUP BY and SELECT stay the same expression on PostgreSQL)."""
    seconds = int(offset_seconds)
    if s.get_bind().dialect.name == "sqlite":
        return func.date(column, literal_column(f"'{seconds:+d} seconds'"))
    shifted = func.timezone(literal_column("'UTC'"), column) + literal_column(f"interval '{seconds} seconds'")
    return func.date(shifted)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class DemandHistory:
    """Demand per day over a window, per key (a part id, or (part id, location id) at a location).

    Kept sparse, day index -> demand of the days a key moved: a part moves on a few days of a window,
    and What to order asks this of every part of the plant."""

    window: Window
    series: dict[Hashable, dict[int, float]]
    working: tuple[bool, ...]  # per day of the window: a working day of the plant

    def of(self, key: Hashable) -> list[float]:
        daily = [0.0] * len(self.window.days)
        for i, qty in self.series.get(key, {}).items():
            daily[i] = qty
        return daily

    @cached_property
    def working_share(self) -> float:
        """Working days / calendar days in the window (converts calendar lead days to working days)."""
        return sum(self.working) / len(self.working) if self.working else 1.0

    def _working_only(self, days: dict[int, float]) -> bool:
        """Measured over the working days: every day with demand (or a return) was a working day."""
        working = self.working
        return any(working) and all(working[i] for i, qty in days.items() if qty)

    def observed(self, key: Hashable) -> tuple[list[float], bool]:
        """The days demand is measured over, and whether they are the working days only: those, when
        every day with demand (or a return) was a working day; otherwise every calendar day."""
        daily = self.of(key)
        if not self._working_only(self.series.get(key, {})):
            return daily, False
        return list(compress(daily, self.working)), True

    def moments(self, key: Hashable) -> tuple[float, float, bool]:
        """Mean and sample standard deviation over the observed days (as `observed`), and whether those
        are the working days only, from the days with demand alone: a day without adds 0 to the sum
        and mean^2 to the squared deviations."""
        days = self.series.get(key, {})
        only = self._working_only(days)
        n = sum(self.working) if only else len(self.working)
        values = [q for i, q in sorted(days.items()) if not only or self.working[i]]
        mean = sum(values) / n if n else 0.0
        if n < 2:
            return mean, 0.0, only
        squares = sum([(x - mean) ** 2 for x in values]) + (n - len(values)) * mean**2
        return mean, math.sqrt(squares / (n - 1)), only


def demand_history(
    s: Session,
    win: Window,
    settings: CountSettings,
    *,
    at_location: bool = False,
    part_ids: list[int] | None = None,
) -> DemandHistory:
    """Consumption + lost demand per day of `win`, per part (or per part and location)."""
    day = local_day(s, StockMove.at, win.offset_seconds)
    since, until = db_time(s, win.start), db_time(s, win.end)
    where = [is_consumption(), StockMove.at >= since, StockMove.at < until]
    if part_ids is not None:
        where.append(StockMove.part_id.in_(part_ids))
    loc = func.coalesce(StockMove.from_location_id, StockMove.to_location_id)
    keys: list[Any] = [StockMove.part_id, loc] if at_location else [StockMove.part_id]
    conn = s.connection()  # plain rows, without the ORM's per-row work (a row per part and day)
    moves = conn.execute(
        select(*keys, day, as_driver_gives(func.sum(consumed_qty()))).where(*where).group_by(*keys, day)
    ).all()
    short_day = local_day(s, ShortIssue.at, win.offset_seconds)
    swhere = [ShortIssue.at >= since, ShortIssue.at < until]
    if part_ids is not None:
        swhere.append(ShortIssue.part_id.in_(part_ids))
    skeys: list[Any] = [ShortIssue.part_id, ShortIssue.location_id] if at_location else [ShortIssue.part_id]
    lost = conn.execute(
        select(*skeys, short_day, as_driver_gives(func.sum(ShortIssue.requested_qty - ShortIssue.issued_qty)))
        .where(*swhere, short_standing())
        .group_by(*skeys, short_day)
    ).all()
    # A day as SQLite (ISO text) or PostgreSQL (a date) gives it -> its index in the window.
    slot: dict[object, int] = {}
    for i, d in enumerate(win.days):
        slot[d] = slot[d.isoformat()] = i
    series: dict[Hashable, dict[int, float]] = defaultdict(dict)
    for row in [*moves, *lost]:
        *key, when, qty = row
        at = slot.get(when)
        if at is None:
            at = win.index(_as_date(when))
        if at is not None and qty is not None:
            days = series[tuple(key) if at_location else key[0]]
            days[at] = days.get(at, 0.0) + float(qty)
    return DemandHistory(win, dict(series), tuple(settings.is_working_day(d) for d in win.days))


def per_calendar_day(s: Session, win: Window) -> dict[int, Decimal]:
    """Average demand per calendar day of the window, per part (never below zero): one sum per part, for
    figures that need no daily series (excess stock, out of stock)."""
    since, until = db_time(s, win.start), db_time(s, win.end)
    totals: dict[int, Decimal] = defaultdict(Decimal)
    conn = s.connection()
    for pid, qty in conn.execute(
        select(StockMove.part_id, func.sum(consumed_qty()))
        .where(is_consumption(), StockMove.at >= since, StockMove.at < until)
        .group_by(StockMove.part_id)
    ).tuples():
        totals[pid] += Decimal(str(qty or 0))
    for pid, qty in conn.execute(
        select(ShortIssue.part_id, func.sum(ShortIssue.requested_qty - ShortIssue.issued_qty))
        .where(ShortIssue.at >= since, ShortIssue.at < until, short_standing())
        .group_by(ShortIssue.part_id)
    ).tuples():
        totals[pid] += Decimal(str(qty or 0))
    n = len(win.days)
    return {pid: max(q.quantize(Decimal("0.0001")), Decimal(0)) / n for pid, q in totals.items()}
