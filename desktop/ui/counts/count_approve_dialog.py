"""Approve a count session: the supervisor sees every line with the book rolled forward, the count, the
variance and its value, who counted and who recounted (a recount by the same counter is marked), ticks
the lines to reject and gives a reason for each; the rest is posted as COUNT moves."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.quantities import format_qty
from desktop.services.counts import approval as count_approval
from desktop.services.counts import sessions as counts
from desktop.services.counts.sessions import LineDTO, SessionDTO
from desktop.services.topics import Topic
from desktop.ui.common import action_row, show_failure
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.operation import change

HEADERS = [
    "Bin",
    "Part",
    "Lot",  # a tracked part's line: its lot (and expiry); each lot posts on its own
    "Expected",
    "Count 1",  # kept when a recount replaced it
    "Counted",
    "Variance",
    "Value",
    "Count 1 by",
    "Recount by",
    "Status",
    "Why counted",
]
_NUMBERS = range(3, 8)
REJECT, REASON = len(HEADERS), len(HEADERS) + 1
STATUS_TEXT = {
    "OPEN": "not counted: zero",
    "RECOUNT": "waits for a recount",
    "COUNTED": "counted",
}


def _q(value: Decimal | None) -> str:
    return "" if value is None else format_qty(value)


def _cells(x: LineDTO) -> list[str]:
    recount = x.recounted_by + (" (same counter)" if x.same_counter else "")
    return [
        x.location_code,
        x.part_number,
        x.lot_text,
        _q(x.expected_qty if x.expected_qty is not None else x.book_qty),
        _q(x.first_count_qty),
        _q(x.counted_qty),
        _q(x.variance),
        "" if x.variance_value is None else f"{x.variance_value:,.2f}",
        x.counted_by,
        recount,
        STATUS_TEXT.get(x.status, x.status.lower()),
        x.reason,
    ]


class ApproveDialog(QDialog):
    """Signals:
    approved(int): the session was approved; the number of COUNT moves posted.
    """

    approved = Signal(int)

    def __init__(self, ctx: AppContext, session_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.session_id = session_id
        self.setWindowTitle(f"Approve count #{session_id}")
        self.resize(1100, 560)
        self.heading = QLabel("")
        self.banner = FeedbackBanner()
        self.table = QTableWidget(0, REASON + 1)
        self.table.setHorizontalHeaderLabels([*HEADERS, "Reject", "Reason for rejecting"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.horizontalHeader().setSectionResizeMode(REASON, QHeaderView.ResizeMode.Stretch)
        row, self.approve_button, close = action_row("Approve and post")
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(
            QLabel("Tick Reject for a line whose count should not be posted and say why (required).")
        )
        layout.addWidget(self.table, 1)
        layout.addWidget(self.banner)
        layout.addLayout(row)
        self.approve_button.clicked.connect(self.approve)
        close.clicked.connect(self.reject)
        self.line_ids: list[int] = []
        self.lines: list[LineDTO] = []
        self._zero_ok: set[int] = set()  # uncounted lines the supervisor was shown and approved as zero
        self.ticks: list[QTableWidgetItem] = []
        self.reasons: list[QTableWidgetItem] = []

    def load(self) -> None:
        sid = self.session_id
        self.ctx.runner.run(
            lambda: counts.session(self.ctx.db, sid, for_counter=False), self._show, self._failed
        )

    def _show(self, sess: SessionDTO) -> None:
        waiting = sum(1 for x in sess.lines if x.status == "RECOUNT")
        uncounted = sum(1 for x in sess.lines if x.status == "OPEN")
        self.heading.setText(
            f"<b>{sess.name}</b>: {len(sess.lines)} line(s)"
            + (f", {waiting} waiting for a recount (reject them or have them recounted)" if waiting else "")
            + (f", <b>{uncounted} not counted: approving posts them as found empty</b>" if uncounted else "")
        )
        self.line_ids = [x.id for x in sess.lines]
        self.lines = list(sess.lines)
        self.ticks, self.reasons = [], []
        self.table.setRowCount(len(sess.lines))
        for r, x in enumerate(sess.lines):
            for c, text in enumerate(_cells(x)):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                if c in _NUMBERS:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
            tick = QTableWidgetItem("")
            tick.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            tick.setCheckState(Qt.CheckState.Unchecked)
            self.table.setItem(r, REJECT, tick)
            self.ticks.append(tick)
            reason = QTableWidgetItem("")
            reason.setFlags(
                Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable
            )
            self.table.setItem(r, REASON, reason)
            self.reasons.append(reason)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(REASON, QHeaderView.ResizeMode.Stretch)

    def set_rejected(self, row: int, reason: str) -> None:
        """Tick Reject on `row` with `reason` (as a supervisor would by hand)."""
        self.ticks[row].setCheckState(Qt.CheckState.Checked)
        self.reasons[row].setText(reason)

    def rejected_lines(self) -> dict[int, str]:
        return {
            line_id: reason.text().strip()
            for line_id, tick, reason in zip(self.line_ids, self.ticks, self.reasons, strict=True)
            if tick.checkState() == Qt.CheckState.Checked
        }

    @Slot()
    def approve(self) -> None:
        rejected = self.rejected_lines()
        missing = [r for r, lid in enumerate(self.line_ids) if lid in rejected and not rejected[lid]]
        if missing:
            self.banner.error(f"Give a reason for each rejected line ({len(missing)} without one).")
            self.table.setCurrentCell(missing[0], REASON)
            self.table.editItem(self.reasons[missing[0]])
            return
        zeroed = [x for x in self.lines if x.status == "OPEN" and x.id not in rejected]
        if zeroed and {x.id for x in zeroed} != self._zero_ok:
            # posting "found empty" for bins nobody counted writes stock off: show which, ask again
            self._zero_ok = {x.id for x in zeroed}
            shown = ", ".join(
                f"{x.part_number}{' ' + x.lot_number if x.lot_number else ''} in {x.location_code} "
                f"(book {_q(x.expected_qty or x.book_qty)})"
                for x in zeroed[:8]
            )
            more = f" and {len(zeroed) - 8} more" if len(zeroed) > 8 else ""
            self.banner.warn(
                f"{len(zeroed)} line(s) were not counted and would be posted as found EMPTY: {shown}{more}. "
                "Click Approve and post again to post them as zero, or tick Reject for them."
            )
            return
        sid = self.session_id
        change(
            self.ctx,
            lambda: count_approval.approve(self.ctx.db, self.ctx.actor, sid, reject=rejected),
            self._approved,
            topics=(Topic.STOCK, Topic.COUNTS),
            failed=self._failed,
        )

    def _approved(self, posted: int) -> None:
        self.approved.emit(posted)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        show_failure(self, self.banner, {}, exc)
