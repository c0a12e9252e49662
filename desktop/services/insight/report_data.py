"""The reports the Reports page and `storeroom report` offer: the catalogue of reports, building one
with its parameters, and saving it as CSV, XLSX or PDF. The tables themselves are built in
`stock_reports` (what is held), `flow_reports` (what moved: the flows behind the KPIs) and `kpi_reports`
(the KPI trend and summary).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from desktop.db import Database
from desktop.errors import UserError
from desktop.reports.table_report import ReportTable, render_table_pdf
from desktop.services.actor import Actor, Permission
from desktop.services.insight import kpis
from desktop.services.insight.category_report import stock_by_category
from desktop.services.insight.flow_reports import (
    count_accuracy,
    kanban_loops,
    kanban_orders,
    open_po_lines,
    out_of_stock,
    part_turnover,
    short_issues,
    supplier_report,
)
from desktop.services.insight.kpi_reports import kpi_summary, kpi_trend
from desktop.services.insight.report_rows import Progress, finished, tick
from desktop.services.insight.stock_reports import (
    abc_analysis,
    below_minimum,
    dead_stock,
    excess_stock,
    expiring_lots,
    movement_history,
    stock_by_location,
    stock_valuation,
)
from desktop.services.io.tabular import write_bytes, write_csv, write_xlsx


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
    days: int = kpis.EXPIRY_WINDOW_DAYS  # expiring lots: the window ahead


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
    tick(progress, len(rows), len(rows))
