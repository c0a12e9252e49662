"""What to order for parts not replenished by kanban: demand from the ledger, safety stock, reorder point,
EOQ, judged on the inventory position.

demand D           consumption + lost demand per day (desktop/services/insight/consumption.py) over the last
                   `window_days` complete days (or the days the plant has run, if fewer): a moving average,
                   or simple exponential smoothing with the planning figures' alpha, its level starting at
                   the first observation
sigma              sample standard deviation of the same daily series
working days       a part consumed only on the plant's working days is measured over the working days, and
                   its lead time is counted in working days (lead days x the window's share of working days)
safety stock       z * sigma * sqrt(L)        z from the service level, L = lead time
reorder point      D * L + safety stock       (a reorder point or minimum set on the part wins)
lead time          the supplier's (else the part's, else the default); measured from the plant's own receipts
                   (median days from PO sent to receipt, desktop/services/purchasing/lead_times.py) once
                   there are enough of them, and the reason says so
position           on hand + on order - reserved (desktop/services/stock/position.py); a part is listed
                   when its position is at or below the reorder point
EOQ                sqrt(2 * A * S / H)        A = annual demand: D x 365 (x the window's share of
                                              working days when D is per working day), S = cost per order,
                                              H = unit cost * carrying rate per year
order quantity     with a maximum set on the part: up to the maximum, max - position (a set maximum is the
                   order-up-to level; ordering past it would make excess stock by the dashboard's own rule);
                   without one: the larger of EOQ and reorder point - position + D * L (lift the position
                   back to the reorder point and cover one more lead time, so the next order is not due the
                   day this one arrives); then rounded up to the supplier's pack (or whole units)
not listed         parts on a PURCHASE or PRODUCTION kanban loop that is active or on hold: their cards
                   replenish them. A part only on TRANSFER loops is listed: its storeroom stock is bought.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_CEILING, Decimal
from statistics import NormalDist
from typing import Any

from sqlalchemy import Row, func, or_, select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import KanbanLoop, Part, PartSupplier, Supplier
from desktop.quantities import money
from desktop.services.actor import Actor, Permission
from desktop.services.admin.plant_settings import Planning, planning
from desktop.services.common import as_driver_gives
from desktop.services.counts.settings import read_count_settings
from desktop.services.insight.consumption import DemandHistory, demand_history, demand_window
from desktop.services.purchasing.lead_times import MIN_RECEIPTS, lead_times_in, planning_days
from desktop.services.stock.position import INBOUND_LOOPS, Position, joined_positions, position_of

NO_SUPPLIER = "(no supplier)"  # the supplier column of a part without a default supplier


@dataclass(frozen=True)
class Policy:
    window_days: int = 90
    method: str = "moving_average"  # or "smoothing"
    alpha: float = 0.2
    service_level: float = 0.95
    order_cost: Decimal = Decimal(50)  # S: cost of placing one order
    carrying_rate: Decimal = Decimal("0.25")  # H / unit cost, per year
    default_lead_days: int = 14

    def check(self) -> None:
        if not 7 <= self.window_days <= 3650:
            raise UserError("The demand window is 7 to 3650 days.")
        if not 0.5 <= self.service_level < 1:
            raise UserError("The service level is between 50 % and 99.9 %.")
        if not 0 < self.alpha <= 1:
            raise UserError("The smoothing factor alpha is above 0 and at most 1.")
        if self.order_cost < 0 or self.carrying_rate <= 0:
            raise UserError("The order cost cannot be negative and the carrying rate must be above zero.")
        if self.method not in ("moving_average", "smoothing"):
            raise UserError("The demand method is moving_average or smoothing.")

    @classmethod
    def of_plant(cls, plan: Planning, **changes: object) -> Policy:
        """The plant's planning figures (Settings), with `changes` for this run only."""
        base = cls(
            window_days=plan.demand_window_days,
            alpha=float(plan.smoothing_alpha),
            service_level=float(plan.service_level),
            order_cost=plan.order_cost,
            carrying_rate=plan.carrying_rate,
        )
        return replace(base, **changes)  # type: ignore[arg-type]


# --- the formulas (pure, tested on worked examples) ------------------------------------------------------


