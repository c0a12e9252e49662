"""Cycle counts: today's list from the plan and the event rules, a count entered blind by scanning (bin,
part, its lot when the part is tracked, quantity) with the recount by another counter, approval with
rejected lines and their reasons, the ABC Pareto chart, and IRA by class, area and month."""

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

from desktop.errors import UserError
from desktop.quantities import format_qty, parse_decimal
from desktop.reports.count_sheet import render_count_sheet
from desktop.services.actor import Permission
from desktop.services.catalogue import locations, scan
from desktop.services.catalogue.scan import ScanResult
from desktop.services.counts import abc as count_abc
from desktop.services.counts import ira as count_ira
from desktop.services.counts import lots as count_lots
from desktop.services.counts import sessions as counts
from desktop.services.counts.abc import AbcRow
from desktop.services.counts.lots import NamedLot
from desktop.services.counts.sessions import LineDTO, SessionDTO
from desktop.services.topics import Topic
from desktop.ui.common import big_field, fill_table, heading, permitted, read_only_table, show_failure
from desktop.ui.context import AppContext
from desktop.ui.counts.count_accuracy import AccuracyPanel
from desktop.ui.counts.count_approve_dialog import ApproveDialog
from desktop.ui.counts.count_pareto import ParetoView
from desktop.ui.counts.count_today import TodayPanel
from desktop.ui.feedback import FeedbackBanner
from desktop.ui.flow_layout import FlowLayout
from desktop.ui.io.table_export import TableExport
from desktop.ui.operation import change
from desktop.ui.scanner import drop_typed_ahead, resolve_then, router
from desktop.ui.stock.qty_input import barcode_refusal, mark_quantity


def _q(value: Decimal | None) -> str:
    return "" if value is None else format_qty(value)


