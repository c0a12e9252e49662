"""The ledger as a table: when, what, how many, from, to, who, why."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QTableWidget, QTabWidget

from desktop.db import Database
from desktop.quantities import format_qty
from desktop.services.stock.moves import MoveDTO
from desktop.ui.common import fill_table, read_only_table, selected_key
from desktop.ui.context import AppContext

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


class HistoryTab(QObject):
    """The History tab of a part or location page. Its moves load when the tab is shown, not with every
    scan that opens the page: a scan's answer is on screen without waiting for a table of moves nobody
    looked at (measured in bench/bench_scan_paint.py)."""

    def __init__(
        self, ctx: AppContext, tabs: QTabWidget, fetch: Callable[[Database, int], list[MoveDTO]]
    ) -> None:
        super().__init__(tabs)
        self.ctx, self.tabs, self.fetch = ctx, tabs, fetch
        self.table = history_table()
        self.key: int | None = None  # whose moves the page shows
        self.loaded: int | None = None  # whose moves the table holds
        tabs.currentChanged.connect(self._tab_changed)

    def show_for(self, key: int) -> None:
        """The page now shows `key` (again, after a change): its moves, now if the tab is up, else later."""
        self.key, self.loaded = key, None
        if self.tabs.currentWidget() is self.table:
            self._load()

    @Slot(int)
    def _tab_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.table and self.key is not None and self.loaded != self.key:
            self._load()

    def _load(self) -> None:
        key = self.key
        assert key is not None
        self.loaded = key
        self.ctx.runner.run(lambda: self.fetch(self.ctx.db, key), self._loaded)

    def _loaded(self, moves: list[MoveDTO]) -> None:
        show_moves(self.table, moves)
