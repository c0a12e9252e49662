"""The ledger as a table: when, what, how many, from, to, who, why."""

from __future__ import annotations

from PySide6.QtWidgets import QTableWidget

from desktop.quantities import format_qty
from desktop.services.stock.moves import MoveDTO
from desktop.ui.common import fill_table, read_only_table, selected_key

# "Lot" last: a tracked part's lot or serial (empty for every other part), after the columns people know
HEADERS = [
    "#",
    "When",
    "Kind",
    "Part",
    "Qty",
    "Unit",
    "From",
    "To",
    "User",
    "Reference",
    "Reason",
    "Note",
    "Lot",
]


def history_table() -> QTableWidget:
    return read_only_table(HEADERS, numeric=(0, 4), stretch=10)


def show_moves(table: QTableWidget, moves: list[MoveDTO]) -> None:
    def note(m: MoveDTO) -> str:
        if m.reversed_by_id:
            return f"reversed by #{m.reversed_by_id}"
        return f"reverses #{m.reverses_move_id}" if m.reverses_move_id else ""

    fill_table(
        table,
        [
            (
                m.id,
                m.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
                m.kind,
                m.part_number,
                format_qty(m.qty),
                m.unit,
                m.from_code or "",
                m.to_code or "",
                m.user_name,
                m.reference or "",
                m.reason or "",
                note(m),
                m.lot_number or "",
            )
            for m in moves
        ],
        keys=[m.id for m in moves],
    )


def selected_move_id(table: QTableWidget) -> int | None:
    key = selected_key(table)
    return int(key) if isinstance(key, int) else None
