"""How well the storeroom is doing: the KPIs of the dashboard and the KPI summary report.

Over a period of whole calendar months (UTC) ending now (from the plant's first day in its ledger if it is
younger than the period: the days before it are no days of stock or demand):

stock value          sum of on hand x the part's unit cost (standard cost), now
month-end value      each part's balance at the end of the month's last day, at the cost in force that day
                     (the cost history, desktop/services/insight/valuation.py): a later cost change does not
                     rewrite last year
average value        time-weighted from the ledger: the mean of every day's closing value, each day at its
                     own costs (a month's average over its days, the period's over all its days)
carrying cost        average value x carrying rate (a year's cost)
consumption          issues and scrap out less returns, reversals netted, at the cost on each move
                     (desktop/services/insight/consumption.py: the same consumption ABC uses)
turnover             consumption / average value, annualised (x 365 / days in the period)
days of supply       average value / consumption per day = 365 / turnover, in one division
                     (average value x days / consumption)
fill rate            issue requests filled in full / all issue requests. A request is an issue out of stock
                     (not a reversal, not reversed) or a short issue recorded at the counter; a short issue
                     counts once (its hand-over is not also a request), and one whose hand-over was reversed
                     was posted in error and is no request
stockouts            short issues in the period (plus, as a separate figure, "out of stock now": parts with
                     demand in the demand window - consumed, or asked for and found short - or a minimum,
                     that have nothing on hand now)
IRA                  approved count lines within tolerance / approved count lines (cycle counts)
dead stock           on hand of parts neither issued nor received for `dead_days` (critical spares are
                     insurance, not dead, and are left out)
order accuracy       purchase-order lines on time in full / lines judged in the period, each in the month it
                     was judged: the day it completed, or its needed-by date once passed without it
                     (desktop/services/purchasing/performance.py, the supplier report's total)
excess stock         on hand above the part's maximum, or above `excess_days` of its demand (consumption +
                     lost demand per calendar day over the demand window) when it has no maximum; parts with
                     no demand yet are left to the dead-stock rule
money                computed exactly; shown rounded half-up to the cent (desktop/quantities.py `money`)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import CountLine, KanbanLoop, Part, ShortIssue
from desktop.quantities import ZERO
from desktop.services.admin.plant_settings import Planning, planning
from desktop.services.common import as_utc, db_time
from desktop.services.counts.approval import accurate_bins, bin_key
from desktop.services.insight import kpi_days
from desktop.services.insight.consumption import short_standing
from desktop.services.insight.stock_figures import stock_figures
from desktop.services.insight.valuation import valuation
from desktop.services.kanban import board
from desktop.services.lots.tracing import ExpiringLot, expiring_in
from desktop.services.purchasing.performance import order_accuracy_by_month
from desktop.services.stock.ledger_sql import month_of

CENTS = Decimal("0.01")

# --- the formulas (pure; tests check each on worked examples) -----------------------------------------


def turnover(consumption: Decimal, average_value: Decimal, days: int) -> Decimal | None:
    """Turns a year: consumption over `days`, scaled to 365 days, over the average stock value (one
    division, so no quotient is rounded before another divides it)."""
    if average_value <= 0 or days <= 0:
        return None
    return consumption * 365 / (average_value * days)


def days_of_supply(average_value: Decimal, consumption: Decimal, days: int) -> Decimal | None:
    """Average inventory over consumption per day: 365 / turnover, the same figure seen from the shelf.
    One division (average x days / consumption): 365 held all year while 1,460 are used is 91.25 days."""
    if consumption <= 0 or days <= 0:
        return None
    return average_value * days / consumption


def fill_rate(filled: int, requests: int) -> Decimal | None:
    return Decimal(filled) * 100 / requests if requests else None


def carrying_cost(average_value: Decimal, rate: Decimal) -> Decimal:
    return average_value * rate


def ira_pct(within: int, counted: int) -> Decimal | None:
    return Decimal(within) * 100 / counted if counted else None


def otif_pct(on_time: int, judged: int) -> Decimal | None:
    return ira_pct(on_time, judged)  # the same share: lines that were right / lines that count


def month_keys(end: date, months: int) -> list[str]:
    """'YYYY-MM' of the last `months` calendar months, oldest first, the month of `end` last."""
    if not 1 <= months <= 120:
        raise UserError("The period is 1 to 120 months.")
    y, m = end.year, end.month
    keys = []
    for _ in range(months):
        keys.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return keys[::-1]


# --- from the database ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthPoint:
    month: str  # YYYY-MM
    value_end: Decimal
    consumption: Decimal
    turnover: Decimal | None
    requests: int
    filled: int
    stockouts: int
    counted: int
    within: int
    average_value: Decimal = ZERO  # time-weighted over the month's days
    days: int = 0  # the month's days in the period
    po_judged: int = 0  # purchase-order lines judged for on time in full this month
    po_on_time: int = 0

    @property
    def fill_rate(self) -> Decimal | None:
        return fill_rate(self.filled, self.requests)

    @property
    def ira(self) -> Decimal | None:
        return ira_pct(self.within, self.counted)

    @property
    def days_of_supply(self) -> Decimal | None:
        return days_of_supply(self.average_value, self.consumption, self.days)

    @property
    def order_accuracy(self) -> Decimal | None:
        return otif_pct(self.po_on_time, self.po_judged)


@dataclass(frozen=True)
class KanbanHealth:
    loops: int
    on_hold: int
    cards: dict[str, int]
    late_cards: int
    stockout_loops: int
    troubled: int  # active loops out of stock at the line or with a card overdue

    @property
    def healthy_pct(self) -> Decimal | None:
        return None if not self.loops else Decimal(self.loops - self.troubled) * 100 / self.loops


@dataclass(frozen=True)
class Kpis:
    months: list[MonthPoint]
    period_days: int
    stock_value: Decimal
    average_value: Decimal
    carrying_cost: Decimal
    consumption: Decimal
    turnover: Decimal | None
    days_of_supply: Decimal | None
    requests: int
    filled: int
    stockouts: int
    out_of_stock_now: int
    counted: int
    within: int
    dead_value: Decimal
    dead_parts: int
    excess_value: Decimal
    excess_parts: int
    kanban: KanbanHealth
    settings: Planning
    po_judged: int = 0
    po_on_time: int = 0
    lots_expired: int = 0  # lots with stock past their expiry, not released by a supervisor
    expired_value: Decimal = ZERO
    lots_expiring: int = 0  # lots with stock expiring within EXPIRY_WINDOW_DAYS or their part's warning

    @property
    def fill_rate(self) -> Decimal | None:
        return fill_rate(self.filled, self.requests)

    @property
    def ira(self) -> Decimal | None:
        return ira_pct(self.within, self.counted)

    @property
    def order_accuracy(self) -> Decimal | None:
        """On time in full, % of the purchase-order lines judged in the period."""
        return otif_pct(self.po_on_time, self.po_judged)


def period_start(now: datetime, months: int) -> datetime:
    first = month_keys(now.date(), months)[0]
    return datetime(int(first[:4]), int(first[5:]), 1, tzinfo=UTC)


def _short_requests(s: Session, since: datetime) -> tuple[dict[str, int], dict[str, int]]:
    """Per month: requests filled in part, requests that found an empty bin (the requests filled in full
    are kept per day with the ledger: kpi_days.filled_in_full). A short issue whose hand-over was
    reversed was posted in error and is no request at all (see consumption.short_standing)."""
    partial: dict[str, int] = defaultdict(int)
    empty: dict[str, int] = defaultdict(int)
    for month, has_move, n in s.execute(
        select(month_of(s, ShortIssue.at), ShortIssue.move_id.is_not(None), func.count())
        .where(ShortIssue.at >= since, short_standing())
        .group_by(month_of(s, ShortIssue.at), ShortIssue.move_id.is_not(None))
    ).tuples():
        (partial if has_move else empty)[month] += n
    return partial, empty


def _by_month(days: dict[date, kpi_days.DayTotals]) -> tuple[dict[str, Decimal], dict[str, int]]:
    """Consumption and issue requests filled in full per month, from the ledger's daily sums."""
    used: dict[str, Decimal] = defaultdict(lambda: ZERO)
    full: dict[str, int] = defaultdict(int)
    for day, t in days.items():
        key = f"{day.year:04d}-{day.month:02d}"
        used[key] += t.consumed
        full[key] += t.issues
    return used, full