def moving_average(daily: list[float]) -> float:
    return sum(daily) / len(daily) if daily else 0.0


def smoothed(daily: list[float], alpha: float) -> float:
    """Simple exponential smoothing: the level starts at the first observation, then each day moves it
    alpha of the way towards that day's demand."""
    if not daily:
        return 0.0
    level = daily[0]
    for x in daily[1:]:
        level = alpha * x + (1 - alpha) * level
    return level


def std_dev(daily: list[float]) -> float:
    if len(daily) < 2:
        return 0.0
    mean = moving_average(daily)
    # a list, not a generator: the same sum, twice as fast over every part of the plant
    return math.sqrt(sum([(x - mean) ** 2 for x in daily]) / (len(daily) - 1))


def z_value(service_level: float) -> float:
    return NormalDist().inv_cdf(service_level)


def safety_stock(z: float, sigma_daily: float, lead_days: float) -> float:
    return z * sigma_daily * math.sqrt(lead_days)


def reorder_point(daily_demand: float, lead_days: float, safety: float) -> float:
    return daily_demand * lead_days + safety


def eoq(annual_demand: float, order_cost: float, holding_cost_per_unit: float) -> float:
    if annual_demand <= 0 or holding_cost_per_unit <= 0:
        return 0.0
    return math.sqrt(2 * annual_demand * order_cost / holding_cost_per_unit)


def round_up(qty: Decimal, pack: Decimal | None, whole: bool) -> Decimal:
    if pack and pack > 0:
        return (qty / pack).to_integral_value(rounding=ROUND_CEILING) * pack
    return (
        qty.to_integral_value(rounding=ROUND_CEILING)
        if whole
        else qty.quantize(Decimal("0.01"), rounding=ROUND_CEILING)
    )


# --- suggestions from the database ----------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    part_id: int
    part_number: str
    description: str
    unit: str
    supplier: str
    supplier_part_number: str | None
    on_hand: Decimal
    on_order: Decimal
    reserved: Decimal
    daily_demand: Decimal  # per working day when `demand_days` is "working", else per calendar day
    sigma: Decimal
    lead_days: int  # calendar days
    demand_days: str  # "working" or "calendar": the days demand was measured over
    safety_stock: Decimal
    reorder_point: Decimal
    eoq: Decimal
    order_qty: Decimal
    unit_cost: Decimal
    reason: str

    @property
    def position(self) -> Decimal:
        return self.on_hand + self.on_order - self.reserved

    @property
    def value(self) -> Decimal:
        return self.order_qty * self.unit_cost


@dataclass(frozen=True)
class Demand:
    """Daily demand of one part (or one loop's line) and how it was measured."""

    mean: float
    sigma: float
    working_days_only: bool  # measured over the working days (the lead time is then in working days)
    day_factor: float  # multiplies calendar lead days into the days the mean is per

    def lead(self, calendar_days: float) -> float:
        return calendar_days * self.day_factor

    @property
    def per_calendar_day(self) -> float:
        """The mean spread over every calendar day (a working day's demand x the share of working days)."""
        return self.mean * self.day_factor


def demand_of(
    history: DemandHistory, key: object, method: str = "moving_average", alpha: float = 0.2
) -> Demand:
    """Mean (moving average or smoothing) and sigma of a key's demand, over the days that count."""
    if method == "moving_average":  # from the days with demand alone: no series of every day
        mean, sigma, working_only = history.moments(key)
    else:
        observed, working_only = history.observed(key)
        mean, sigma = smoothed(observed, alpha), std_dev(observed)
    return Demand(mean, sigma, working_only, history.working_share if working_only else 1.0)


def order_quantity(
    position: Decimal, rop: float, economic: float, daily: float, lead: float, max_qty: Decimal | None
) -> float:
    """The order-quantity rule of the module's docstring (before rounding to the pack)."""
    if max_qty is not None:
        return max(float(max_qty - position), 0.0)
    return max(economic, rop - float(position) + daily * lead)


def _kanban_parts(s: Session) -> set[int]:
    """Parts their kanban cards replenish: on a PURCHASE or PRODUCTION loop that is active or on hold."""
    return set(
        s.scalars(
            select(KanbanLoop.part_id).where(
                KanbanLoop.kind.in_(INBOUND_LOOPS), KanbanLoop.status.in_(("ACTIVE", "HOLD"))
            )
        )
    )


