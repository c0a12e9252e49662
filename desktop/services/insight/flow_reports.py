"""Reports on what moved, the flows behind the KPIs: turnover, short issues, count accuracy, out of
stock, kanban loops and orders, suppliers and open order lines. The KPI trend and summary are in
`kpi_reports`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop.db import Database
from desktop.models import CountLine, Location, Lot, Part, PurchaseOrder, ShortIssue, StockMove, User
from desktop.models.enums import ON_ORDER_STATES
from desktop.quantities import ZERO
from desktop.reports.table_report import ReportTable
from desktop.services.admin.plant_settings import planning
from desktop.services.common import as_utc, db_time
from desktop.services.counts.approval import accurate_bins, bin_key
from desktop.services.insight import kpis, stock_figures
from desktop.services.insight.consumption import consumed_value, is_consumption
from desktop.services.insight.report_rows import stamp
from desktop.services.insight.valuation import valuation
from desktop.services.kanban import board as kanban_board
from desktop.services.kanban import loops as kanban
from desktop.services.purchasing.orders import orders_in
from desktop.services.purchasing.performance import supplier_performance_in


def part_turnover(db: Database, *, months: int = 12) -> ReportTable:
    now = datetime.now(UTC)
    start = kpis.period_start(now, months)

    def op(s: Session) -> ReportTable:
        stock = stock_figures.part_stock(s)
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
            f"consumption over the {stamp(months)} ({days} days) against the average stock value "
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
            f"{len(rows):,} issue requests not filled in full, {stamp(months)}",
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
        found = (
            s.execute(
                select(CountLine, Part.part_number, Location.code, Part.unit_cost, Lot.lot_number)
                .join(Part, Part.id == CountLine.part_id)
                .join(Location, Location.id == CountLine.location_id)
                .outerjoin(Lot, Lot.id == CountLine.lot_id)
                .where(
                    CountLine.status == "APPROVED",
                    CountLine.counted_qty.is_not(None),
                    CountLine.updated_at >= since,
                )
                .order_by(CountLine.updated_at.desc(), CountLine.id)
            )
            .tuples()
            .all()
        )
        # each lot line is shown; the IRA counts a (part, bin) once (counts.approval.accurate_bins)
        bins = accurate_bins(line for line, *_rest in found)
        for line, pn, code, cost, lot in found:
            expected = Decimal(line.expected_qty or 0)
            variance = Decimal(line.counted_qty or 0) - expected
            rows.append(
                (
                    as_utc(line.updated_at),
                    pn,
                    code,
                    lot or "",
                    expected,
                    line.counted_qty,
                    variance,
                    variance * cost,
                    "yes" if bins[bin_key(line)] else "no",
                )
            )
        within = sum(1 for ok in bins.values() if ok)
        pct = f"{Decimal(within) * 100 / len(bins):.1f} %" if bins else "no counts"
        return ReportTable(
            "Count accuracy",
            f"{len(rows):,} approved count lines ({len(bins):,} part/bin), {stamp(months)}: IRA {pct}",
            (
                "Approved",
                "Part number",
                "Bin",
                "Lot",
                "Expected",
                "Counted",
                "Variance",
                "Variance value",
                "Accurate",
            ),
            ("datetime", "text", "text", "text", "qty", "qty", "qty", "money", "text"),
            rows,
        )

    return db.read(op)


def out_of_stock(db: Database) -> ReportTable:
    settings = planning(db)
    now = datetime.now(UTC)

    def op(s: Session) -> ReportTable:
        stock = stock_figures.part_stock(s)
        wanted = stock_figures.wanted_parts(s, db_time(s, now - timedelta(days=settings.demand_window_days)))
        demand = stock_figures.demand_per_day(s, now, settings.demand_window_days)
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
    board = kanban_board.board(db)
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
        # the dashboard's period (whole calendar months), so its order-accuracy tile is this table's total
        since = kpis.period_start(datetime.now(UTC), months).date()
        found = supplier_performance_in(s, since=since)
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
            f"order lines due or complete in the {stamp(months)}: on time in full = every unit in by its "
            "needed-by date; lead time = median days from order sent to receipt; late = open and needed "
            "before today",
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


def kanban_orders(db: Database) -> ReportTable:
    """The replenishment list: empty cards grouped by supplier (to order) or supply location (to pick)."""
    lines = kanban_board.replenishment_list(db)
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
