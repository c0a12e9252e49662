"""Cycle counts: today's list from the plan and the event rules, a count entered blind by scanning (bin,
part, its lot when the part is tracked, quantity) with the recount by another counter, approval with
rejected lines and their reasons, the ABC Pareto chart, and IRA by class, area and month.

This module holds the page, its Count tab (starting and choosing a count, its lines, the sheet and the
approval) and the IRA line; entering counts is `count_entry`, each other tab its own module.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.quantities import format_qty
from desktop.reports.count_sheet import render_count_sheet
from desktop.services.actor import Permission
from desktop.services.catalogue import locations
from desktop.services.counts import ira as count_ira
from desktop.services.counts import sessions as counts
from desktop.services.counts.sessions import SessionDTO
from desktop.services.topics import Topic
from desktop.ui.common import big_field, fill_table, heading, permitted, read_only_table, show_failure
from desktop.ui.context import AppContext
from desktop.ui.counts.count_abc_tab import AbcTab
from desktop.ui.counts.count_accuracy import AccuracyPanel
from desktop.ui.counts.count_approve_dialog import ApproveDialog
from desktop.ui.counts.count_entry import CountEntry
from desktop.ui.counts.count_today import TodayPanel
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.flow_layout import FlowLayout
from desktop.ui.io.table_export import TableExport
from desktop.ui.operation import change
from desktop.ui.stock.qty_input import mark_quantity


def _q(value: Decimal | None) -> str:
    return "" if value is None else format_qty(value)


class CountsPage(CountEntry, QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.session_id: int | None = None
        self.approve_dialog: ApproveDialog | None = None
        self.banner = FeedbackBanner()
        self.where = QLineEdit()
        self.where.setPlaceholderText("location to count (a bin, rack or area code)")
        self.blind = QCheckBox("Blind (counters do not see the book)")
        self.blind.setChecked(True)
        self.start_button = QPushButton("Start count")
        self.where.setMinimumWidth(260)
        self.sessions = QComboBox()
        self.sessions.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.sessions.setMinimumContentsLength(22)
        self.approve_button = QPushButton("Approve / reject…")
        self.sheet_button = QPushButton("Count sheet PDF…")
        can_plan = ctx.actor.can(Permission.PLAN_COUNTS)
        for planner_tool in (self.where, self.blind, self.start_button):
            permitted(planner_tool, can_plan)
        permitted(self.approve_button, ctx.actor.can(Permission.APPROVE_COUNTS))
        self.bin_edit = big_field("scan the bin (L-…)")
        self.part_edit = big_field("scan the part (P-…)")
        self.lot_edit = big_field("scan the lot label (LT-…) or type the lot")
        self.qty_edit = mark_quantity(big_field("counted quantity, Enter"))
        self.bin_label = QLabel("")
        self.part_label = QLabel("")
        self.part_label.setWordWrap(True)
        self.lot_label = QLabel("")
        self.lot_label.setWordWrap(True)
        self._entry = QFormLayout()
        self._bin: str | None = None  # the location code the bin field stands for, once resolved
        self._part: str | None = None  # the part number the part field stands for, once resolved
        self._tracked = False  # that part is counted per lot: the Lot row shows
        self._lot: str | None = None  # the lot the lot field stands for (its LT- code, or a new number)
        self._new_lot = False  # that lot is not on record: counting it adds it (the keeper was told)
        self._shown: SessionDTO | None = None  # the lines in the table, to find a scanned lot's line
        self.lines = read_only_table(
            [
                "Bin",
                "Part",
                "Lot",
                "Description",
                "Unit",
                "Book",
                "Counted",
                "Variance",
                "Status",
                "Count 1 by",
                "Recount by",
                "Why counted",
            ],
            numeric=(5, 6, 7),
            stretch=3,
        )
        # what the table shows, so a blind count stays blind in the file too
        self.lines_export = TableExport(ctx, self.lines, "count lines")
        self.lines_export.exported.connect(self.banner.ok)
        self.ira_label = QLabel("")
        self.today = TodayPanel(ctx)
        self.abc = AbcTab(ctx, self._failed)
        self.accuracy = AccuracyPanel(ctx)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._count_tab(), "Count")
        self.tabs.addTab(self.today, "Today's list")
        self.tabs.addTab(self.abc, "ABC (Pareto)")
        self.tabs.addTab(self.accuracy, "Accuracy (IRA)")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading("Cycle counts"))
        layout.addWidget(self.tabs, 1)
        self._connect_signals()

    def _count_tab(self) -> QWidget:
        tab = QWidget()
        top = FlowLayout()
        for w in (
            self.where,
            self.blind,
            self.start_button,
            QLabel("Count:"),
            self.sessions,
            self.sheet_button,
            self.approve_button,
            self.lines_export,
        ):
            top.addWidget(w)
        top.addStretch(1)
        entry = self._entry
        entry.addRow("Bin", self.bin_edit)
        entry.addRow("", self.bin_label)
        entry.addRow("Part", self.part_edit)
        entry.addRow("", self.part_label)
        entry.addRow("Lot", self.lot_edit)
        entry.addRow("", self.lot_label)
        entry.addRow("Quantity", self.qty_edit)
        self._show_lot_row(False)
        layout = QVBoxLayout(tab)
        layout.addLayout(top)
        layout.addWidget(self.banner)
        layout.addLayout(entry)
        layout.addWidget(self.lines, 1)
        layout.addWidget(self.ira_label)
        return tab

    def _connect_signals(self) -> None:
        self.start_button.clicked.connect(self.start)
        self.where.returnPressed.connect(self.start)
        self.sessions.currentIndexChanged.connect(self._session_chosen)
        self.bin_edit.returnPressed.connect(lambda: self._typed_code(self.bin_edit))
        self.part_edit.returnPressed.connect(lambda: self._typed_code(self.part_edit))
        self.bin_edit.textEdited.connect(self._forget_bin)
        self.part_edit.textEdited.connect(self._forget_part)
        self.lot_edit.returnPressed.connect(self._typed_lot)
        self.lot_edit.textEdited.connect(self._forget_lot)
        self.qty_edit.returnPressed.connect(self.enter)
        self.approve_button.clicked.connect(self.open_approve)
        self.sheet_button.clicked.connect(self._ask_sheet)
        self.today.started.connect(self._started)
        self.tabs.currentChanged.connect(self._refresh_tab)

    # -- starting and choosing a count ------------------------------------------------------------------
    @Slot()
    def start(self) -> None:
        where = self.where.text().strip().upper().removeprefix("L-")
        if not where:
            self.banner.error("Scan or type the bin, rack or area to count first.")
            self.where.setFocus()
            return
        name = f"Count {where}"
        blind = self.blind.isChecked()
        db, actor = self.ctx.db, self.ctx.actor

        def job() -> int:
            loc_id = locations.get_location_id(db, where)
            return counts.start_session(db, actor, name, [loc_id], blind=blind)

        change(self.ctx, job, self._started, topics=(Topic.COUNTS,), failed=self._failed)

    def choose_session(self, session_id: int) -> None:
        """Show count `session_id` (its sheet was scanned) with the cursor in Bin."""
        self.session_id = session_id
        self.tabs.setCurrentIndex(0)
        self._load_sessions()
        self._forget_bin()
        self._forget_part()
        for edit in (self.bin_edit, self.part_edit, self.qty_edit):
            edit.clear()
        self.bin_edit.setFocus()

    @Slot(int)
    def _started(self, session_id: int) -> None:
        self.session_id = session_id
        self.tabs.setCurrentIndex(0)
        self._load_sessions()
        self.banner.ok("Count started: scan the bin, the part, type the quantity.")
        self.where.clear()
        self._forget_bin()
        self._forget_part()
        self.bin_edit.clear()
        self.part_edit.clear()
        self.qty_edit.clear()
        self.bin_edit.setFocus()

    def _load_sessions(self) -> None:
        self.ctx.runner.run(lambda: counts.open_sessions(self.ctx.db), self._show_sessions, self._failed)

    def _show_sessions(self, rows: list[tuple[int, str]]) -> None:
        wanted = self.session_id
        self.sessions.blockSignals(True)
        self.sessions.clear()
        for sid, name in rows:
            self.sessions.addItem(f"#{sid} {name}", sid)
        if wanted is not None and self.sessions.findData(wanted) < 0:
            self.sessions.addItem(f"#{wanted} (closed)", wanted)  # the one just approved stays in view
        self.sessions.setCurrentIndex(max(self.sessions.findData(wanted), 0) if self.sessions.count() else -1)
        self.sessions.blockSignals(False)
        self._session_chosen()

    @Slot()
    def _session_chosen(self) -> None:
        data = self.sessions.currentData()
        self.session_id = int(data) if data is not None else None
        self.refresh_lines()

    def refresh_lines(self) -> None:
        if self.session_id is None:
            fill_table(self.lines, [])
            return
        sid = self.session_id
        # This tab is where counts are entered: a blind count stays blind here for everyone (approvers
        # see the book in the approve dialog).
        self.ctx.runner.run(
            lambda: counts.session(self.ctx.db, sid, for_counter=True), self._show, self._failed
        )

    def _show(self, sess: SessionDTO) -> None:
        self._shown = sess
        fill_table(
            self.lines,
            [
                (
                    x.location_code,
                    x.part_number,
                    x.lot_text,
                    x.description,
                    x.unit,
                    _q(x.book_qty),
                    _q(x.counted_qty),
                    _q(x.variance),
                    x.status.lower(),
                    x.counted_by,
                    x.recounted_by + (" (same counter)" if x.same_counter else ""),
                    x.reason,
                )
                for x in sess.lines
            ],
            keys=[x.id for x in sess.lines],
        )

    # -- sheet and approval -----------------------------------------------------------------------------
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
    def open_approve(self) -> ApproveDialog | None:
        if self.session_id is None:
            self.banner.error("Start or choose a count first.")
            return None
        dialog = ApproveDialog(self.ctx, self.session_id, self)
        dialog.approved.connect(self._approved)
        dialog.load()
        dialog.show()
        self.approve_dialog = dialog
        return dialog

    @Slot(int)
    def _approved(self, posted: int) -> None:
        self.banner.ok(f"Approved: {posted} count adjustment(s) posted to the ledger.")
        self._load_sessions()
        self._show_ira()

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
        show_failure(
            self,
            self.banner,
            {"location": self.bin_edit, "part": self.part_edit, "lot": self.lot_edit, "qty": self.qty_edit},
            exc,
        )

    # -- refreshing -------------------------------------------------------------------------------------
    @Slot(int)
    def _refresh_tab(self, index: int) -> None:
        if index == 1:
            self.today.refresh()
        elif index == 2:
            self.abc.refresh()
        elif index == 3:
            self.accuracy.refresh()

    def refresh(self) -> None:
        self._load_sessions()
        self._show_ira()
        self._refresh_tab(self.tabs.currentIndex())

    def data_changed(self, what: frozenset[Topic]) -> None:
        if (
            what & {Topic.STOCK, Topic.COUNTS} and self.isVisible()
        ):  # a move elsewhere may put a bin on today's list
            if Topic.COUNTS in what:  # a session started, counted or approved at another PC
                self._load_sessions()  # then its lines
            else:
                self.refresh_lines()
            if self.tabs.currentIndex() == 1:
                self.today.refresh()
