"""What every report table shares: figures rounded once as shown, totals that add up, progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from desktop.quantities import ZERO, exact_qty, fixed, money
from desktop.reports.labels import RenderCancelled
from desktop.reports.table_report import ReportTable

Progress = Callable[[int, int], bool | None]


FILE_PLACES = {"money": 2, "pct": 2, "number": 4}


def shown(value: Any, fmt: str) -> Any:
    """A cell as it is shown and saved: money half-up to the cent, other figures to fixed decimals."""
    if not isinstance(value, Decimal):
        return value
    if fmt in ("money", "text"):  # a Decimal in a text column is an amount (the KPI summary)
        return money(value)
    if fmt == "qty":
        return exact_qty(value)
    return fixed(value, FILE_PLACES.get(fmt, 4))


def finished(table: ReportTable) -> ReportTable:
    """The table as it is shown, printed and saved: every figure rounded once (see `shown`), and each
    money total the sum of the amounts shown above it, so a printed column adds up."""
    rows = [tuple(shown(v, f) for v, f in zip(row, table.formats, strict=True)) for row in table.rows]
    totals = table.totals
    if totals is not None:
        totals = tuple(
            sum((r[i] for r in rows if isinstance(r[i], Decimal)), ZERO)
            if f == "money" and isinstance(t, Decimal)
            else shown(t, f)
            for i, (t, f) in enumerate(zip(totals, table.formats, strict=True))
        )
    return replace(table, rows=rows, totals=totals)


def tick(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and progress(done, total) is False:
        raise RenderCancelled()


def stamp(months: int) -> str:
    return f"last {months} month{'s' if months != 1 else ''}"