def _counts(s: Session, since: datetime) -> dict[str, tuple[int, int]]:
    """Per month: (part, bin) lines counted and accurate (a tracked part's lots are one line, as in IRA)."""
    rows = (
        s.execute(
            select(month_of(s, CountLine.updated_at), CountLine).where(
                CountLine.status == "APPROVED",
                CountLine.counted_qty.is_not(None),
                CountLine.updated_at >= since,
            )
        )
        .tuples()
        .all()
    )
    month = {bin_key(line): m for m, line in rows}
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for key, ok in accurate_bins(line for _m, line in rows).items():
        out[month[key]][0] += 1
        out[month[key]][1] += int(ok)
    return {k: (v[0], v[1]) for k, v in out.items()}


def kanban_health(db: Database, now: datetime) -> KanbanHealth:
    """The board's loops summed (kanban board.board's rule, without building a row for each loop)."""

    def op(s: Session) -> KanbanHealth:
        live = board.live_cards(s)
        held, rows = 0, []
        for loop_id, status, lead in s.connection().execute(
            select(KanbanLoop.id, KanbanLoop.status, KanbanLoop.lead_time_days).where(
                KanbanLoop.status.in_(["ACTIVE", "HOLD"])
            )
        ):
            if status == "HOLD":
                held += 1
            else:
                rows.append(board.card_tally(live.get(loop_id, ()), lead, now))
        cards: dict[str, int] = defaultdict(int)
        for counts, _late, _out in rows:
            for status, n in counts.items():
                cards[status] += n
        return KanbanHealth(
            loops=len(rows),
            on_hold=held,
            cards=dict(cards),
            late_cards=sum(late for _c, late, _out in rows),
            stockout_loops=sum(1 for _c, _late, out in rows if out),
            troubled=sum(1 for _c, late, out in rows if out or late),
        )

    return db.read(op)


