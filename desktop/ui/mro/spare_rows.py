"""How a spare shows in the MRO tables: its row, red when a critical spare is short, and CSV export."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QTableWidget,
)

from desktop.quantities import format_qty
from desktop.services.mro import (
    SpareLine,
)
from desktop.ui.io.table_export import write_view

RED = QBrush(QColor("#f6d5d3"))


SPARE_HEADERS = [
    "Part",
    "Description",
    "Used",
    "Installed",
    "Rec. spares",
    "On hand",
    "Reserved",
    "Available",
    "Min / max",
    "Lead time",
    "Bins",
    "Flag",
]


def qty_text(value: object) -> str:
    return "–" if value is None else format_qty(value)  # type: ignore[arg-type]


def spare_row(x: SpareLine) -> list[str]:
    bins = ", ".join(f"{b.location_code}: {format_qty(b.qty)}" for b in x.bins) or "–"
    flag = x.flag.upper() if x.flag else ""
    if x.superseded_by:
        flag = (flag + "  " if flag else "") + f"superseded by {x.superseded_by}"
    if x.coming:  # a critical spare short now: when more arrives
        flag = (flag + "  " if flag else "") + x.coming
    return [
        x.part_number + ("  ★" if x.critical else ""),
        x.description,
        x.usage.replace("_", " ").lower(),
        format_qty(x.qty_installed),
        format_qty(x.recommended_qty),
        format_qty(x.on_hand),
        format_qty(x.reserved),
        format_qty(x.available),
        f"{qty_text(x.min_qty)} / {qty_text(x.max_qty)}",
        "–" if x.lead_time_days is None else f"{x.lead_time_days} d",
        bins,
        flag,
    ]


def paint_rows(table: QTableWidget, red_rows: list[int]) -> None:
    for r in red_rows:
        for c in range(table.columnCount()):
            item = table.item(r, c)
            if item is not None:
                item.setBackground(RED)


def export_csv(table: QTableWidget, path: Path) -> int:
    """Write what the table shows (headers and rows) as UTF-8 CSV with a BOM for spreadsheets."""
    return write_view(table, path)
