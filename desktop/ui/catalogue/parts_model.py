"""The parts list as a Qt model: an ordered list of ids from SQL plus a cache of row blocks.

Only the rows on screen are ever fetched (a block of 200 ids at a time, through the task runner: a row
not yet fetched paints blank until its block arrives); sorting and filtering are new SQL queries. A
proxy model over 100,000 Python rows takes seconds to sort; this takes milliseconds.
A search that matches many parts first brings one page of ids and an estimate of the count; the
rest of the ids come when the list is scrolled to its end (Qt's fetchMore), so every match is reached.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from desktop.db import Database
from desktop.quantities import format_qty
from desktop.services.catalogue import parts_list
from desktop.services.catalogue.parts_list import PartRow
from desktop.tasks import Runner

BLOCK = 200
Index = QModelIndex | QPersistentModelIndex

COLUMNS: list[tuple[str, str]] = [
    ("part_number", "Part number"),
    ("description", "Description"),
    ("category", "Type"),
    ("unit", "Unit"),
    ("on_hand", "On hand"),
    ("on_order", "On order"),  # open purchase-order lines and ordered kanban cards, not yet received
    ("unit_cost", "Unit cost"),
    ("manufacturer_part_number", "Manufacturer no."),
]
_NUMERIC = {"on_hand", "on_order", "unit_cost"}
_QTY = {"on_hand", "on_order"}
_LOW = QBrush(QColor("#b3261e"))


def _low_icon() -> QIcon:
    return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)


class PartsTableModel(QAbstractTableModel):
    """Signals:
    loaded(int): a search finished; the number of matching parts (see `estimated`).
    """

    loaded = Signal(int)

    def __init__(self, db: Database, runner: Runner) -> None:
        super().__init__()
        self._db = db
        self._runner = runner
        self._ids: list[int] = []
        self.total = 0  # matching parts: len(self._ids) once every id is here
        self.estimated = False  # `total` is an estimate (only the first page of ids is here)
        self._fetching = False  # the rest of the ids is on its way
        self._blocks: dict[int, list[PartRow]] = {}
        self._asked: set[int] = set()  # blocks being fetched
        self._painting = False  # inside data(): a block that arrives at once needs no dataChanged
        self._rows_generation = 0  # blocks read for rows since replaced are dropped
        self.sort_key = "part_number"
        self.descending = False
        self.text = ""
        self.category: str | None = None
        self.group: int | None = None  # a category of the tree: parts in it and below it
        self._generation = 0  # answers to superseded searches (typing fast) are dropped
        self._searched_once = False  # Qt calls sort() while the view is set up: no query until asked

    def search(
        self, text: str | None = None, category: str | bool | None = False, group: int | bool | None = False
    ) -> None:
        """Run the SQL search in the background; `False` keeps the current type / category filter."""
        if text is not None:
            self.text = text
        if category is not False:
            self.category = category or None  # type: ignore[assignment]
        if group is not False:
            self.group = group if isinstance(group, int) and not isinstance(group, bool) else None
        self._searched_once = True
        self._generation += 1
        generation = self._generation
        text_, cat, grp, key, desc = self.text, self.category, self.group, self.sort_key, self.descending
        self._fetching = False
        self._runner.run(
            lambda: parts_list.search_part_page(
                self._db, text_, sort=key, descending=desc, category=cat, group=grp
            ),
            lambda page: self._searched(generation, page),
        )

    def _searched(self, generation: int, page: parts_list.PartIdPage) -> None:
        if generation == self._generation:
            if page.ids == self._ids:
                self.invalidate()  # same rows (e.g. another PC edited one): keep scroll and selection
            else:
                self.set_ids(page.ids)
            self.total, self.estimated = page.total, not page.exact
            self.loaded.emit(page.total)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 - Qt's default argument
        return not parent.isValid() and len(self._ids) < self.total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        """The list was scrolled to its end: bring every id of the same search (one query)."""
        if parent.isValid() or self._fetching or not self.canFetchMore():
            return
        self._fetching = True
        generation = self._generation
        text_, cat, grp, key, desc = self.text, self.category, self.group, self.sort_key, self.descending
        self._runner.run(
            lambda: parts_list.search_part_ids(
                self._db, text_, sort=key, descending=desc, category=cat, group=grp
            ),
            lambda ids: self._fetched(generation, ids),
        )

    def _fetched(self, generation: int, ids: list[int]) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        have = len(self._ids)
        if ids[:have] != self._ids:  # the catalogue changed meanwhile: show the new list from the top
            self.set_ids(ids)
        elif len(ids) > have:
            self.beginInsertRows(QModelIndex(), have, len(ids) - 1)
            self._ids = ids
            self.endInsertRows()
        self.total, self.estimated = len(ids), False
        self.loaded.emit(len(ids))

    # -- loading --------------------------------------------------------------------------------------
    def set_ids(self, ids: list[int]) -> None:
        """Show these ids (already filtered and sorted by SQL) and forget cached rows."""
        self.beginResetModel()
        self._ids = ids
        self.total, self.estimated = len(ids), False
        self._forget()
        self.endResetModel()

    def invalidate(self) -> None:
        """Rows changed (stock moved, part edited): refetch visible rows on next paint."""
        self._forget()
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(COLUMNS) - 1))

    def part_id(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, part_id: int) -> int:
        try:
            return self._ids.index(part_id)
        except ValueError:
            return -1

    def _forget(self) -> None:
        self._blocks.clear()
        self._asked.clear()
        self._rows_generation += 1  # blocks still on their way belong to the old rows

    def _row(self, row: int) -> PartRow | None:
        block = row // BLOCK
        if block not in self._blocks:
            self._painting = True
            try:
                self._fetch([block])
            finally:
                self._painting = False
        rows = self._blocks.get(block)
        offset = row - block * BLOCK
        return rows[offset] if rows is not None and offset < len(rows) else None

    def _fetch(self, blocks: list[int], done: Callable[[], None] | None = None) -> None:
        """Read these blocks in the background; each arrives with a dataChanged for its rows."""
        wanted = [b for b in blocks if b not in self._blocks and b not in self._asked]
        if not wanted:
            if done is not None:
                done()
            return
        self._asked.update(wanted)
        generation = self._rows_generation
        ids = {b: self._ids[b * BLOCK : (b + 1) * BLOCK] for b in wanted}

        def read() -> dict[int, list[PartRow]]:
            return {b: _in_order(chunk, parts_list.part_rows(self._db, chunk)) for b, chunk in ids.items()}

        def arrived(rows: dict[int, list[PartRow]]) -> None:
            if generation != self._rows_generation:
                # the list was searched or invalidated meanwhile: the next paint asks again
                if done is not None:
                    self._fetch(blocks, done)
                return
            self._blocks.update(rows)
            self._asked.difference_update(rows)
            if not self._painting:
                for b in rows:
                    last = min(len(self._ids), (b + 1) * BLOCK) - 1
                    self.dataChanged.emit(self.index(b * BLOCK, 0), self.index(last, len(COLUMNS) - 1))
            if done is not None:
                done()

        self._runner.run(read, arrived)

    def prefetch(self, done: Callable[[], None]) -> None:
        """Fetch every row (for an export, which reads them all through `data`), then call `done`."""
        self._fetch(list(range((len(self._ids) + BLOCK - 1) // BLOCK)), done)

    # -- Qt model API ---------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._ids):
            return None
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return (
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter) if key in _NUMERIC else None
            )
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ForegroundRole,
            Qt.ItemDataRole.ToolTipRole,
            Qt.ItemDataRole.DecorationRole,
        ):
            return None
        row = self._row(index.row())
        if row is None:
            return None
        if role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.DecorationRole):
            low = key == "on_hand" and row.min_qty is not None and row.on_hand < row.min_qty
            if role == Qt.ItemDataRole.DecorationRole:  # red is never the only sign: a warning mark too
                return _low_icon() if low else None
            return _LOW if low else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if key == "on_hand" and row.min_qty is not None and row.on_hand < row.min_qty:
                return f"Below minimum ({format_qty(row.min_qty)})"
            return None
        value = getattr(row, key)
        if isinstance(value, Decimal):
            if key == "on_order" and not value:
                return ""  # blank where nothing is coming: the rows with something on order stand out
            return format_qty(value) if key in _QTY else f"{value:.2f}"
        return value or ""

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section][1]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """The header was clicked: the same search again with a different ORDER BY."""
        if 0 <= column < len(COLUMNS):
            self.sort_key = COLUMNS[column][0]
            self.descending = order == Qt.SortOrder.DescendingOrder
            if self._searched_once:
                self.search()


def _in_order(ids: list[int], rows: list[PartRow]) -> list[PartRow]:
    by_id = {r.id: r for r in rows}
    return [by_id.get(i) or _missing(i) for i in ids]


def _missing(part_id: int) -> PartRow:
    """A part deleted since the id list was made: shown as a gap rather than shifting rows."""
    return PartRow(part_id, "(removed)", "", "", "", Decimal(0), None, Decimal(0), None, False)