def compute(db: Database, *, months: int = 12, now: datetime | None = None) -> Kpis:
    moment = as_utc(now) if now is not None else datetime.now(UTC)
    keys = month_keys(moment.date(), months)
    start = period_start(moment, months)
    settings = planning(db)

    def op(s: Session) -> Kpis:
        since = db_time(s, start)
        shelf = stock_figures(s, settings, moment)
        values = valuation(s, start.date(), moment, value_now=shelf.value)
        used, full = _by_month(kpi_days.totals(s, start.date()))
        partial, empty = _short_requests(s, since)
        counted = _counts(s, since)
        otif = order_accuracy_by_month(s, since=start.date(), today=moment.astimezone().date())
        points = []
        for key in keys:
            days = values.month_days(key)
            n_full, n_partial, n_empty = full.get(key, 0), partial.get(key, 0), empty.get(key, 0)
            points.append(
                MonthPoint(
                    key,
                    values.month_end[key],
                    used.get(key, ZERO),
                    turnover(used.get(key, ZERO), values.average(key), days),
                    requests=n_full + n_partial + n_empty,
                    filled=n_full,
                    stockouts=n_partial + n_empty,
                    counted=counted.get(key, (0, 0))[0],
                    within=counted.get(key, (0, 0))[1],
                    average_value=values.average(key),
                    days=days,
                    po_judged=otif.get(key, (0, 0))[0],
                    po_on_time=otif.get(key, (0, 0))[1],
                )
            )
        period_days = values.days
        average = values.average()
        consumption = sum((p.consumption for p in points), ZERO)
        expired, expiring = _expiry(s, moment.astimezone().date())
        costs = _unit_costs(s, {x.lot.part_id for x in expired})
        return Kpis(
            months=points,
            period_days=period_days,
            stock_value=shelf.value,
            average_value=average,
            carrying_cost=carrying_cost(average, settings.carrying_rate),
            consumption=consumption,
            turnover=turnover(consumption, average, period_days),
            days_of_supply=days_of_supply(average, consumption, period_days),
            requests=sum(p.requests for p in points),
            filled=sum(p.filled for p in points),
            stockouts=sum(p.stockouts for p in points),
            out_of_stock_now=shelf.out_now,
            counted=sum(p.counted for p in points),
            within=sum(p.within for p in points),
            dead_value=shelf.dead_value,
            dead_parts=shelf.dead_parts,
            excess_value=shelf.excess_value,
            excess_parts=shelf.excess_parts,
            kanban=_EMPTY_HEALTH,
            settings=settings,
            # over every line the supplier report counts (a line judged on a local date past the
            # UTC month's end still counts in the period)
            po_judged=sum(n for n, _good in otif.values()),
            po_on_time=sum(good for _n, good in otif.values()),
            lots_expired=len(expired),
            expired_value=sum((costs[x.lot.part_id] * x.on_hand for x in expired), ZERO),
            lots_expiring=len(expiring),
        )

    return replace(db.read(op), kanban=kanban_health(db, moment))


_EMPTY_HEALTH = KanbanHealth(0, 0, {}, 0, 0, 0)
EXPIRY_WINDOW_DAYS = 30  # the dashboard's look ahead, the expiring-lots report's default window


def _expiry(s: Session, today: date) -> tuple[list[ExpiringLot], list[ExpiringLot]]:
    """The lots to act on: expired (and not released for issue), and expiring soon."""
    found = expiring_in(s, EXPIRY_WINDOW_DAYS, today)
    return [x for x in found if x.lot.expired(today)], [x for x in found if x.days_left >= 0]


def _unit_costs(s: Session, ids: set[int]) -> dict[int, Decimal]:
    rows = s.connection().execute(select(Part.id, Part.unit_cost).where(Part.id.in_(ids))).tuples()
    return {pid: Decimal(cost or 0) for pid, cost in rows}
