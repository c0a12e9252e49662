"""The rows behind each report and each dashboard figure, as `ReportTable`s the PDF renderer, the
spreadsheet writers and the dashboard's drill-down all take."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from desktop.db import Database
from desktop.errors import UserError
from desktop.models import (
    CountLine,
    Location,
    Part,
    PurchaseOrder,
    ShortIssue,
    StockBalance,
    StockMove,
    Supplier,
    User,
)
from desktop.models.enums import ON_ORDER_STATES, MoveKind
from desktop.quantities import exact_qty, fixed, money
from desktop.reports.labels import RenderCancelled
from desktop.reports.table_report import Chart, ReportTable, render_table_pdf
from desktop.services.actor import Actor, Permission
from desktop.services.admin.plant_settings import planning
from desktop.services.catalogue.locations import within
from desktop.services.common import as_utc, db_time
from desktop.services.counts.sessions import abc_rows, line_accurate
from desktop.services.insight import kpis
from desktop.services.insight.category_report import stock_by_category
from desktop.services.insight.consumption import consumed_value, is_consumption
from desktop.services.insight.valuation import valuation
from desktop.services.io.tabular import write_bytes, write_csv, write_xlsx
from desktop.services.kanban import loops as kanban
from desktop.services.purchasing.orders import orders_in
from desktop.services.purchasing.performance import supplier_performance_in

Progress = Callable[[int, int], bool | None]
ZERO = Decimal(0)
HISTORY_LIMIT = 200_000  # rows in one movement history report; a longer range is split by the user


_money = money
_FILE_PLACES = {"money": 2, "pct": 2, "number": 4}


def _shown(value: Any, fmt: str) -> Any:
    """A cell as it is shown and saved: money half-up to the cent, other figures to fixed decimals."""
    if not isinstance(value, Decimal):
        return value
    if fmt in ("money", "text"):  # a Decimal in a text column is an amount (the KPI summary)
        return money(value)
    if fmt == "qty":
        return exact_qty(value)
    return fixed(value, _FILE_PLACES.get(fmt, 4))


def finished(table: ReportTable) -> ReportTable:
    """The table as it is shown, printed and saved: every figure rounded once (see `_shown`), and each
    money total the sum of the amounts shown above it, so a printed column adds up."""
    rows = [tuple(_shown(v, f) for v, f in zip(row, table.formats, strict=True)) for row in table.rows]
    totals = table.totals
    if totals is not None:
        totals = tuple(
            sum((r[i] for r in rows if isinstance(r[i], Decimal)), ZERO)
            if f == "money" and isinstance(t, Decimal)
            else _shown(t, f)
            for i, (t, f) in enumerate(zip(totals, table.formats, strict=True))
        )
    return replace(table, rows=rows, totals=totals)


def _tick(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and progress(done, total) is False:
        raise RenderCancelled()


def _stamp(months: int) -> str:
    return f"last {months} month{'s' if months != 1 else ''}"


# --- stock ------------------------------------------------------------------------------------------------


def stock_valuation(db: Database) -> ReportTable:
    settings = planning(db)
    stock = db.read(kpis.part_stock)
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
        ("Total", "", "", None, None, _money(value), _money(value * settings.carrying_rate)),
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
            ("Total", "", "", "", None, None, _money(value)),
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
                _tick(progress, len(rows), total)
        _tick(progress, len(rows), total)
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
        stock = kpis.part_stock(s)
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
            ("Total", "", "", "", None, None, None, None, None, _money(sum((r[9] for r in rows), ZERO))),
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
            f"usage value (consumption at cost) over the {_stamp(months)}: "
            f"A {classes['A']:,} · B {classes['B']:,} · C {classes['C']:,} parts "
            "(A up to 80 % of the value, B the next 15 %)",
            ("Rank", "Part number", "Description", "Usage value", "Share", "Cumulative", "Class", "Override"),
            ("int", "text", "text", "money", "pct", "pct", "text", "text"),
            out,
            ("Total", "", "", _money(total), None, None, "", ""),
        )

    return db.read(op)


def _last_moves(s: Session, part_ids: list[int], kinds: tuple[str, ...]) -> dict[int, datetime]:
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
        dead, _excess = kpis.dead_and_excess(s, kpis.part_stock(s), settings, now)
        dead.sort(key=lambda p: (-p.value, p.part_number))
        ids = [p.part_id for p in dead]
        issued = _last_moves(s, ids, (MoveKind.ISSUE.value, MoveKind.SCRAP.value))
        received = _last_moves(s, ids, (MoveKind.RECEIPT.value,))
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
            ("Total", "", "", None, None, _money(sum((p.value for p in dead), ZERO)), None, None),
        )

    return db.read(op)


def excess_stock(db: Database) -> ReportTable:
    settings = planning(db)
    now = datetime.now(UTC)

    def op(s: Session) -> ReportTable:
        _dead, excess = kpis.dead_and_excess(s, kpis.part_stock(s), settings, now)
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
            ("Total", "", "", None, None, None, None, _money(sum((r[7] for r in rows), ZERO))),
        )

    return db.read(op)


# --- flows behind the KPIs ----------------------------------------------------------------------------------


def part_turnover(db: Database, *, months: int = 12) -> ReportTable:
    now = datetime.now(UTC)
    start = kpis.period_start(now, months)

    def op(s: Session) -> ReportTable:
        stock = kpis.part_stock(s)
        values = valuation(s, start.date(), now, per_part=True)
        days = values.days
        used = dict(
            s.execute(
                select(StockMove.part_id, func.sum(consumed_value()))
                .join(Part, Part.id == StockMove.part_id)
                .where(is_consumption(), StockMove.at >= db_time(s, start))
                .group_by(StockMove.part_id)
            )
            .tuples()
            .all()
        )
        rows = []
        for p in stock.values():
            consumed = Decimal(used.get(p.part_id) or 0)
            average = values.part_average(p.part_id)
            if consumed <= 0 and average == 0 and p.on_hand == 0:
                continue
            rows.append(
                (
                    p.part_number,
                    p.description,
                    consumed,
                    average,
                    p.value,
                    kpis.turnover(consumed, average, days),
                    kpis.days_of_supply(average, consumed, days),
                )
            )
        rows.sort(key=lambda r: (-r[3], r[0]))
        return ReportTable(
            "Turnover by part",
            f"consumption over the {_stamp(months)} ({days} days) against the average stock value "
            "(time-weighted, at the cost in force each day); days of supply = 365 / turns; "
            "no turnover means no stock in the period, no days of supply means no consumption",
            (
                "Part number",
                "Description",
                "Consumption value",
                "Average stock value",
                "Stock value now",
                "Turns / year",
                "Days of supply",
            ),
            ("text", "text", "money", "money", "money", "number", "number"),
            rows,
        )

    return db.read(op)


def short_issues(db: Database, *, months: int = 12) -> ReportTable:
    start = kpis.period_start(datetime.now(UTC), months)

    def op(s: Session) -> ReportTable:
        since = db_time(s, start)
        rows = [
            (as_utc(at), pn, desc, code, req, got, req - got, unit, ref, user)
            for at, pn, desc, code, req, got, unit, ref, user in s.execute(
                select(
                    ShortIssue.at,
                    Part.part_number,
                    Part.description,
                    Location.code,
                    ShortIssue.requested_qty,
                    ShortIssue.issued_qty,
                    Part.unit,
                    ShortIssue.reference,
                    User.user_name,
                )
                .join(Part, Part.id == ShortIssue.part_id)
                .join(User, User.id == ShortIssue.user_id)
                .outerjoin(Location, Location.id == ShortIssue.location_id)
                .where(ShortIssue.at >= since)
                .order_by(ShortIssue.at.desc())
            )
        ]
        return ReportTable(
            "Short issues (stockouts at the counter)",
            f"{len(rows):,} issue requests not filled in full, {_stamp(months)}",
            (
                "When",
                "Part number",
                "Description",
                "Bin",
                "Requested",
                "Issued",
                "Short",
                "Unit",
                "Reference",
                "User",
            ),
            ("datetime", "text", "text", "text", "qty", "qty", "qty", "text", "text", "text"),
            rows,
        )

    return db.read(op)


def count_accuracy(db: Database, *, months: int = 12) -> ReportTable:
    start = kpis.period_start(datetime.now(UTC), months)

    def op(s: Session) -> ReportTable:
        since = db_time(s, start)
        rows = []
        for line, pn, code, cost in s.execute(
            select(CountLine, Part.part_number, Location.code, Part.unit_cost)
            .join(Part, Part.id == CountLine.part_id)
            .join(Location, Location.id == CountLine.location_id)
            .where(
                CountLine.status == "APPROVED",
                CountLine.counted_qty.is_not(None),
                CountLine.updated_at >= since,
            )
            .order_by(CountLine.updated_at.desc())
        ).tuples():
            expected = Decimal(line.expected_qty or 0)
            variance = Decimal(line.counted_qty or 0) - expected
            rows.append(
                (
                    as_utc(line.updated_at),
                    pn,
                    code,
                    expected,
                    line.counted_qty,
                    variance,
                    variance * cost,
                    "yes" if line_accurate(line) else "no",
                )
            )
        within = sum(1 for r in rows if r[7] == "yes")
        pct = f"{Decimal(within) * 100 / len(rows):.1f} %" if rows else "no counts"
        return ReportTable(
            "Count accuracy",
            f"{len(rows):,} approved count lines, {_stamp(months)}: IRA {pct}",
            (
                "Approved",
                "Part number",
                "Bin",
                "Expected",
                "Counted",
                "Variance",
                "Variance value",
                "Accurate",
            ),
            ("datetime", "text", "text", "qty", "qty", "qty", "money", "text"),
            rows,
        )

    return db.read(op)


def out_of_stock(db: Database) -> ReportTable:
    settings = planning(db)
    now = datetime.now(UTC)

    def op(s: Session) -> ReportTable:
        stock = kpis.part_stock(s)
        wanted = kpis.wanted_parts(s, db_time(s, now - timedelta(days=settings.demand_window_days)))
        demand = kpis.demand_per_day(s, now, settings.demand_window_days)
        rows = [
            (p.part_number, p.description, p.unit, p.min_qty, demand.get(p.part_id, ZERO))
            for p in stock.values()
            if p.on_hand <= 0 and (p.part_id in wanted or (p.min_qty or 0) > 0)
        ]
        rows.sort(key=lambda r: (-r[4], r[0]))
        return ReportTable(
            "Out of stock now",
            f"{len(rows):,} parts with demand in the last {settings.demand_window_days} days (consumed, or "
            "asked for and found short) or a minimum, and nothing on hand",
            ("Part number", "Description", "Unit", "Minimum", "Demand / day"),
            ("text", "text", "text", "qty", "number"),
            rows,
        )

    return db.read(op)


def kanban_loops(db: Database) -> ReportTable:
    board = kanban.board(db)
    statuses = [c.value for c in kanban.CardStatus if c is not kanban.CardStatus.RETIRED]
    rows = [
        (
            r.loop.part_number,
            r.loop.consumption_code,
            r.loop.supply,
            r.loop.status,
            r.loop.card_count,
            *[r.counts.get(st, 0) for st in statuses],
            r.late,
            "yes" if r.stockout else "",
        )
        for r in board
    ]
    return ReportTable(
        "Kanban loop health",
        f"{len(rows):,} loops; late = a card out longer than the loop's lead time; "
        "stockout = no full card at the line",
        (
            "Part number",
            "Line",
            "Supply",
            "Status",
            "Cards",
            *[s.replace("_", " ").title() for s in statuses],
            "Late",
            "Stockout",
        ),
        ("text", "text", "text", "text", "int", *["int"] * len(statuses), "int", "text"),
        rows,
    )


def supplier_report(db: Database, *, months: int = 12) -> ReportTable:
    """Supplier performance (desktop/services/purchasing/performance.py), one row per supplier."""

    def op(s: Session) -> ReportTable:
        found = supplier_performance_in(s, months=months)
        rows = [
            (
                x.supplier,
                x.lines_due,
                x.on_time_in_full,
                x.otif * 100 if x.otif is not None else None,
                Decimal(str(round(x.median_lead_days, 1))) if x.median_lead_days is not None else None,
                x.open_lines,
                x.late_lines,
            )
            for x in found
            if x.lines_due or x.open_lines
        ]
        due, good = sum(x.lines_due for x in found), sum(x.on_time_in_full for x in found)
        return ReportTable(
            "Supplier performance",
            f"order lines sent in the {_stamp(months)}: on time in full = every unit in by its needed-by "
            "date; lead time = median days from order sent to receipt; late = open and needed before today",
            (
                "Supplier",
                "Lines due",
                "On time in full",
                "OTIF",
                "Lead time (days)",
                "Open lines",
                "Late lines",
            ),
            ("text", "int", "int", "pct", "number", "int", "int"),
            rows,
            (
                "All suppliers",
                due,
                good,
                Decimal(good) * 100 / due if due else None,
                None,
                sum(r[5] for r in rows),
                sum(r[6] for r in rows),
            ),
        )

    return db.read(op)


def open_po_lines(db: Database) -> ReportTable:
    """Every order line still expected, the soonest needed first; late ones say by how many days."""
    today = date.today()

    def op(s: Session) -> ReportTable:
        rows = []
        for order in orders_in(s, PurchaseOrder.state.in_(ON_ORDER_STATES)):
            for x in order.lines:
                if x.open_qty <= 0:
                    continue
                late = (today - x.needed_by).days if x.needed_by and x.needed_by < today else 0
                rows.append(
                    (
                        order.number,
                        order.supplier_name,
                        order.state.replace("_", " ").lower(),
                        x.line_no,
                        x.part_number,
                        x.open_qty,
                        x.unit,
                        x.needed_by,
                        late or "",
                    )
                )
        rows.sort(key=lambda r: (r[7] is None, r[7] or today, r[0], r[3]))
        return ReportTable(
            "Open purchase-order lines",
            f"{len(rows):,} line(s) still expected on draft, sent and partly received orders",
            ("Order", "Supplier", "State", "Line", "Part number", "Open", "Unit", "Needed by", "Days late"),
            ("text", "text", "text", "int", "text", "qty", "text", "date", "int"),
            rows,
        )

    return db.read(op)


def kpi_trend(k: kpis.Kpis) -> ReportTable:
    rows = [
        (
            m.month,
            m.value_end,
            m.average_value,
            m.consumption,
            m.turnover,
            m.days_of_supply,
            m.requests,
            m.fill_rate,
            m.stockouts,
            m.counted,
            m.ira,
        )
        for m in k.months
    ]
    return ReportTable(
        "KPIs by month",
        f"{len(rows)} months; month ends and averages at the cost in force then; turnover annualised; "
        "the running month up to today",
        (
            "Month",
            "Stock value (end)",
            "Average value",
            "Consumption",
            "Turns / year",
            "Days of supply",
            "Issue requests",
            "Fill rate",
            "Stockouts",
            "Lines counted",
            "IRA",
        ),
        ("text", "money", "money", "money", "number", "number", "int", "pct", "int", "int", "pct"),
        rows,
    )


def kpi_summary(k: kpis.Kpis) -> ReportTable:
    pct = "{:.1f} %".format
    h = k.kanban
    rows: list[tuple[Any, ...]] = [
        ("Stock value", _money(k.stock_value), "on hand at standard cost, now"),
        (
            "Average stock value",
            _money(k.average_value),
            "time-weighted: the mean of every day's closing value, each day at the cost in force then",
        ),
        (
            "Carrying cost / year",
            _money(k.carrying_cost),
            f"average value x {k.settings.carrying_rate * 100:.0f} %",
        ),
        ("Consumption", _money(k.consumption), "issues and scrap less returns, reversals netted, at cost"),
        (
            "Turnover",
            "-" if k.turnover is None else f"{k.turnover:.2f} turns / year",
            "consumption / average value, annualised",
        ),
        (
            "Days of supply",
            "-" if k.days_of_supply is None else f"{k.days_of_supply:.0f} days",
            "average value / consumption per day (= 365 / turnover)",
        ),
        (
            "Fill rate",
            "-" if k.fill_rate is None else pct(k.fill_rate),
            f"{k.filled:,} of {k.requests:,} issue requests filled in full",
        ),
        (
            "Stockouts",
            f"{k.stockouts:,}",
            f"short issues; {k.out_of_stock_now:,} parts with demand have none now",
        ),
        (
            "Inventory record accuracy",
            "-" if k.ira is None else pct(k.ira),
            f"{k.within:,} of {k.counted:,} counted lines within tolerance",
        ),
        (
            "Dead stock",
            _money(k.dead_value),
            f"{k.dead_parts:,} parts, no movement for {k.settings.dead_days} days",
        ),
        (
            "Excess stock",
            _money(k.excess_value),
            f"{k.excess_parts:,} parts above maximum or {k.settings.excess_days} days of demand",
        ),
        (
            "Kanban loops healthy",
            "-" if h.healthy_pct is None else pct(h.healthy_pct),
            f"{h.loops} active loops: {h.stockout_loops} out of stock at the line, "
            f"{h.late_cards} cards late; {h.on_hold} on hold",
        ),
    ]
    labels = tuple(m.month for m in k.months)
    charts = (
        Chart("Stock value at month end", labels, tuple(float(m.value_end) for m in k.months)),
        Chart(
            "Turnover (turns / year)",
            labels,
            tuple(None if m.turnover is None else float(m.turnover) for m in k.months),
            "line",
        ),
        Chart(
            "Fill rate (%)",
            labels,
            tuple(None if m.fill_rate is None else float(m.fill_rate) for m in k.months),
            "line",
        ),
    )
    return ReportTable(
        "KPI summary",
        f"{_stamp(len(k.months))} ({k.period_days} days)",
        ("KPI", "Value", "How it is measured"),
        ("text", "text", "text"),
        rows,
        charts=charts,
    )


# --- the catalogue the Reports page and the command line offer --------------------------------------------


@dataclass(frozen=True)
class ReportSpec:
    key: str
    title: str
    uses: frozenset[str]  # which of months, dates, part, location the report takes


@dataclass(frozen=True)
class ReportParams:
    months: int = 12
    start: date | None = None
    end: date | None = None
    part_number: str | None = None
    location_code: str | None = None
    category: str | None = None  # a category path: that category and everything below it
    days: int = 30  # expiring lots: the window ahead


CATALOGUE = (
    ReportSpec("kpi-summary", "KPI summary", frozenset({"months"})),
    ReportSpec("kpi-trend", "KPIs by month", frozenset({"months"})),
    ReportSpec("valuation", "Stock valuation", frozenset()),
    ReportSpec("by-location", "Stock by location", frozenset({"location"})),
    ReportSpec("by-category", "Stock by category", frozenset({"category"})),
    ReportSpec("history", "Movement history", frozenset({"dates", "part", "location"})),
    ReportSpec("below-minimum", "Below minimum", frozenset()),
    ReportSpec("abc", "ABC analysis", frozenset({"months"})),
    ReportSpec("dead", "Dead stock", frozenset()),
    ReportSpec("excess", "Excess stock", frozenset()),
    ReportSpec("turnover", "Turnover by part", frozenset({"months"})),
    ReportSpec("short-issues", "Short issues", frozenset({"months"})),
    ReportSpec("count-accuracy", "Count accuracy", frozenset({"months"})),
    ReportSpec("out-of-stock", "Out of stock now", frozenset()),
    ReportSpec("kanban", "Kanban loop health", frozenset()),
    ReportSpec("kanban-orders", "Kanban: to order / pick", frozenset()),
    ReportSpec("suppliers", "Supplier performance", frozenset({"months"})),
    ReportSpec("open-po-lines", "Open purchase-order lines", frozenset()),
    ReportSpec("expiring", "Expiring lots", frozenset({"days"})),
)


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


def kanban_orders(db: Database) -> ReportTable:
    """The replenishment list: empty cards grouped by supplier (to order) or supply location (to pick)."""
    lines = kanban.replenishment_list(db)
    rows = [
        (
            x.group,
            x.loop.part_number,
            x.loop.description,
            len(x.card_ids),
            x.qty,
            x.loop.unit,
            x.loop.consumption_code,
            " ".join(kanban.card_code(i) for i in x.card_ids),
        )
        for x in lines
    ]
    return ReportTable(
        "Kanban: to order and to pick",
        f"{sum(len(x.card_ids) for x in lines):,} empty card(s) in {len(rows):,} line(s), grouped by "
        "supplier (purchase) or supply location (internal pick list)",
        ("Order from / pick", "Part number", "Description", "Cards", "Quantity", "Unit", "To", "Card codes"),
        ("text", "text", "text", "int", "qty", "text", "text", "text"),
        rows,
    )


def build(
    db: Database, actor: Actor, key: str, params: ReportParams, *, progress: Progress | None = None
) -> ReportTable:
    actor.require(Permission.VIEW)
    today = datetime.now(UTC).date()
    builders: dict[str, Callable[[], ReportTable]] = {
        "kpi-summary": lambda: kpi_summary(kpis.compute(db, months=params.months)),
        "kpi-trend": lambda: kpi_trend(kpis.compute(db, months=params.months)),
        "valuation": lambda: stock_valuation(db),
        "by-location": lambda: stock_by_location(db, location_code=params.location_code),
        "by-category": lambda: stock_by_category(db, category=params.category),
        "history": lambda: movement_history(
            db,
            start=params.start or today - timedelta(days=30),
            end=params.end or today,
            part_number=params.part_number,
            location_code=params.location_code,
            progress=progress,
        ),
        "below-minimum": lambda: below_minimum(db),
        "abc": lambda: abc_analysis(db, months=params.months),
        "dead": lambda: dead_stock(db),
        "excess": lambda: excess_stock(db),
        "turnover": lambda: part_turnover(db, months=params.months),
        "short-issues": lambda: short_issues(db, months=params.months),
        "count-accuracy": lambda: count_accuracy(db, months=params.months),
        "out-of-stock": lambda: out_of_stock(db),
        "kanban": lambda: kanban_loops(db),
        "kanban-orders": lambda: kanban_orders(db),
        "suppliers": lambda: supplier_report(db, months=params.months),
        "open-po-lines": lambda: open_po_lines(db),
        "expiring": lambda: expiring_lots(db, days=params.days),
    }
    if key not in builders:
        raise UserError(f"There is no report '{key}': choose one of {', '.join(builders)}.")
    return finished(builders[key]())


# --- files ------------------------------------------------------------------------------------------------


def export(table: ReportTable, path: Path, *, generated: str, progress: Progress | None = None) -> None:
    """Save a report as PDF, XLSX or CSV (by the file's suffix); numbers stay numbers in spreadsheets."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        write_bytes(path, render_table_pdf(table, generated=generated, progress=progress))
        return
    rows: list[tuple[Any, ...]] = list(table.rows) + ([table.totals] if table.totals else [])
    if suffix == ".xlsx":
        if len(rows) >= 1_048_575:
            raise UserError("Excel takes at most 1,048,575 rows: choose a shorter range.")
        write_xlsx(path, table.headers, rows, title=table.title)
    elif suffix == ".csv":
        write_csv(path, table.headers, rows)
    else:
        raise UserError(f"Reports are saved as .pdf, .xlsx or .csv, not {suffix or 'a file without suffix'}.")
    _tick(progress, len(rows), len(rows))
