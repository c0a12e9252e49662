"""The KPI reports: the KPIs by month (trend) and the KPI summary with its charts, both from one
`kpis.compute` (desktop/services/insight/kpis.py says how each figure is measured).
"""

from __future__ import annotations

from typing import Any

from desktop.quantities import money
from desktop.reports.table_report import Chart, ReportTable
from desktop.services.insight import kpis
from desktop.services.insight.report_rows import stamp


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
        ("Stock value", money(k.stock_value), "on hand at standard cost, now"),
        (
            "Average stock value",
            money(k.average_value),
            "time-weighted: the mean of every day's closing value, each day at the cost in force then",
        ),
        (
            "Carrying cost / year",
            money(k.carrying_cost),
            f"average value x {k.settings.carrying_rate * 100:.0f} %",
        ),
        ("Consumption", money(k.consumption), "issues and scrap less returns, reversals netted, at cost"),
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
            money(k.dead_value),
            f"{k.dead_parts:,} parts, no movement for {k.settings.dead_days} days",
        ),
        (
            "Excess stock",
            money(k.excess_value),
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
        f"{stamp(len(k.months))} ({k.period_days} days)",
        ("KPI", "Value", "How it is measured"),
        ("text", "text", "text"),
        rows,
        charts=charts,
    )
