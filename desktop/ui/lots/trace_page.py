"""Trace: where a lot came from and went (received from whom, into which bins, issued to which work
orders and machines), or the reverse: which lots went to a work order or a machine. A recall starts
here: scan the lot label, read the table, save it as PDF for the quality file."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from desktop.errors import UserError
from desktop.reports.table_report import ReportTable
from desktop.services.insight.trace_report import TraceBy, trace_table
from desktop.services.topics import Topic
from desktop.ui.common import big_field, heading, show_failure
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.insight.report_view import ReportView
from desktop.ui.scanner import takes_scans

_ASKED = {
    TraceBy.LOT: "scan the lot label (LT-…) or type the lot or serial number",
    TraceBy.REFERENCE: "type or scan the work order or other reference",
    TraceBy.ASSET: "scan the machine's tag (A-…) or type it",
}
# what a scanned label's prefix names: the field switches to it, whatever was chosen
_BY_PREFIX = (("LT-", TraceBy.LOT), ("A-", TraceBy.ASSET))


class TracePage(QWidget):
    """Signals:
    traced(object): a trace was shown (its ReportTable; tests wait on it).
    """

    traced = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.by = QComboBox()
        self.by.addItem("Lot or serial", TraceBy.LOT)
        self.by.addItem("Work order / reference", TraceBy.REFERENCE)
        self.by.addItem("Machine (asset)", TraceBy.ASSET)
        self.code_edit = big_field(_ASKED[TraceBy.LOT])
        takes_scans(self.code_edit)  # LT-, A- and a work order's bare barcode all arrive here as text
        self.part_edit = QLineEdit()
        self.part_edit.setPlaceholderText("part number, only when several parts have a lot of that number")
        self.trace_button = QPushButton("Trace")
        self.banner = FeedbackBanner()
        self.report = ReportView(ctx)
        row = QHBoxLayout()
        row.addWidget(QLabel("Trace"))
        row.addWidget(self.by)
        row.addWidget(self.code_edit, 2)
        row.addWidget(self.part_edit, 1)
        row.addWidget(self.trace_button)
        layout = QVBoxLayout(self)
        layout.addWidget(heading("Trace"))
        layout.addLayout(row)
        layout.addWidget(self.banner)
        layout.addWidget(self.report, 1)
        self.code_edit.returnPressed.connect(self.trace)
        self.part_edit.returnPressed.connect(self.trace)
        self.trace_button.clicked.connect(self.trace)
        self.by.currentIndexChanged.connect(self._by_changed)
        self._shown: tuple[TraceBy, str, str] | None = None

    def traced_by(self) -> TraceBy:
        return TraceBy(self.by.currentData())

    @Slot()
    def _by_changed(self) -> None:
        self.code_edit.setPlaceholderText(_ASKED[self.traced_by()])
        self.part_edit.setEnabled(self.traced_by() is TraceBy.LOT)
        self.code_edit.setFocus()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.code_edit.setFocus()  # the page is for scanning a label: the cursor waits in its field
        self.code_edit.selectAll()

    def handle_scan(self, code: str) -> bool:
        """A lot label or machine tag scanned with the cursor elsewhere on the page (the table): traced.
        Other labels are refused here rather than taking the person away from the trace."""
        if not self.isVisible():
            return False
        if not any(code.startswith(p) for p, _by in _BY_PREFIX):
            self.banner.error(
                f"{code} is not a lot label or machine tag: scan LT-… or A-…, or type a work order."
            )
            return True
        self.code_edit.setText(code)
        self.trace()
        return True

    @Slot()
    def trace(self) -> None:
        code = self.code_edit.text().strip()
        for prefix, by in _BY_PREFIX:  # a label says what it is
            if code.upper().startswith(prefix) and self.traced_by() is not by:
                self.by.setCurrentIndex(self.by.findData(by))
        by, part = self.traced_by(), self.part_edit.text().strip()
        self.banner.working(f"tracing {code}…")
        self.trace_button.setEnabled(False)
        self.ctx.runner.run(
            lambda: trace_table(self.ctx.db, by, code, part_number=part or None),
            lambda table: self._shown_table(by, code, part, table),
            self._failed,
        )

    def _shown_table(self, by: TraceBy, code: str, part: str, table: ReportTable) -> None:
        self.trace_button.setEnabled(True)
        self._shown = (by, code, part)
        self.report.show_table(table)
        self.banner.ok(f"{table.title}: {len(table.rows):,} move(s)")
        self.code_edit.setFocus()
        self.code_edit.selectAll()  # the next scan replaces it
        self.traced.emit(table)

    def _failed(self, exc: BaseException) -> None:
        self.trace_button.setEnabled(True)
        field = exc.field if isinstance(exc, UserError) else None
        show_failure(
            self, self.banner, {field or "": self.part_edit if field == "part" else self.code_edit}, exc
        )

    def data_changed(self, what: frozenset[Topic]) -> None:
        """A move posted anywhere: the trace on screen is read again, so it never shows an old story."""
        if Topic.STOCK in what and self._shown is not None and self.isVisible():
            by, code, part = self._shown
            self.ctx.runner.run(
                lambda: trace_table(self.ctx.db, by, code, part_number=part or None),
                lambda table: self._shown_table(by, code, part, table),
                self._failed,
            )
