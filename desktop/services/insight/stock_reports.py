"""Reports on what is held: valuation, stock by location, movement history, below minimum, ABC, dead
and excess stock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import (
    Location,
    Part,
    StockBalance,
    StockMove,
    Supplier,
    User,
)
from desktop.models.enums import MoveKind
from desktop.quantities import ZERO, money
from desktop.reports.table_report import ReportTable
from desktop.services.admin.plant_settings import planning
from desktop.services.catalogue.locations import within
from desktop.services.common import as_utc, db_time
from desktop.services.counts.sessions import abc_rows
from desktop.services.insight import stock_figures
from desktop.services.insight.report_rows import Progress, stamp, tick

HISTORY_LIMIT = 200_000  # rows in one movement history report; a longer range is split by the user


def stock_valuation(db: Database) -> ReportTable:
    settings = planning(db)
    stock = db.read(stock_figures.part_stock)
    held = sorted((p for p in stock.values() if p.on_hand != 0), key=lambda p: (-p.value, p.part_number))
    rows = [
        (
            p.part_number,
            p.description,
            p.unit,
            p.on_hand,
            p.unit_cost,
            p.value,
            p.value * settings.carrying_rate,
        )
        for p in held
    ]
    value = sum((p.value for p in held), ZERO)
    return ReportTable(
        "Stock valuation",
        f"{len(rows):,} parts in stock at standard cost; carrying cost at "
        f"{settings.carrying_rate * 100:.0f} % a year",
        ("Part number", "Description", "Unit", "On hand", "Unit cost", "Value", "Carrying cost / year"),
        ("text", "text", "text", "qty", "money", "money", "money"),
        rows,
        ("Total", "", "", None, None, money(value), money(value * settings.carrying_rate)),
    )


def stock_by_location(db: Database, *, location_code: str | None = None) -> ReportTable:
    def op(s: Session) -> ReportTable:
        stmt = (
            select(
                Location.code,
                Location.path,
                Part.part_number,
                Part.description,
                Part.unit,
                StockBalance.qty,
                Part.unit_cost,
            )
            .join(Location, Location.id == StockBalance.location_id)
            .join(Part, Part.id == StockBalance.part_id)
            .where(StockBalance.qty != 0)
            .order_by(Location.path, Location.walk_order, Part.part_number)
        )
        scope = "all locations"
        if location_code:
            top = s.scalar(select(Location).where(func.upper(Location.code) == location_code.strip().upper()))
            if top is None:
                raise UserError(f"No location with code {location_code}.", field="location")
            stmt = stmt.where(within(top.path))
            scope = f"{top.code} and everything in it"
        rows = [
            (code, pn, desc, unit, qty, cost, qty * cost)
            for code, _path, pn, desc, unit, qty, cost in s.execute(stmt)
        ]
        value = sum((r[6] for r in rows), ZERO)
        return ReportTable(
            "Stock by location",
            f"{scope}: {len(rows):,} lines",
            ("Location", "Part number", "Description", "Unit", "Quantity", "Unit cost", "Value"),
            ("text", "text", "text", "text", "qty", "money", "money"),
            rows,
            ("Total", "", "", "", None, None, money(value)),
        )

    return db.read(op)


def movement_history(
    db: Database,
    *,
    start: date,
    end: date,
    part_number: str | None = None,
    location_code: str | None = None,
    progress: Progress | None = None,
) -> ReportTable:
    """Every move from `start` to `end` (whole days, UTC), oldest first."""
    if end < start:
        raise UserError("The end date is before the start date.", field="end")
    lo = datetime.combine(start, time.min, UTC)
    hi = datetime.combine(end + timedelta(days=1), time.min, UTC)
    src, dst = aliased(Location), aliased(Location)

    def op(s: Session) -> ReportTable:
        where = [
            StockMove.at >= db_time(s, lo),
            StockMove.at < db_time(s, hi),
        ]
        scope = []
        if part_number:
            pid = s.scalar(select(Part.id).where(Part.number_key == part_number.strip().upper()))
            if pid is None:
                raise UserError(f"No part with number {part_number}.", field="part")
            where.append(StockMove.part_id == pid)
            scope.append(part_number.strip().upper())
        if location_code:
            lid = s.scalar(
                select(Location.id).where(func.upper(Location.code) == location_code.strip().upper())
            )
            if lid is None:
                raise UserError(f"No location with code {location_code}.", field="location")
            where.append((StockMove.from_location_id == lid) | (StockMove.to_location_id == lid))
            scope.append(location_code.strip().upper())
        total = s.scalar(select(func.count()).select_from(StockMove).where(*where)) or 0
        if total > HISTORY_LIMIT:
            raise UserError(
                f"{total:,} moves in that range: at most {HISTORY_LIMIT:,} fit one report. "
                "Choose a shorter range, a part or a location."
            )
        stmt = (
            select(
                StockMove.at,
                StockMove.id,
                StockMove.kind,
                Part.part_number,
                Part.description,
                StockMove.qty,
                Part.unit,
                src.code,
                dst.code,
                StockMove.reference,
                StockMove.reason,
                User.user_name,
            )
            .join(Part, Part.id == StockMove.part_id)
            .join(User, User.id == StockMove.user_id)
            .outerjoin(src, src.id == StockMove.from_location_id)
            .outerjoin(dst, dst.id == StockMove.to_location_id)
            .where(*where)
            .order_by(StockMove.at, StockMove.id)
            .execution_options(yield_per=5000)
        )
        rows: list[tuple[Any, ...]] = []
        for at, *rest in s.execute(stmt):
            rows.append((as_utc(at), *rest))
            if len(rows) % 5000 == 0:
                tick(progress, len(rows), total)
        tick(progress, len(rows), total)
        return ReportTable(
            "Movement history",
            f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"
            + (f" · {' · '.join(scope)}" if scope else "")
            + f": {len(rows):,} moves (UTC)",
            (
                "When",
                "Move",
                "Kind",
                "Part number",
                "Description",
                "Qty",
                "Unit",
                "From",
                "To",
                "Reference",
                "Reason",
                "User",
            ),
            (
                "datetime",
                "int",
                "text",
                "text",
                "text",
                "qty",
                "text",
                "text",
                "text",
                "text",
                "text",
                "text",
            ),
            rows,
        )

    return db.read(op)


def below_minimum(db: Database) -> ReportTable:
    def op(s: Session) -> ReportTable:
        stock = stock_figures.part_stock(s)
        extra = {
            pid: (rop, sup)
            for pid, rop, sup in s.execute(
                select(Part.id, Part.reorder_point, Supplier.name)
                .outerjoin(Supplier, Supplier.id == Part.default_supplier_id)
                .where(Part.active, (Part.min_qty.is_not(None)) | (Part.reorder_point.is_not(None)))
            )
        }
        rows = []
        for pid, (rop, supplier) in extra.items():
            p = stock[pid]
            trigger = rop if rop is not None else p.min_qty
            low = (p.min_qty is not None and p.on_hand < p.min_qty) or (rop is not None and p.on_hand <= rop)
            if not low or trigger is None:
                continue
            target = p.max_qty if p.max_qty is not None else max(p.min_qty or ZERO, trigger)
            short = max(target - p.on_hand, ZERO)
            rows.append(
                (
                    supplier or "(no supplier)",
                    p.part_number,
                    p.description,
                    p.unit,
                    p.on_hand,
                    p.min_qty,
                    rop,
                    p.max_qty,
                    short,
                    short * p.unit_cost,
                )
            )
        rows.sort(key=lambda r: (str(r[0]).upper(), r[1]))
        return ReportTable(
            "Below minimum",
            f"{len(rows):,} parts under their minimum or at their reorder point; "
            "'to order' fills up to the maximum",
            (
                "Supplier",
                "Part number",
                "Description",
                "Unit",
                "On hand",
                "Minimum",
                "Reorder point",
                "Maximum",
                "To order",
                "Value",
            ),
            ("text", "text", "text", "text", "qty", "qty", "qty", "qty", "qty", "money"),
            rows,
            ("Total", "", "", "", None, None, None, None, None, money(sum((r[9] for r in rows), ZERO))),
        )

    return db.read(op)


def abc_analysis(db: Database, *, months: int = 12) -> ReportTable:
    def op(s: Session) -> ReportTable:
        rows = abc_rows(s, months=months)
        total = sum((r.usage_value for r in rows), ZERO)
        out = [
            (
                n,
                r.part_number,
                r.description,
                r.usage_value,
                r.usage_value * 100 / total if total else ZERO,
                r.cumulative_pct,
                r.computed,
                r.override or "",
            )
            for n, r in enumerate(rows, start=1)
        ]
        classes = {c: sum(1 for r in rows if r.abc == c) for c in "ABC"}
        return ReportTable(
            "ABC analysis",
            f"usage value (consumption at cost) over the {stamp(months)}: "
            f"A {classes['A']:,} · B {classes['B']:,} · C {classes['C']:,} parts "
            "(A up to 80 % of the value, B the next 15 %)",
            ("Rank", "Part number", "Description", "Usage value", "Share", "Cumulative", "Class", "Override"),
            ("int", "text", "text", "money", "pct", "pct", "text", "text"),
            out,
            ("Total", "", "", money(total), None, None, "", ""),
        )

    return db.read(op)


def last_moves(s: Session, part_ids: list[int], kinds: tuple[str, ...]) -> dict[int, datetime]:
    out: dict[int, datetime] = {}
    for chunk in range(0, len(part_ids), 900):
        ids = part_ids[chunk : chunk + 900]
        for pid, at in s.execute(
            select(StockMove.part_id, func.max(StockMove.at))
            .where(StockMove.part_id.in_(ids), StockMove.kind.in_(kinds))
            .group_by(StockMove.part_id)
        ):
            out[pid] = as_utc(at)
    return out


def dead_stock(db: Database) -> ReportTable:
    settings = planning(db)
    now = datetime.now(UTC)

    def op(s: Session) -> ReportTable:
        dead, _excess = stock_figures.dead_and_excess(s, stock_figures.part_stock(s), settings, now)
        dead.sort(key=lambda p: (-p.value, p.part_number))
        ids = [p.part_id for p in dead]
        issued = last_moves(s, ids, (MoveKind.ISSUE.value, MoveKind.SCRAP.value))
        received = last_moves(s, ids, (MoveKind.RECEIPT.value,))
        rows = [
            (
                p.part_number,
                p.description,
                p.unit,
                p.on_hand,
                p.unit_cost,
                p.value,
                issued.get(p.part_id),
                received.get(p.part_id),
            )
            for p in dead
        ]
        return ReportTable(
            "Dead stock",
            f"{len(rows):,} parts neither issued nor received for {settings.dead_days} days "
            "(critical spares left out)",
            (
                "Part number",
                "Description",
                "Unit",
                "On hand",
                "Unit cost",
                "Value",
                "Last issue",
                "Last receipt",
            ),
            ("text", "text", "text", "qty", "money", "money", "date", "date"),
            rows,
            ("Total", "", "", None, None, money(sum((p.value for p in dead), ZERO)), None, None),
        )

    return db.read(op)


def excess_stock(db: Database) -> ReportTable:
    settings = planning(db)
    now = datetime.now(UTC)

    def op(s: Session) -> ReportTable:
        _dead, excess = stock_figures.dead_and_excess(s, stock_figures.part_stock(s), settings, now)
        excess.sort(key=lambda t: (-(t[0].unit_cost * t[1]), t[0].part_number))
        rows = [
            (p.part_number, p.description, p.unit, p.on_hand, p.max_qty, daily, qty, qty * p.unit_cost)
            for p, qty, daily in excess
        ]
        return ReportTable(
            "Excess stock",
            f"{len(rows):,} parts above their maximum, or above {settings.excess_days} days of demand "
            f"(demand over the last {settings.demand_window_days} days)",
            (
                "Part number",
                "Description",
                "Unit",
                "On hand",
                "Maximum",
                "Demand / day",
                "Excess",
                "Excess value",
            ),
            ("text", "text", "text", "qty", "qty", "number", "qty", "money"),
            rows,
            ("Total", "", "", None, None, None, None, money(sum((r[7] for r in rows), ZERO))),
        )

    return db.read(op)


def expiring_lots(db: Database, *, days: int) -> ReportTable:
    """Lots with stock that have expired or expire within `days` (or their part's warning window)."""
    from desktop.services import lots

    found = lots.expiring(db, days)
    rows = [
        (
            x.lot.expires_on,
            x.days_left,
            x.lot.part_number,
            x.lot.lot_number,
            x.on_hand,
            x.lot.unit,
            " ".join(x.bins),
            x.lot.supplier_name or "",
            "expired" if x.days_left < 0 else "warning" if x.warned else "",
        )
        for x in found
    ]
    expired = sum(1 for x in found if x.days_left < 0)
    return ReportTable(
        "Expiring lots",
        f"{len(rows):,} lot(s) with stock expiring within {days} days or their part's warning window; "
        f"{expired:,} expired already",
        ("Expires", "Days left", "Part number", "Lot", "On hand", "Unit", "Bins", "Supplier", "State"),
        ("date", "int", "text", "text", "qty", "text", "text", "text", "text"),
        rows,
    )