class CountsPage(QWidget):
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
        self.classify_button = QPushButton("Recompute ABC classes")
        self.approve_button = QPushButton("Approve / reject…")
        self.sheet_button = QPushButton("Count sheet PDF…")
        can_plan = ctx.actor.can(Permission.PLAN_COUNTS)
        for planner_tool in (self.where, self.blind, self.start_button, self.classify_button):
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
        self.pareto = ParetoView()
        self.abc_label = QLabel("")
        self.accuracy = AccuracyPanel(ctx)
        self.override_part = QLineEdit()
        self.override_part.setPlaceholderText("part number (P-…)")
        self.override_class = QComboBox()
        self.override_class.addItem("follow usage value", None)
        for cls in "ABC":
            self.override_class.addItem(f"always {cls}", cls)
        self.override_button = QPushButton("Set class")
        for override_tool in (self.override_part, self.override_class, self.override_button):
            permitted(override_tool, can_plan)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._count_tab(), "Count")
        self.tabs.addTab(self.today, "Today's list")
        self.tabs.addTab(self._abc_tab(), "ABC (Pareto)")
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

    def _abc_tab(self) -> QWidget:
        tab = QWidget()
        top = FlowLayout().stretch_first()
        top.addWidget(self.abc_label)
        top.addWidget(self.override_part)
        top.addWidget(self.override_class)
        top.addWidget(self.override_button)
        top.addWidget(self.classify_button)
        layout = QVBoxLayout(tab)
        layout.addLayout(top)
        layout.addWidget(self.pareto, 1)
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
        self.classify_button.clicked.connect(self.classify)
        self.override_button.clicked.connect(self.override)
        self.override_part.returnPressed.connect(self.override)
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

    # -- entering counts --------------------------------------------------------------------------------
    def handle_scan(self, code: str) -> bool:
        """A scan anywhere on the Count tab: a bin sets the bin, a part the part, a lot label its part and
        lot (and selects its line), a count sheet opens its count. Elsewhere (or with no count chosen and
        nothing to start) the main window takes it."""
        if not self.isVisible() or self.tabs.currentIndex() != 0:
            return False
        if code.startswith("CS-") and code[3:].isdigit():
            self.choose_session(int(code[3:]))
            return True
        if self.session_id is None or self.where.hasFocus():
            if code.startswith("L-") and self.where.isVisible():  # a planner scans what to count
                self.where.setText(code.removeprefix("L-"))
                self.where.setFocus()
                self.banner.ok(f"Press Enter to start counting {self.where.text()}.")
                return True
            return False
        resolve_then(self.ctx.runner, lambda: scan.resolve(self.ctx.db, code), self._resolved)
        return True

    def _typed_code(self, edit: QLineEdit) -> None:
        """Enter in Bin or Part: what was typed there (or a supplier's bare code) is looked up."""
        text = edit.text().strip()
        if not text:
            return
        if (edit is self.bin_edit and self._bin) or (edit is self.part_edit and self._part):
            self._focus_next()
            return
        resolve_then(self.ctx.runner, lambda: scan.resolve(self.ctx.db, text), self._resolved)

    def _resolved(self, result: ScanResult) -> None:
        if result.location is not None:
            loc = result.location.location
            self._bin = loc.code
            self.bin_edit.setText(loc.code)
            self.bin_label.setText(f"✔ {loc.name}")
            self._forget_part()
            self.part_edit.clear()  # a new bin: its parts come next
        elif result.part is not None and not (result.code.startswith("K-") and result.message):
            p = result.part
            self._forget_part()
            self._part = p.part_number
            self.part_edit.setText(p.part_number)
            self.part_label.setText(f"✔ {p.description} ({p.unit})")
            self._show_lot_row(p.tracking != "NONE")
            if result.lot is not None:  # a lot label: its part and its lot at once
                lot = result.lot.lot
                self._lot = lot.code
                self.lot_edit.setText(lot.lot_number)
                self.lot_label.setText(f"✔ {lot.label}")
                self._select_line(lot.code)
        else:
            what = "a kanban card" if result.code.startswith("K-") else "not a bin or a part"
            message = (
                result.message if not result.found else f"{result.code} is {what}: scan a bin or a part."
            )
            if result.code.startswith("LT-") and not result.found:
                message = (
                    f"{result.code} is not a lot label on record: nothing was counted. Scan the label on "
                    "the lot itself, or type its lot number."
                )
            self.banner.error(message)
            drop_typed_ahead()  # a quantity typed after a wrong scan is not for the field it returns to
            target = (
                self.bin_edit if self._bin is None else self.lot_edit if self._tracked else self.part_edit
            )
            target.setFocus()
            target.selectAll()
            return
        self.banner.clear()
        self.qty_edit.clear()  # a quantity typed for another line never carries over
        self._focus_next()

    def _focus_next(self) -> None:
        if self._bin is None:
            target = self.bin_edit
        elif self._part is None:
            target = self.part_edit
        elif self._tracked and self._lot is None:
            target = self.lot_edit
        else:
            target = self.qty_edit
        target.setFocus()
        target.selectAll()

    @Slot()
    def _forget_bin(self) -> None:
        self._bin = None
        self.bin_label.setText("")

    @Slot()
    def _forget_part(self) -> None:
        self._part = None
        self.part_label.setText("")
        self._show_lot_row(False)

    @Slot()
    def _forget_lot(self) -> None:
        self._lot, self._new_lot = None, False
        self.lot_label.setText("")

    def _show_lot_row(self, tracked: bool) -> None:
        """The Lot row shows for a tracked part only; a new part starts with an empty lot."""
        self._tracked = tracked
        self._forget_lot()
        self.lot_edit.clear()
        self._entry.setRowVisible(self.lot_edit, tracked)
        self._entry.setRowVisible(self.lot_label, tracked)

    def _typed_lot(self) -> None:
        """Enter in Lot: the lot number (or a supplier's label) typed there is looked up for the part."""
        text, part = self.lot_edit.text().strip(), self._part
        if not text or part is None:
            self._focus_next()
            return
        if self._lot is not None:
            self.qty_edit.setFocus()
            return
        hold = router().hold()  # the quantity typed right after the lot waits for it
        self.ctx.runner.run(
            lambda: count_lots.lot_for_count(self.ctx.db, part, text),
            hold.then(self._lot_named),
            hold.failed(self._failed),
        )

    def _lot_named(self, named: NamedLot) -> None:
        if named.known is not None:
            self._lot = named.known.code
            self.lot_edit.setText(named.known.lot_number)
            self.lot_label.setText(f"✔ {named.known.label}")
            self._select_line(named.known.code)
            self.banner.clear()
        else:  # found on the shelf, not on record: the count adds it when the keeper goes on
            self._lot, self._new_lot = named.number, True
            self.lot_edit.setText(named.number)
            self.lot_label.setText("new: not on record")
            self.banner.warn(
                f"Lot {named.number} of {self._part} is not on record: type the quantity to add it as "
                f"found in {self._bin}, or correct the lot."
            )
        self.qty_edit.clear()
        self._focus_next()

    def _select_line(self, lot_code: str) -> None:
        """Select the line of this bin for the lot scanned (the counter sees which line the count goes
        to); a lot the book does not hold here has no line yet, and the count adds one."""
        lines = self._shown.lines if self._shown is not None else ()
        for row, x in enumerate(lines):
            if x.lot_code == lot_code and x.location_code == self._bin:
                self.lines.selectRow(row)
                self.lines.scrollTo(self.lines.model().index(row, 0))
                return
        self.lines.clearSelection()

    @Slot()
    def enter(self) -> None:
        if self.session_id is None:
            self.banner.error("Start or choose a count first.")
            return
        if self._bin is None or self._part is None or (self._tracked and self._lot is None):
            self.banner.error(
                "Scan the bin and the part first."
                if self._bin is None
                else "Scan the part first."
                if self._part is None
                else "Scan the lot label or type the lot first."
            )
            self._focus_next()
            return
        refusal = barcode_refusal(self.qty_edit)
        try:
            if refusal is not None:
                raise UserError(refusal, field="qty")
            qty = parse_decimal(self.qty_edit.text(), allow_zero=True)
        except UserError as exc:
            self.banner.error(exc.message)
            self.qty_edit.setFocus()
            self.qty_edit.selectAll()
            return
        sid, where, what, lot, new = self.session_id, self._bin, self._part, self._lot, self._new_lot
        change(
            self.ctx,
            lambda: counts.enter_count(self.ctx.db, self.ctx.actor, sid, where, what, qty, lot, new_lot=new),
            self._entered,
            topics=(Topic.COUNTS,),
            failed=self._failed,
        )

    def _entered(self, line: LineDTO) -> None:
        counted = line.counted_qty if line.counted_qty is not None else Decimal(0)
        what = f"{line.part_number} lot {line.lot_number}" if line.lot_number else line.part_number
        if line.status == "RECOUNT":
            self.banner.warn(
                f"{what} in {line.location_code}: out of tolerance — count it again, "
                f"by another counter than {line.counted_by} where possible."
            )
        else:
            same = " Recount by the same counter: nobody else may count." if line.same_counter else ""
            self.banner.ok(
                f"{what} in {line.location_code}: {format_qty(counted)} {line.unit} counted." + same
            )
        self._forget_part()
        self.part_edit.clear()
        self.qty_edit.clear()
        self.part_edit.setFocus()  # the same bin, next part
        self.refresh_lines()

    # -- sheet, approval, ABC ---------------------------------------------------------------------------
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

    @Slot()
    def classify(self) -> None:
        change(  # a part's class decides how often it is on today's list
            self.ctx,
            lambda: count_abc.classify(self.ctx.db, self.ctx.actor),
            self._classified,
            topics=(Topic.COUNTS,),
            failed=self._failed,
        )

    def _classified(self, rows: list[AbcRow]) -> None:
        self.abc_label.setText(
            f"Classes recomputed: {sum(1 for r in rows if r.abc == 'A')} A, "
            f"{sum(1 for r in rows if r.abc == 'B')} B, {sum(1 for r in rows if r.abc == 'C')} C parts "
            "(overrides kept)."
        )
        self._load_pareto()

    @Slot()
    def override(self) -> None:
        number, cls = self.override_part.text(), self.override_class.currentData()
        change(
            self.ctx,
            lambda: count_abc.set_override(self.ctx.db, self.ctx.actor, number, cls),
            lambda now: self.abc_label.setText(
                f"{number.strip().upper()}: class {now}" + (" (pinned)" if cls else " (from its usage value)")
            ),
            topics=(Topic.COUNTS,),
            failed=lambda exc: (
                self.abc_label.setText(exc.message) if isinstance(exc, UserError) else self._failed(exc)
            ),
        )

    def _load_pareto(self) -> None:
        self.ctx.runner.run(lambda: count_abc.pareto(self.ctx.db), self.pareto.show_pareto, self._failed)

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
            self._load_pareto()
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
