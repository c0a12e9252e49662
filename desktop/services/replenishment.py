"""What to order for parts not on kanban: demand from the ledger, safety stock, reorder point, EOQ.

daily demand D     moving average over the window, or simple exponential smoothing (alpha)
sigma              standard deviation of daily demand (days without issues count as zero)
safety stock       z * sigma * sqrt(L)         z from the service level, L = lead time in days
reorder point      D * L + safety stock        (a reorder point or minimum set on the part wins)
EOQ                sqrt(2 * A * S / H)         A = annual demand, S = cost per order,
                                               H = unit cost * carrying rate per year
order quantity     max(EOQ, up to the part's maximum), rounded up to the supplier's pack
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from statistics import NormalDist

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import Part, PartSupplier, StockBalance, StockMove, Supplier
from desktop.services.actor import Actor, Permission
from desktop.services.common import as_utc, db_time
from desktop.services.ledger_sql import CONSUMPTION_KINDS, consumed_qty


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


# --- the formulas (pure, tested on worked examples) ------------------------------------------------------


def moving_average(daily: list[float]) -> float:
    return sum(daily) / len(daily) if daily else 0.0


def smoothed(daily: list[float], alpha: float) -> float:
    """Simple exponential smoothing, started at the window's mean so early days do not dominate."""
    level = moving_average(daily)
    for x in daily:
        level = alpha * x + (1 - alpha) * level
    return level


def std_dev(daily: list[float]) -> float:
    if len(daily) < 2:
        return 0.0
    mean = moving_average(daily)
    return math.sqrt(sum((x - mean) ** 2 for x in daily) / (len(daily) - 1))


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
    daily_demand: Decimal
    sigma: Decimal
    lead_days: int
    safety_stock: Decimal
    reorder_point: Decimal
    eoq: Decimal
    order_qty: Decimal
    unit_cost: Decimal
    reason: str

    @property
    def value(self) -> Decimal:
        return self.order_qty * self.unit_cost


def _daily_usage(s: Session, since: datetime, days: int) -> dict[int, list[float]]:
    """Net consumption per part per day: issues and scrap out, returns and reversals back in."""
    day = func.date(StockMove.at)
    rows = s.execute(
        select(StockMove.part_id, day, func.sum(consumed_qty()))
        .where(StockMove.at >= since, StockMove.kind.in_(CONSUMPTION_KINDS))
        .group_by(StockMove.part_id, day)
    ).all()
    start = since.date()
    series: dict[int, list[float]] = defaultdict(lambda: [0.0] * days)
    for part_id, when, qty in rows:
        when_date = when if hasattr(when, "year") else datetime.strptime(str(when), "%Y-%m-%d").date()
        index = (when_date - start).days
        if 0 <= index < days:
            series[part_id][index] += float(qty)
    return series


def usage_series(db: Database, window_days: int, *, now: datetime | None = None) -> dict[int, list[float]]:
    """Net daily consumption per part over the last `window_days` days (today included)."""
    since = _window_start(now, window_days)
    return db.read(lambda s: _daily_usage(s, db_time(s, since), window_days))


def _window_start(now: datetime | None, days: int) -> datetime:
    """Midnight UTC at the start of the last `days` calendar days, today included."""
    end = as_utc(now) if now is not None else datetime.now(UTC)
    return (end - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)


def suggestions(
    db: Database, actor: Actor, policy: Policy | None = None, *, now: datetime | None = None
) -> list[Suggestion]:
    """Parts at or below their reorder point, with what to order, sorted by supplier then part."""
    actor.require(Permission.VIEW)
    pol = policy or Policy()
    pol.check()
    z = z_value(pol.service_level)
    since = _window_start(now, pol.window_days)

    def op(s: Session) -> list[Suggestion]:
        usage = _daily_usage(s, db_time(s, since), pol.window_days)
        on_hand = dict(
            s.execute(select(StockBalance.part_id, func.sum(StockBalance.qty)).group_by(StockBalance.part_id))
            .tuples()
            .all()
        )
        suppliers = {
            pid: (name, pn, pack, lead)
            for pid, name, pn, pack, lead in s.execute(
                select(
                    Part.id,
                    Supplier.name,
                    PartSupplier.supplier_part_number,
                    PartSupplier.pack_qty,
                    PartSupplier.lead_time_days,
                )
                .join(Supplier, Supplier.id == Part.default_supplier_id)
                .outerjoin(
                    PartSupplier,
                    (PartSupplier.part_id == Part.id) & (PartSupplier.supplier_id == Supplier.id),
                )
            )
        }
        out: list[Suggestion] = []
        for part in s.scalars(select(Part).where(Part.active)):
            daily = usage.get(part.id, [0.0] * pol.window_days)
            demand = moving_average(daily) if pol.method == "moving_average" else smoothed(daily, pol.alpha)
            sigma = std_dev(daily)
            name, pn, pack, sup_lead = suppliers.get(part.id, ("(no supplier)", None, None, None))
            lead = sup_lead if sup_lead is not None else (part.lead_time_days or pol.default_lead_days)
            ss = safety_stock(z, sigma, lead)
            computed_rop = reorder_point(demand, lead, ss)
            rop = (
                float(part.reorder_point)
                if part.reorder_point is not None
                else (float(part.min_qty) if part.min_qty is not None else computed_rop)
            )
            have = Decimal(on_hand.get(part.id) or 0)
            if demand <= 0 and part.reorder_point is None and part.min_qty is None:
                continue  # no demand and no set minimum: nothing to plan
            if float(have) > rop:
                continue
            holding = float(part.unit_cost * pol.carrying_rate)
            economic = eoq(demand * 365, float(pol.order_cost), holding)
            up_to_max = float(part.max_qty - have) if part.max_qty is not None else 0.0
            shortfall = rop - float(have) + demand * lead  # at least cover the gap and the lead time
            raw = Decimal(str(max(economic, up_to_max, shortfall, 1e-9)))
            whole = part.unit in ("EA", "PC", "PR", "SET", "BOX", "PK", "ROLL", "DRUM")
            qty = round_up(raw, Decimal(pack) if pack else None, whole)
            reason = (
                "below reorder point"
                if part.reorder_point is not None
                else ("below minimum" if part.min_qty is not None else "below computed reorder point")
            )
            out.append(
                Suggestion(
                    part.id,
                    part.part_number,
                    part.description,
                    part.unit,
                    name,
                    pn,
                    have,
                    _dec(demand),
                    _dec(sigma),
                    int(lead),
                    _dec(ss),
                    _dec(rop),
                    _dec(economic),
                    qty,
                    part.unit_cost,
                    reason,
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
    "Daily demand",
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
            x.daily_demand,
            x.lead_days,
            x.safety_stock,
            x.reorder_point,
            x.eoq,
            x.order_qty,
            x.unit_cost,
            x.value,
            x.reason,
        ]
        for x in items
    ]
