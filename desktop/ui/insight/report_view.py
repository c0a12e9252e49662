"""One report on screen: title, what it covers, its rows (sortable by any column, fast for 100,000s of
rows: the view asks the model only for the rows it shows), and Save as PDF / Excel / CSV and Print, in
the background with a progress bar and Cancel. The Reports tab and the dashboard's drill-down use it."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal, Slot
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import UserError
from desktop.reports.labels import RenderCancelled
from desktop.reports.table_report import NUMERIC, ReportTable, cell_text, render_table_pdf
from desktop.services.insight import report_data
from desktop.ui.common import cancellable_progress, heading, show_error
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.insight.pdf_pages import print_pdf

Index = QModelIndex | QPersistentModelIndex


class ReportModel(QAbstractTableModel):
    def __init__(self, table: ReportTable) -> None:
        super().__init__()
        self.table = table
        self.rows: list[tuple[Any, ...]] = list(table.rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.table.headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        fmt = self.table.formats[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(self.rows[index.row()][index.column()], fmt)
        if role == Qt.ItemDataRole.TextAlignmentRole and fmt in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.table.headers[section]
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """By the value, not its text (10 after 9); empty cells last either way."""

        def key(row: tuple[Any, ...]) -> tuple[int, Any]:
            value = row[column]
            if value is None or value == "":
                return (1, 0)
            if isinstance(value, Decimal | int | float):
                return (0, value)
            if isinstance(value, datetime | date):
                return (0, value.isoformat())
            return (0, str(value).upper())

        self.layoutAboutToBeChanged.emit()
        present = [r for r in self.rows if key(r)[0] == 0]
        empty = [r for r in self.rows if key(r)[0] == 1]
        present.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        self.rows = present + empty
        self.layoutChanged.emit()


class ReportView(QWidget):
    """Signals:
    progress(int, int): rows written so far (from the worker thread).
    """

    progress = Signal(int, int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.table: ReportTable | None = None
        self._cancel = threading.Event()
        self.title = heading("", size=4)
        self.subtitle = QLabel("")
        self.subtitle.setWordWrap(True)
        self.banner = FeedbackBanner()
        self.view = QTableView()
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setWordWrap(False)
        # sorted by the model on the raw values, one click per column toggling the order; not
        # setSortingEnabled, which re-sorts every new report by whatever column was sorted last
        header = self.view.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.sectionClicked.connect(self._sort_clicked)
        self._sorted: tuple[int, Qt.SortOrder] | None = None
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.pdf_button = QPushButton("Save PDF…")
        self.xlsx_button = QPushButton("Save Excel (XLSX)…")
        self.csv_button = QPushButton("Save CSV…")
        self.print_button = QPushButton("Print…")
        self.bar = QProgressBar()
        self.bar.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.bar, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(0)
        for b in (self.print_button, self.pdf_button, self.xlsx_button, self.csv_button):
            buttons.addWidget(b)
            b.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.banner)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.pdf_button.clicked.connect(lambda: self._ask(".pdf", "PDF (*.pdf)"))
        self.xlsx_button.clicked.connect(lambda: self._ask(".xlsx", "Excel workbook (*.xlsx)"))
        self.csv_button.clicked.connect(lambda: self._ask(".csv", "CSV (*.csv)"))
        self.print_button.clicked.connect(self.print_report)
        self.cancel_button.clicked.connect(self._cancel.set)
        self.progress.connect(self._progress)

    def show_table(self, table: ReportTable) -> None:
        self.table = table
        self.title.setText(table.title)
        self.subtitle.setText(table.subtitle)
        self.banner.clear()
        model = ReportModel(table)
        self.view.setModel(model)
        self._sorted = None
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        # size columns from the first rows only: resizeColumnsToContents would read every row
        for c in range(len(table.headers)):
            sample = [cell_text(r[c], table.formats[c]) for r in table.rows[:200]]
            chars = max([len(table.headers[c]), *map(len, sample)])
            self.view.setColumnWidth(c, min(360, max(60, 12 + 7 * chars)))
        for b in (self.print_button, self.pdf_button, self.xlsx_button, self.csv_button):
            b.setEnabled(True)

    @Slot(int)
    def _sort_clicked(self, column: int) -> None:
        ascending = Qt.SortOrder.AscendingOrder
        order = Qt.SortOrder.DescendingOrder if self._sorted == (column, ascending) else ascending
        self.sort_by(column, order)

    def sort_by(self, column: int, order: Qt.SortOrder) -> None:
        if self.table is None:
            return
        self.view.model().sort(column, order)
        self._sorted = (column, order)
        self.view.horizontalHeader().setSortIndicator(column, order)

    def _ask(self, suffix: str, filter_: str) -> None:
        if self.table is None:
            return
        default = self.table.title.lower().replace(" ", "-").replace("(", "").replace(")", "") + suffix
        name, _ = QFileDialog.getSaveFileName(self, f"Save {self.table.title}", default, filter_)
        if name:
            path = Path(name)
            self.save_to(path if path.suffix else path.with_suffix(suffix))

    def save_to(self, path: Path) -> None:
        table = self.table
        if table is None:
            return
        report = cancellable_progress(self.progress, self._cancel)
        self._busy(True)
        self.ctx.runner.run(
            lambda: report_data.export(table, path, generated=_now(), progress=report),
            lambda _none: self._done(f"Saved {path.name}: {len(table.rows):,} rows."),
            self._failed,
        )

    @Slot()
    def print_report(self) -> None:
        if self.table is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if QPrintDialog(printer, self).exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def print_to(self, printer: QPrinter) -> None:
        table = self.table
        if table is None:
            return
        report = cancellable_progress(self.progress, self._cancel)
        self._busy(True)

        def printed(pdf: bytes) -> None:
            try:
                done = print_pdf(pdf, printer, title=table.title)
            except UserError as exc:
                self._failed(exc)
                return
            self._done(done.describe(printer))

        self.ctx.runner.run(
            lambda: render_table_pdf(table, generated=_now(), progress=report), printed, self._failed
        )

    def _done(self, message: str) -> None:
        self._busy(False)
        self.banner.ok(message)

    def _failed(self, exc: BaseException) -> None:
        self._busy(False)
        if isinstance(exc, RenderCancelled):
            self.banner.warn("Cancelled: nothing was saved.")
        elif isinstance(exc, UserError):
            self.banner.error(exc.message)
        else:
            show_error(self, exc)

    def _busy(self, busy: bool) -> None:
        self.bar.setVisible(busy)
        self.bar.setValue(0)
        self.cancel_button.setVisible(busy)
        for b in (self.print_button, self.pdf_button, self.xlsx_button, self.csv_button):
            b.setEnabled(not busy)

    @Slot(int, int)
    def _progress(self, done: int, total: int) -> None:
        self.bar.setMaximum(max(total, 1))
        self.bar.setValue(done)


def _now() -> str:
    return datetime.now(UTC).astimezone().strftime("%Y-%m-%d %H:%M")
