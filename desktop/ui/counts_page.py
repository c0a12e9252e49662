"""Cycle counts: start a count, enter it blind by scanning (bin, part, quantity), approve, and see IRA."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.errors import UserError
from desktop.quantities import format_qty, parse_decimal
from desktop.reports.count_sheet import render_count_sheet
from desktop.services import count_ira, counts, locations
from desktop.services.actor import Permission
from desktop.services.counts import LineDTO, SessionDTO
from desktop.ui.common import big_field, fill_table, heading, read_only_table, show_error
from desktop.ui.context import AppContext
from desktop.ui.feedback import FeedbackBanner


class CountsPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.session_id: int | None = None
        self.banner = FeedbackBanner()
        self.where = QLineEdit()
        self.where.setPlaceholderText("location to count (a bin, rack or area code)")
        self.blind = QCheckBox("Blind (counters do not see the book)")
        self.blind.setChecked(True)
        self.start_button = QPushButton("Start count")
        self.sessions = QComboBox()
        self.classify_button = QPushButton("Recompute ABC")
        self.approve_button = QPushButton("Approve and post…")
        self.sheet_button = QPushButton("Count sheet PDF…")
        can_plan = ctx.actor.can(Permission.PLAN_COUNTS)
        for planner_tool in (self.where, self.blind, self.start_button, self.classify_button):
            planner_tool.setVisible(can_plan)
        self.approve_button.setVisible(ctx.actor.can(Permission.APPROVE_COUNTS))
        self.bin_edit = big_field("scan the bin (L-…)")
        self.part_edit = big_field("scan the part (P-…)")
        self.qty_edit = big_field("counted quantity, Enter")
        self.lines = read_only_table(
            ["Bin", "Part", "Description", "Unit", "Book", "Counted", "Variance", "Status"],
            numeric=(4, 5, 6),
            stretch=2,
        )
        self.ira_label = QLabel("")
        top = QHBoxLayout()
        for w in (
            self.where,
            self.blind,
            self.start_button,
            QLabel("Count:"),
            self.sessions,
            self.sheet_button,
            self.classify_button,
            self.approve_button,
        ):
            top.addWidget(w)
        entry = QFormLayout()
        entry.addRow("Bin", self.bin_edit)
        entry.addRow("Part", self.part_edit)
        entry.addRow("Quantity", self.qty_edit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading("Cycle counts"))
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addLayout(entry)
        layout.addWidget(self.lines, 1)
        layout.addWidget(self.ira_label)
        self.start_button.clicked.connect(self.start)
        self.sessions.currentIndexChanged.connect(self._session_chosen)
        self.bin_edit.returnPressed.connect(self.part_edit.setFocus)
        self.part_edit.returnPressed.connect(self.qty_edit.setFocus)
        self.qty_edit.returnPressed.connect(self.enter)
        self.approve_button.clicked.connect(self.approve)
        self.classify_button.clicked.connect(self.classify)
        self.sheet_button.clicked.connect(self._ask_sheet)

    @Slot()
    def start(self) -> None:
        try:
            loc_id = locations.location_id_for_code(self.ctx.db, self.where.text())
        except UserError as exc:
            self.banner.error(exc.message)
            return
        name = f"Count {self.where.text().strip().upper()}"
        blind = self.blind.isChecked()
        self.ctx.runner.run(
            lambda: counts.start_session(self.ctx.db, self.ctx.actor, name, [loc_id], blind=blind),
            self._started,
            self._failed,
        )

    def _started(self, session_id: int) -> None:
        self.sessions.addItem(f"#{session_id} {self.where.text().strip().upper()}", session_id)
        self.sessions.setCurrentIndex(self.sessions.count() - 1)
        self.banner.ok("Count started: scan the bin, the part, type the quantity.")
        self.bin_edit.setFocus()

    @Slot()
    def _session_chosen(self) -> None:
        data = self.sessions.currentData()
        self.session_id = int(data) if data is not None else None
        self.refresh_lines()

    def refresh_lines(self) -> None:
        if self.session_id is None:
            return
        sid = self.session_id
        for_counter = not self.ctx.actor.can(Permission.APPROVE_COUNTS)
        self.ctx.runner.run(lambda: counts.session(self.ctx.db, sid, for_counter=for_counter), self._show)

    def _show(self, sess: SessionDTO) -> None:
        def q(value: object) -> str:
            return "" if value is None else format_qty(value)  # type: ignore[arg-type]

        fill_table(
            self.lines,
            [
                (
                    x.location_code,
                    x.part_number,
                    x.description,
                    x.unit,
                    q(x.book_qty),
                    q(x.counted_qty),
                    q(x.variance),
                    x.status.lower(),
                )
                for x in sess.lines
            ],
            keys=[x.id for x in sess.lines],
        )

    @Slot()
    def enter(self) -> None:
        if self.session_id is None:
            self.banner.error("Start or choose a count first.")
            return
        try:
            qty = parse_decimal(self.qty_edit.text(), allow_zero=True)
        except UserError as exc:
            self.banner.error(exc.message)
            self.qty_edit.selectAll()
            return
        sid, where, what = self.session_id, self.bin_edit.text(), self.part_edit.text()
        self.ctx.runner.run(
            lambda: counts.enter_count(self.ctx.db, self.ctx.actor, sid, where, what, qty),
            self._entered,
            self._failed,
        )

    def _entered(self, line: LineDTO) -> None:
        counted = line.counted_qty if line.counted_qty is not None else Decimal(0)
        if line.status == "RECOUNT":
            self.banner.warn(
                f"{line.part_number} in {line.location_code}: out of tolerance — count it again "
                "(another counter if possible)."
            )
        else:
            self.banner.ok(
                f"{line.part_number} in {line.location_code}: {format_qty(counted)} {line.unit} counted."
            )
        self.part_edit.clear()
        self.qty_edit.clear()
        self.part_edit.setFocus()  # the same bin, next part
        self.refresh_lines()

    @Slot()
    def _ask_sheet(self) -> None:
        if self.session_id is None:
            self.banner.error("Start or choose a count first.")
            return
        name, _ = QFileDialog.getSaveFileName(
            self, "Count sheet", f"count-{self.session_id}.pdf", "PDF (*.pdf)"
        )
        if name:
            self.save_sheet(Path(name))

    def save_sheet(self, path: Path) -> None:
        sid, who = self.session_id, self.ctx.actor.display_name
        assert sid is not None

        def job() -> int:
            header, lines = counts.sheet(self.ctx.db, sid, counter=who)
            path.write_bytes(render_count_sheet(header, lines))
            return len(lines)

        self.ctx.runner.run(
            job, lambda n: self.banner.ok(f"Count sheet with {n} line(s) saved to {path.name}."), self._failed
        )

    @Slot()
    def approve(self) -> None:
        if self.session_id is None:
            return
        sid = self.session_id
        self.ctx.runner.run(
            lambda: counts.approve(self.ctx.db, self.ctx.actor, sid), self._approved, self._failed
        )

    def _approved(self, posted: int) -> None:
        self.banner.ok(f"Approved: {posted} count adjustment(s) posted to the ledger.")
        self.ctx.events.data_changed.emit({"stock"})
        self.refresh_lines()
        self._show_ira()

    @Slot()
    def classify(self) -> None:
        self.ctx.runner.run(
            lambda: counts.classify(self.ctx.db, self.ctx.actor),
            lambda rows: self.banner.ok(
                f"ABC: {sum(1 for r in rows if r.abc == 'A')} A, "
                f"{sum(1 for r in rows if r.abc == 'B')} B, {sum(1 for r in rows if r.abc == 'C')} C "
                "parts."
            ),
            self._failed,
        )

    def _show_ira(self) -> None:
        self.ctx.runner.run(
            lambda: count_ira.ira(self.ctx.db),
            lambda by_class: self.ira_label.setText(
                "IRA: "
                + ", ".join(
                    f"{k} {v.ira_pct} % of {v.counted} line(s), adjusted {v.adjustment_value:.2f}"
                    for k, v in by_class.items()
                )
            ),
        )

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserError):
            self.banner.error(exc.message)
        else:
            show_error(self, exc)

    def refresh(self) -> None:
        self._show_ira()