_IN_CHUNK = 500  # part ids per IN (...): well under SQLite's bound-parameter limit


# A position this close above its set point is still read back (SQLite sums quantities as doubles):
# the exact comparison is made on the rows read.
_SLACK = Decimal("0.000001")


def _part_rows(
    s: Session, *columns: Any, part_ids: list[int] | None = None, at_or_below_set_point: bool = False
) -> Iterator[Row[Any]]:
    """(part id, supplier row id, *columns) of every active part (or of `part_ids`), joined to its default
    supplier's part row: the first by id, the one an order made from What to order takes its terms from
    (purchasing.orders.supplier_terms). Plain rows on the Core connection: loading every part of a plant
    as an ORM object took seconds. `at_or_below_set_point`: only the parts without a set reorder point
    or minimum and those whose position is at or below it, with (on hand, on order, reserved) last; the
    rest of the plant is left in the database instead of read to be passed over."""
    stmt = (
        select(Part.id, PartSupplier.id, *columns)
        .outerjoin(Supplier, Supplier.id == Part.default_supplier_id)
        .outerjoin(
            PartSupplier, (PartSupplier.part_id == Part.id) & (PartSupplier.supplier_id == Supplier.id)
        )
        .where(Part.active)
        .order_by(Part.id)  # a part's rows together (ordering by the row's id too led SQLite astray)
    )
    if part_ids is not None:
        stmt = stmt.where(Part.id.in_(part_ids))
    if at_or_below_set_point:
        stmt, (on_hand, on_order, reserved) = joined_positions(stmt, Part.id)
        set_point = func.coalesce(Part.reorder_point, Part.min_qty)
        stmt = stmt.add_columns(on_hand, on_order, reserved).where(
            or_(set_point.is_(None), on_hand + on_order - reserved <= set_point + _SLACK)
        )
    held: Row[Any] | None = None
    # all() fetches in one call (iterating fetches row by row); by index, not name: every part of the plant
    for row in s.connection().execute(stmt).all():
        if held is not None and row[0] != held[0]:
            yield held
        elif held is not None and row[1] > held[1]:
            continue  # a later part row of the same supplier
        held = row
    if held is not None:
        yield held


@dataclass(frozen=True)
class _Due:
    """What lists a part, worked out before what it is and costs is read (for the listed parts only)."""

    position: Position
    demand: Demand
    lead_days: int  # calendar days
    lead: float  # in the days the demand is per
    safety: float
    rop: float
    reason: str


def usage_history(
    s: Session, window_days: int, *, now: datetime | None = None, at_location: bool = False
) -> DemandHistory:
    """Daily demand per part (or per part and location) over the last `window_days` complete days (or the
    days the plant has run, if fewer)."""
    return demand_history(
        s, demand_window(s, now, window_days), read_count_settings(s), at_location=at_location
    )


def suggestions(
    db: Database, actor: Actor, policy: Policy | None = None, *, now: datetime | None = None
) -> list[Suggestion]:
    """Parts whose inventory position is at or below their reorder point, with what to order, sorted by
    supplier then part."""
    actor.require(Permission.VIEW)
    pol = policy or Policy.of_plant(planning(db))
    pol.check()
    z = z_value(pol.service_level)

    def op(s: Session) -> list[Suggestion]:
        history = usage_history(s, pol.window_days, now=now)
        on_kanban = _kanban_parts(s)
        measured = lead_times_in(s, min_receipts=MIN_RECEIPTS)  # planning uses no figure over fewer
        due: dict[int, _Due] = {}
        for pid, _row, set_rop, min_qty, part_lead, sup_id, sup_lead, held, coming, back in _part_rows(
            s,
            as_driver_gives(Part.reorder_point),  # compared as floats: no Decimal for every part
            as_driver_gives(Part.min_qty),
            Part.lead_time_days,
            Part.default_supplier_id,
            PartSupplier.lead_time_days,
            at_or_below_set_point=True,
        ):
            if pid in on_kanban:
                continue
            set_point = set_rop if set_rop is not None else min_qty  # a set reorder point or minimum wins
            if set_point is None and pid not in history.series:
                continue  # no demand and no set minimum: nothing to plan
            pos = position_of(held, coming, back)
            position = float(pos.position)
            if set_point is not None and position > float(set_point):
                continue  # above the point set on the part: its demand cannot list it
            d = demand_of(history, pid, pol.method, pol.alpha)
            if set_point is None and d.mean <= 0:
                continue
            lead_days = sup_lead if sup_lead is not None else (part_lead or pol.default_lead_days)
            timed = measured.get((sup_id or 0, pid))
            lead_days = planning_days(timed) or lead_days
            lead = d.lead(lead_days)
            ss = safety_stock(z, d.sigma, lead)
            rop = float(set_point) if set_point is not None else reorder_point(d.mean, lead, ss)
            if position > rop:
                continue
            reason = (
                "below reorder point"
                if set_rop is not None
                else ("below minimum" if min_qty is not None else "below computed reorder point")
            )
            if timed is not None and timed.enough:
                reason += f"; lead time {timed.source}"
            due[pid] = _Due(pos, d, int(lead_days), lead, ss, rop, reason)
        out: list[Suggestion] = []
        listed = list(due)
        for start in range(0, len(listed), _IN_CHUNK):
            for pid, _row, number, description, unit, unit_cost, max_qty, supplier, pn, pack in _part_rows(
                s,
                Part.part_number,
                Part.description,
                Part.unit,
                Part.unit_cost,
                Part.max_qty,
                Supplier.name,
                PartSupplier.supplier_part_number,
                PartSupplier.pack_qty,
                part_ids=listed[start : start + _IN_CHUNK],
            ):
                x = due[pid]
                pos, d = x.position, x.demand
                holding = float(unit_cost * pol.carrying_rate)
                economic = eoq(d.per_calendar_day * 365, float(pol.order_cost), holding)
                wanted = order_quantity(pos.position, x.rop, economic, d.mean, x.lead, max_qty)
                raw = Decimal(str(max(wanted, 1e-9)))
                whole = unit in ("EA", "PC", "PR", "SET", "BOX", "PK", "ROLL", "DRUM")
                qty = round_up(raw, Decimal(pack) if pack else None, whole)
                out.append(
                    Suggestion(
                        pid,
                        number,
                        description,
                        unit,
                        supplier if supplier is not None else NO_SUPPLIER,
                        pn,
                        pos.on_hand,
                        pos.on_order,
                        pos.reserved,
                        _dec(d.mean),
                        _dec(d.sigma),
                        x.lead_days,
                        "working" if d.working_days_only else "calendar",
                        _dec(x.safety),
                        _dec(x.rop),
                        _dec(economic),
                        qty,
                        unit_cost,
                        x.reason,
                    )
                )
        out.sort(key=lambda x: (x.supplier.upper(), x.part_number.upper()))
        return out

    return db.read(op)


def _dec(value: float) -> Decimal:
    return Decimal(str(round(value, 4)))


def by_supplier(items: list[Suggestion]) -> dict[str, list[Suggestion]]:
    grouped: dict[str, list[Suggestion]] = defaultdict(list)
    for item in items:
        grouped[item.supplier].append(item)
    return dict(grouped)


EXPORT_HEADERS = [
    "Supplier",
    "Supplier part number",
    "Part number",
    "Description",
    "Unit",
    "On hand",
    "On order",
    "Reserved",
    "Position",
    "Daily demand",
    "Demand over",
    "Lead time days",
    "Safety stock",
    "Reorder point",
    "EOQ",
    "Order quantity",
    "Unit cost",
    "Order value",
    "Reason",
]


def export_rows(items: list[Suggestion]) -> list[list[object]]:
    return [
        [
            x.supplier,
            x.supplier_part_number,
            x.part_number,
            x.description,
            x.unit,
            x.on_hand,
            x.on_order,
            x.reserved,
            x.position,
            x.daily_demand,
            f"{x.demand_days} days",
            x.lead_days,
            x.safety_stock,
            x.reorder_point,
            x.eoq,
            x.order_qty,
            x.unit_cost,
            money(x.value),
            x.reason,
        ]
        for x in items
    ]
